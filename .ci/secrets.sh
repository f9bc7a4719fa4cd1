#!/usr/bin/env bash
# Secret scan of every tracked file with secretlint (azu/secretlint, its recommended rule preset:
# cloud keys, GitHub/npm/Slack tokens, private keys, basic-auth URLs, …). Pinned to the last line
# that runs on Node 20 (12+ needs Node 22). First a planted token must be found, so a scanner that
# silently scans nothing (wrong config, broken install) fails this step instead of passing it.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
scan=(npx --yes --package secretlint@11.7.1 --package @secretlint/secretlint-rule-preset-recommend@11.7.1 secretlint --secretlintrc .ci/secretlintrc.json --maskSecrets)

canary_dir=.local/secret-scan-canary
mkdir -p "$canary_dir"
trap 'rm -rf "$canary_dir"' EXIT
# Built at run time so this file itself holds no token-shaped string.
printf 'const planted = "%s%s";\n' 'ghp_' "$(printf 'a1B2c3D4e5%.0s' 1 2 3 4 | head -c 36)" > "$canary_dir/planted.ts"
if "${scan[@]}" "$canary_dir/planted.ts" > /dev/null 2>&1; then
  echo "secret scan: the planted GitHub token was NOT found; the scanner is not working, so the tree scan below would prove nothing."
  exit 1
fi
rm -rf "$canary_dir"

# Tracked files only: node_modules, dist and local state are not part of the tree that is published.
git ls-files -z | xargs -0 "${scan[@]}"
status=$?
if [ $status -ne 0 ]; then
  echo "secret scan: secretlint reported the findings above. Remove the secret (and rotate it), or, for a documented public value, add a // secretlint-disable-line comment saying why."
fi
exit $status
