#!/usr/bin/env bash
# The graph view's browser test (test/e2e/graphView.test.ts) drives Debian's Chromium through
# playwright-core, which never downloads a browser: install the Debian package when it is missing.
set -euo pipefail

browser=/usr/bin/chromium
if [[ -x "$browser" ]]; then
  echo "chromium: $browser is installed"
  exit 0
fi
if [[ "$(id -u)" -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium: $browser is missing. Install Chromium (Debian/Ubuntu: apt-get install -y chromium as root) and rerun; the graph view test needs it." >&2
  exit 2
fi
echo "chromium: installing the Debian package"
export DEBIAN_FRONTEND=noninteractive
# A fresh machine has no package lists yet; only then is the update needed.
apt-get install -y -qq chromium >/dev/null || { apt-get update -qq >/dev/null && apt-get install -y -qq chromium >/dev/null; }
[[ -x "$browser" ]] || { echo "chromium: the package installed but $browser is not there; check the distribution's package." >&2; exit 1; }
