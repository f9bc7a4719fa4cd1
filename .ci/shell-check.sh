#!/usr/bin/env bash
# bash -n and shellcheck on every shell script (scripts/, .ci/). shellcheck comes from Debian's
# package; it is installed with apt-get when missing and the machine allows it (CI runs as root).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if ! command -v shellcheck >/dev/null 2>&1; then
  if [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "shell-check: installing shellcheck (Debian package)"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck >/dev/null
  else
    echo "shell-check: shellcheck is not installed. Install it (apt-get install shellcheck, brew install shellcheck) and rerun." >&2
    exit 2
  fi
fi

mapfile -t scripts < <(find scripts .ci -type f \( -name '*.sh' -o -name run \) | sort)
[[ ${#scripts[@]} -gt 0 ]] || { echo "shell-check: no scripts found" >&2; exit 1; }
failed=0
for script in "${scripts[@]}"; do
  bash -n "$script" || { echo "shell-check: bash -n failed: $script" >&2; failed=1; }
done
# -x follows `source` into scripts/lib/; paths in source= directives are relative to the root.
shellcheck -x --source-path=SCRIPTDIR --source-path="$root" "${scripts[@]}" || failed=1
if [[ "$failed" -ne 0 ]]; then
  echo "shell-check: FAILED" >&2
  exit 1
fi
echo "shell-check: ${#scripts[@]} scripts pass bash -n and shellcheck ($(shellcheck --version | sed -n 's/^version: //p'))"
