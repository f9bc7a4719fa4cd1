#!/usr/bin/env bash
# Post-deploy step: what Bicep cannot do on the first pass.
#   1. wait until the propagate function is deployed and indexed,
#   2. subscribe it to the ADT notification topic (infra/post-deploy/event-subscription.bicep;
#      ARM rejects an AzureFunction destination that does not exist yet),
#   3. create the ADT event route endpoint → topic (data plane only; there is no ARM resource).
# Idempotent: step 2 is an incremental ARM deployment, step 3 a PUT that creates or replaces.
#
# Runs as the azd postdeploy hook (azd exports the main.bicep outputs as environment variables),
# or alone:  scripts/post-deploy.sh --resource-group <rg> [--deployment <name>]
# which reads the same outputs from that resource-group deployment (default name: adt-pipeline).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
deployment="adt-pipeline"
resource_group="${AZURE_RESOURCE_GROUP:-}"
wait_seconds="${POST_DEPLOY_WAIT_SECONDS:-600}"
retry_delay="${POST_DEPLOY_RETRY_DELAY:-20}"
route_attempts="${POST_DEPLOY_ROUTE_ATTEMPTS:-15}"

fail() { echo "post-deploy: $*" >&2; exit 1; }
log() { echo "post-deploy: $*"; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    -g|--resource-group) resource_group="${2:?--resource-group needs a value}"; shift 2 ;;
    -n|--deployment) deployment="${2:?--deployment needs a value}"; shift 2 ;;
    -h|--help) sed -n '2,12p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) fail "unknown argument '$1'. Usage: scripts/post-deploy.sh [--resource-group <rg>] [--deployment <name>]" ;;
  esac
done

command -v az >/dev/null 2>&1 || fail "the Azure CLI (az) is not on PATH. Install it and run 'az login'."
[[ -n "$resource_group" ]] || fail "no resource group. Run through 'azd up'/'azd deploy', set AZURE_RESOURCE_GROUP, or pass --resource-group <rg>."

# Every value comes from main.bicep outputs: from the environment (azd) or from the deployment.
output() {
  local name="$1" value="${!1:-}"
  if [[ -z "$value" ]]; then
    value="$(az deployment group show --resource-group "$resource_group" --name "$deployment" \
      --query "properties.outputs.${name}.value" --output tsv 2>/dev/null || true)"
  fi
  [[ -n "$value" ]] || fail "output $name not found in the environment or in deployment '$deployment' of resource group '$resource_group'. Provision first (azd provision, or az deployment group create --name $deployment ...)."
  printf '%s' "$value"
}

function_app="$(output FUNCTION_APP_NAME)"
function_name="$(output PROPAGATE_FUNCTION_NAME)"
topic="$(output EVENT_GRID_TOPIC_NAME)"
storage_account="$(output STORAGE_ACCOUNT_NAME)"
dead_letter_container="$(output EVENT_GRID_DEAD_LETTER_CONTAINER)"
event_types="$(output ADT_EVENT_TYPES)"
adt_url="$(output ADT_SERVICE_URL)"
endpoint="$(output ADT_ENDPOINT_NAME)"
route="$(output ADT_EVENT_ROUTE_NAME)"
route_filter="$(output ADT_EVENT_ROUTE_FILTER)"

# 1. The function must be indexed before Event Grid can validate it as a destination.
log "waiting for function $function_name in $function_app (up to ${wait_seconds}s)"
deadline=$((SECONDS + wait_seconds))
until az functionapp function show --resource-group "$resource_group" --name "$function_app" \
  --function-name "$function_name" --query name --output tsv >/dev/null 2>&1; do
  if ((SECONDS >= deadline)); then
    fail "function $function_name is not deployed in $function_app. Deploy the code first ('azd deploy', or 'func azure functionapp publish $function_app'), then run this script again."
  fi
  sleep "$retry_delay"
done

# 2. Event Grid subscription topic → function (dead letters to storage with the topic identity).
log "subscribing $function_name to topic $topic"
az deployment group create --resource-group "$resource_group" --name "post-deploy-event-subscription" \
  --template-file "$root/infra/post-deploy/event-subscription.bicep" \
  --parameters topicName="$topic" functionAppName="$function_app" functionName="$function_name" \
  storageAccountName="$storage_account" deadLetterContainerName="$dead_letter_container" \
  includedEventTypes="$event_types" \
  --output none

# 3. ADT event route. Retried: the deployer's ADT Data Owner role can take minutes to propagate.
json_string() { local s="${1//\\/\\\\}"; s="${s//\"/\\\"}"; printf '"%s"' "$s"; }
body="{\"endpointName\":$(json_string "$endpoint"),\"filter\":$(json_string "$route_filter")}"
url="${adt_url%/}/eventroutes/${route}?api-version=2023-10-31"
log "creating ADT event route $route -> endpoint $endpoint"
attempt=1
until az rest --method put --url "$url" --resource "https://digitaltwins.azure.net" \
  --headers "Content-Type=application/json" --body "$body" --output none; do
  if ((attempt >= route_attempts)); then
    fail "could not create event route $route on $adt_url after $attempt attempts. The account running this needs 'Azure Digital Twins Data Owner' on the instance (main.bicep grants it to deployerPrincipalId); check 'az role assignment list --assignee <you> --all'."
  fi
  log "route not accepted yet (attempt $attempt/$route_attempts); retrying in ${retry_delay}s"
  attempt=$((attempt + 1))
  sleep "$retry_delay"
done

log "done: $topic -> $function_app/$function_name, ADT route $route ($route_filter)"
