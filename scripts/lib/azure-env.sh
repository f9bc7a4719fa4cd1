# shellcheck shell=bash
# shellcheck disable=SC2016 # node -e programs are single-quoted on purpose: bash must not expand them.
# Shared by scripts/post-deploy.sh and scripts/smoke-test.sh (sourced, not run).
#
# Both scripts must act on the deployment azd made, as the principal azd deployed with, whatever
# the Azure CLI's own default subscription is. So:
#   - values come from azd's environment (exported to hooks, else `azd env get-values`), or from
#     the resource-group deployment's outputs when run alone;
#   - every `az` call goes through az_sub, which pins --subscription to the deployment's;
#   - data-plane calls (ADT) use a token az issues for that subscription's tenant, sent by curl
#     from a private header file (never on a command line).
# Callers set: script_name, and call `step "<name>"` before each step so a failure names it.

script_name="${script_name:?the sourcing script sets script_name}"
current_step="start"
step_number=0
step_total="${step_total:-0}"
subscription=""
resource_group=""
deployment=""
scratch_dir="$(mktemp -d)"
chmod 700 "$scratch_dir"
trap 'rm -rf "$scratch_dir"' EXIT

log() { echo "$script_name: $*"; }
warn() { echo "$script_name: WARNING: $*" >&2; }
fail() {
  echo "$script_name: FAILED at step '$current_step': $*" >&2
  : >"$scratch_dir/failed"
  exit 1
}
step() {
  current_step="$1"
  step_number=$((step_number + 1))
  log "[$step_number/$step_total] $current_step"
}

# A command failing outside an explicit check still names the step it broke.
set -E
trap 'status=$?; [[ -e "$scratch_dir/failed" ]] || echo "$script_name: FAILED at step '"'"'$current_step'"'"' (exit $status); the error is above." >&2' ERR

require_tool() {
  command -v "$1" >/dev/null 2>&1 || fail "$1 is not on PATH. $2"
}

# Loads azd's environment for values not already set (a hook already has them exported).
load_azd_env() {
  command -v azd >/dev/null 2>&1 || return 0
  local file="$scratch_dir/azd-env.json"
  if ! azd env get-values --output json >"$file" 2>"$scratch_dir/azd-env.err"; then
    warn "azd is installed but 'azd env get-values' failed ($(head -c 300 "$scratch_dir/azd-env.err")); using the environment and deployment outputs only."
    return 0
  fi
  local name value
  while IFS= read -r -d '' name && IFS= read -r -d '' value; do
    if [[ -z "${!name:-}" ]]; then export "$name=$value"; fi
  done < <(node -e '
    const env = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    for (const [k, v] of Object.entries(env)) if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) process.stdout.write(`${k}\0${v}\0`);
  ' "$file")
}

# Sets resource_group from --resource-group (its value in $1), else azd's environment; fails with
# $2 (how to run the script) when neither names one.
resolve_resource_group() {
  [[ -n "${AZURE_RESOURCE_GROUP:-}" || -n "$1" ]] || load_azd_env
  resource_group="${1:-${AZURE_RESOURCE_GROUP:-}}"
  [[ -n "$resource_group" ]] || fail "no resource group. $2, set AZURE_RESOURCE_GROUP, or pass --resource-group <rg>."
}

# Pins the subscription and checks az can reach it in the deployment's tenant.
pin_subscription() {
  subscription="${subscription:-${AZURE_SUBSCRIPTION_ID:-}}"
  if [[ -z "$subscription" ]]; then
    subscription="$(az account show --query id --output tsv 2>"$scratch_dir/az.err")" ||
      fail "no subscription: not run by azd, AZURE_SUBSCRIPTION_ID unset, and 'az account show' failed ($(head -c 300 "$scratch_dir/az.err")). Run 'az login' or pass --subscription <id>."
    warn "no AZURE_SUBSCRIPTION_ID or --subscription: using az's default subscription $subscription."
  fi
  local tenant
  tenant="$(az account show --subscription "$subscription" --query tenantId --output tsv 2>"$scratch_dir/az.err")" ||
    fail "az cannot use subscription $subscription ($(head -c 300 "$scratch_dir/az.err")). Sign the Azure CLI in to it: az login${AZURE_TENANT_ID:+ --tenant $AZURE_TENANT_ID}"
  if [[ -n "${AZURE_TENANT_ID:-}" && "$tenant" != "$AZURE_TENANT_ID" ]]; then
    fail "az sees subscription $subscription in tenant $tenant, but azd deployed to tenant $AZURE_TENANT_ID. Run: az login --tenant $AZURE_TENANT_ID"
  fi
  AZURE_TENANT_ID="$tenant"
  log "subscription $subscription (tenant $tenant), resource group $resource_group"
}

az_sub() { az "$@" --subscription "$subscription"; }

# load_outputs REQUIRED... [-- OPTIONAL...]: when the environment lacks a required main.bicep output
# (azd exports them all to hooks), reads the resource-group deployment's outputs once and exports
# every listed name the environment lacks.
load_outputs() {
  local name missing=0 optional=0
  for name in "$@"; do
    if [[ "$name" == "--" ]]; then optional=1; continue; fi
    ((optional)) || [[ -n "${!name:-}" ]] || missing=1
  done
  ((missing)) || return 0
  local file="$scratch_dir/outputs.json"
  az_sub deployment group show --resource-group "$resource_group" --name "$deployment" \
    --query properties.outputs --output json >"$file" 2>"$scratch_dir/az.err" ||
    fail "cannot read the outputs of deployment '$deployment' in resource group '$resource_group' ($(head -c 300 "$scratch_dir/az.err")). Provision first (azd provision, or az deployment group create --name $deployment ...), or pass --deployment <name>."
  local value
  while IFS= read -r -d '' name && IFS= read -r -d '' value; do
    if [[ -z "${!name:-}" ]]; then export "$name=$value"; fi
  done < <(node -e '
    const outputs = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8") || "{}") ?? {};
    for (const name of process.argv.slice(2)) {
      const v = outputs[name]?.value;
      if (v !== undefined && v !== null) process.stdout.write(`${name}\0${String(v)}\0`);
    }
  ' "$file" "${@/#--/}")
}

required_output() {
  [[ -n "${!1:-}" ]] || fail "output $1 is neither in the environment nor in deployment '$deployment' of resource group '$resource_group'. Provision first (azd provision), or pass --deployment <name>."
  printf '%s' "${!1}"
}

# Writes (once) a header file holding a bearer token for ADT's data plane in the deployment's tenant.
adt_token_header() {
  local header="$scratch_dir/adt-auth.header" token
  if [[ -s "$header" ]]; then printf '%s' "$header"; return 0; fi
  token="$(az_sub account get-access-token --resource "https://digitaltwins.azure.net" --query accessToken --output tsv 2>"$scratch_dir/az.err")" ||
    fail "az could not get a token for Azure Digital Twins ($(head -c 300 "$scratch_dir/az.err")). Run: az login --tenant $AZURE_TENANT_ID"
  (umask 077 && printf 'Authorization: Bearer %s\n' "$token" >"$header")
  printf '%s' "$header"
}

# The object id inside an Entra access token (which principal az is signed in as).
token_object_id() {
  local header="$1"
  node -e '
    const line = require("fs").readFileSync(process.argv[1], "utf8");
    const payload = line.trim().split(" ").pop().split(".")[1] ?? "";
    try { process.stdout.write(String(JSON.parse(Buffer.from(payload, "base64url").toString("utf8")).oid ?? "")); } catch { /* not a JWT */ }
  ' "$header"
}

# adt_request METHOD URL [BODY_FILE] → prints the HTTP status; the response body is in $scratch_dir/adt-response.
adt_request() {
  local method="$1" url="$2" body="${3:-}" header
  header="$(adt_token_header)"
  local args=(--silent --show-error --request "$method" --header "@$header" --output "$scratch_dir/adt-response" --write-out '%{http_code}')
  if [[ -n "$body" ]]; then args+=(--header "Content-Type: application/json" --data-binary "@$body"); fi
  local status
  status="$(curl "${args[@]}" "$url" 2>"$scratch_dir/curl.err")" || true
  status="${status: -3}"
  printf '%s' "${status:-000}"
}
