#!/usr/bin/env bash
# Compiles and lints every infra/**/*.bicep and *.bicepparam with the real Bicep CLI.
# The CLI comes from NuGet (Azure.Bicep.CommandLine.linux-x64, pinned in .ci/bicep-tool/) via
# `dotnet restore` into .tools/ (git-ignored, reused by later runs). Linter rules are raised to
# errors in infra/bicepconfig.json; on top of that any warning line fails the run, which also
# catches compiler warnings (BCPxxx) that are not linter rules.
# Output: .tools/bicep-out/<path under infra>/<name>.json, read by test/infra/*.test.ts.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tool_project="$root/.ci/bicep-tool/bicep-tool.csproj"
packages="$root/.tools/nuget"
out="$root/.tools/bicep-out"

version="$(sed -n 's/.*Azure\.Bicep\.CommandLine\.linux-x64" Version="\[\([0-9.]*\)\]".*/\1/p' "$tool_project")"
if [[ -z "$version" ]]; then
  echo "bicep.sh: could not read the Bicep CLI version from $tool_project" >&2
  exit 2
fi
bicep="$packages/azure.bicep.commandline.linux-x64/$version/tools/bicep"

if [[ ! -x "$bicep" ]]; then
  if ! command -v dotnet >/dev/null 2>&1; then
    echo "bicep.sh: the .NET SDK (dotnet) is needed to fetch the Bicep CLI from NuGet. Install it, or run on a machine that has it." >&2
    exit 2
  fi
  echo "bicep.sh: fetching Bicep CLI $version from NuGet into .tools/ ..."
  DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 \
    dotnet restore "$tool_project" --packages "$packages" --verbosity quiet
  chmod +x "$bicep"
fi
echo "bicep.sh: $("$bicep" --version)"

rm -rf "$out"
mkdir -p "$out"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT

count="$(find "$root/infra" -type f \( -name '*.bicep' -o -name '*.bicepparam' \) | wc -l)"
if [[ "$count" -eq 0 ]]; then
  echo "bicep.sh: no .bicep files under infra/" >&2
  exit 1
fi

# One CLI process per file kind (a process per file costs ~5 s each). --pattern mirrors the
# directory layout under --outdir, so infra/modules/x.bicep becomes .tools/bicep-out/modules/x.json.
failed=0
(cd "$root/infra" && "$bicep" build --pattern '**/*.bicep' --outdir "$out") >"$log" 2>&1 || failed=1
# Parameter files one by one: --pattern would name main.bicepparam's output main.json and
# overwrite the template.
while IFS= read -r -d '' params; do
  rel="${params#"$root/infra/"}"
  mkdir -p "$out/$(dirname "$rel")"
  "$bicep" build-params "$params" --outfile "$out/${rel%.bicepparam}.parameters.json" >>"$log" 2>&1 || failed=1
done < <(find "$root/infra" -type f -name '*.bicepparam' -print0)
if grep -qE ' : (Warning|Error) ' "$log"; then
  failed=1
fi
cat "$log"

if [[ "$failed" -ne 0 ]]; then
  echo "bicep.sh: FAILED — fix the errors/warnings above (rule levels: infra/bicepconfig.json)." >&2
  exit 1
fi
echo "bicep.sh: $count files compiled and linted clean -> ${out#"$root/"}/"
