#!/usr/bin/env bash
# Smoke test of a deployed pipeline, end to end in Azure:
#   1. check the Azure CLI sign-in (the deployment's subscription and tenant; the Node tools below
#      sign in through az's default account, so that must be in the same tenant),
#   2. seed the sample building into the deployed ADT (npm run seed; with --bulk-seed through one
#      ADT import job: npm run seed -- --bulk, docs/BULK.md),
#   3. read a room's derived temperature,
#   4. send device messages through the deployed Event Hub (npm run simulate),
#   5. wait until the room's temperature is rewritten in ADT by the deployed propagate function
#      (ingest → thermostat twin → Event Grid → propagate → room), print the lag; exit 1 if it
#      does not happen within SMOKE_TIMEOUT_SECONDS,
#   6. when main.bicep routes device lifecycle events (IOT_HUB_EVENT_ROUTES has lifecycle): retire a
#      device without a device — create a twin and a device identity of the same id, delete the
#      identity (az iot hub device-identity, extension azure-iot), and wait until the lifecycle event
#      has removed the twin from ADT; exit 1 if it does not happen within SMOKE_TIMEOUT_SECONDS.
#      A create event needs the device twin's model (a Plug and Play device announces it when it
#      connects), and reported properties and connection state need a connected device, so those are
#      not exercised here (infra/DEPLOY.md, "Smoke test of the IoT Hub events").
# Run after `azd up` from the repository root:  scripts/smoke-test.sh [--skip-seed | --bulk-seed]
#   [--resource-group <rg>] [--deployment <name>] [--subscription <id>] [--room <twin id>]
#   [--skip-device-events] [--device-model <dtmi>]
# Values come from azd's environment (or the deployment outputs), as for scripts/post-deploy.sh.
# Knobs: SMOKE_MESSAGES (default 90), SMOKE_RATE (messages/s, default 10),
# SMOKE_TIMEOUT_SECONDS (default 300), SMOKE_POLL_SECONDS (default 5).
# shellcheck disable=SC2016 # node -e programs are single-quoted on purpose: bash must not expand them.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
script_name="smoke-test"
step_total=6
# shellcheck source=scripts/lib/azure-env.sh
source "$root/scripts/lib/azure-env.sh"

deployment="adt-pipeline"
room="room-101"
seed=1
bulk_seed=0
messages="${SMOKE_MESSAGES:-90}"
rate="${SMOKE_RATE:-10}"
timeout_seconds="${SMOKE_TIMEOUT_SECONDS:-300}"
poll_seconds="${SMOKE_POLL_SECONDS:-5}"
cli_resource_group=""
device_events=1
# A seeded model without components (a twin of it needs no component sections).
device_model="dtmi:example:building:Thermostat;1"

while [[ $# -gt 0 ]]; do
  case "$1" in
    -g|--resource-group) cli_resource_group="${2:?--resource-group needs a value}"; shift 2 ;;
    -n|--deployment) deployment="${2:?--deployment needs a value}"; shift 2 ;;
    -s|--subscription) subscription="${2:?--subscription needs a value}"; shift 2 ;;
    --room) room="${2:?--room needs a twin id}"; shift 2 ;;
    --skip-seed) seed=0; shift ;;
    --bulk-seed) bulk_seed=1; shift ;;
    --skip-device-events) device_events=0; shift ;;
    --device-model) device_model="${2:?--device-model needs a model id}"; shift 2 ;;
    -h|--help) sed -n '2,24p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) fail "unknown argument '$1'. Usage: scripts/smoke-test.sh [--skip-seed | --bulk-seed] [--resource-group <rg>] [--deployment <name>] [--subscription <id>] [--room <twin id>] [--skip-device-events] [--device-model <dtmi>]" ;;
  esac
done

require_tool az "Install the Azure CLI (https://aka.ms/azure-cli) and run 'az login'."
require_tool node "Install Node.js 20 or 22."
require_tool npm "Install Node.js 20 or 22 (npm comes with it), then run 'npm ci'."
require_tool curl "curl is needed to read twins from ADT."
resolve_resource_group "$cli_resource_group" "Run from the azd project (after 'azd up')"

step "check the Azure CLI sign-in"
pin_subscription
load_outputs ADT_SERVICE_URL TELEMETRY_SOURCE -- EVENT_HUB_FULLY_QUALIFIED_NAMESPACE EVENT_HUB_NAME STORAGE_BLOB_ENDPOINT IMPORT_CONTAINER IMPORT_LOG_CONTAINER \
  IOT_HUB_NAME IOT_HUB_EVENT_ROUTES
adt_url="$(required_output ADT_SERVICE_URL)"
adt_url="${adt_url%/}"
if [[ "$(required_output TELEMETRY_SOURCE)" != "eventHub" ]]; then
  fail "this deployment reads IoT Hub's built-in endpoint (TELEMETRY_SOURCE=builtIn), which no client but IoT Hub can write to; the smoke test sends through the Event Hubs namespace of the default mode. Send device messages through IoT Hub instead (infra/DEPLOY.md, 'First device message')."
fi
namespace="$(required_output EVENT_HUB_FULLY_QUALIFIED_NAMESPACE)"
hub="$(required_output EVENT_HUB_NAME)"
# npm run seed/simulate sign in with DefaultAzureCredential limited to the Azure CLI, which uses
# az's default account: it must be in the deployment's tenant or their tokens are refused.
default_tenant="$(az account show --query tenantId --output tsv 2>"$scratch_dir/az.err")" ||
  fail "az has no default account ($(head -c 300 "$scratch_dir/az.err")). Run: az account set --subscription $subscription"
[[ "$default_tenant" == "$AZURE_TENANT_ID" ]] ||
  fail "az's default account is in tenant $default_tenant, the deployment in $AZURE_TENANT_ID; npm run seed/simulate would sign in to the wrong tenant. Run: az account set --subscription $subscription"
export AZURE_TOKEN_CREDENTIALS=AzureCliCredential

step "seed the sample building into $adt_url"
if ((seed && bulk_seed)); then
  # One import job: the file goes to the import container, ADT reads it and writes its log with its own identity.
  (cd "$root" && npm run --silent seed -- --adt-url "$adt_url" --bulk --storage "$(required_output STORAGE_BLOB_ENDPOINT)" \
    --container "$(required_output IMPORT_CONTAINER)" --log-container "$(required_output IMPORT_LOG_CONTAINER)") ||
    fail "bulk seeding failed (output above). You need 'Azure Digital Twins Data Owner' on the instance and 'Storage Blob Data Contributor' on the import container, and the ADT instance's identity Reader/Contributor on the import/log containers; main.bicep grants all of them, and they can take a few minutes to apply."
elif ((seed)); then
  (cd "$root" && npm run --silent seed -- --adt-url "$adt_url") ||
    fail "seeding failed (output above). You need 'Azure Digital Twins Data Owner' on the instance; main.bicep grants it to the deployer, and it can take a few minutes to apply."
else
  log "skipped (--skip-seed)"
fi

# Prints "<temperature>|<lastUpdateTime>" of the room; empty fields when unset.
read_room() {
  local status
  status="$(adt_request GET "$adt_url/digitaltwins/$room?api-version=2023-10-31")"
  [[ "$status" == 2?? ]] ||
    fail "reading twin $room from ADT returned HTTP $status: $(head -c 300 "$scratch_dir/adt-response" 2>/dev/null || true) $(head -c 200 "$scratch_dir/curl.err" 2>/dev/null || true)"
  node -e '
    const twin = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const value = twin.temperature;
    const updated = twin.$metadata?.temperature?.lastUpdateTime ?? "";
    process.stdout.write(`${value === undefined ? "" : value}|${updated}`);
  ' "$scratch_dir/adt-response"
}

step "read the derived temperature of $room"
before="$(read_room)"
log "$room temperature before: ${before%%|*} (written ${before#*|})"

step "send $messages device messages to $namespace/$hub"
started=$SECONDS
# A seed from the clock: new readings every run, so the room's average must move.
(cd "$root" && npm run --silent simulate -- --event-hub-namespace "$namespace" --event-hub-name "$hub" \
  --count "$messages" --rate "$rate" --seed "$(date +%s)") ||
  fail "sending failed (output above). You need 'Azure Event Hubs Data Sender' on hub $hub (main.bicep grants it to the deployer; it can take a few minutes to apply)."

step "wait for ADT to show a new temperature on $room (up to ${timeout_seconds}s)"
deadline=$((SECONDS + timeout_seconds))
while :; do
  now="$(read_room)"
  if [[ -n "${now%%|*}" && "$now" != "$before" ]]; then
    log "$room temperature now: ${now%%|*} (written ${now#*|})"
    log "PASSED: device messages reached the room's derived value in $((SECONDS - started)) s after sending began (polling every ${poll_seconds}s)"
    break
  fi
  if ((SECONDS >= deadline)); then
    fail "$room still shows '${now%%|*}' (written ${now#*|}) ${timeout_seconds}s after sending. Look at Application Insights (infra/DEPLOY.md, 'Where to look'): ingest summaries say whether messages arrived and were applied; propagate summaries whether notifications arrived."
  fi
  sleep "$poll_seconds"
done

step "retire a device through a device lifecycle event"
if ((!device_events)); then
  log "skipped (--skip-device-events)"
  exit 0
fi
if [[ ",${IOT_HUB_EVENT_ROUTES:-}," != *",lifecycle,"* ]]; then
  log "skipped: main.bicep does not route device lifecycle events (azd env set ROUTE_DEVICE_EVENTS true; infra/DEPLOY.md, 'IoT Hub events')"
  exit 0
fi
iot_hub="$(required_output IOT_HUB_NAME)"
az extension show --name azure-iot --output none 2>"$scratch_dir/az.err" ||
  fail "the device identity commands need the Azure CLI extension azure-iot: run 'az extension add --name azure-iot' (or pass --skip-device-events)."
device="smoke-device-$(date +%s)"
# The twin first, with a model ADT has (seeded): its device's delete event must remove it. The create
# event the identity raises finds the twin there (filtered twin-exists), whatever order they arrive in.
node -e 'process.stdout.write(JSON.stringify({ $metadata: { $model: process.argv[1] } }))' "$device_model" >"$scratch_dir/device-twin.json"
status="$(adt_request PUT "$adt_url/digitaltwins/$device?api-version=2023-10-31" "$scratch_dir/device-twin.json")"
[[ "$status" == 2?? ]] ||
  fail "creating twin $device (model $device_model) returned HTTP $status: $(head -c 300 "$scratch_dir/adt-response" 2>/dev/null || true). Seed first (without --skip-seed), or name a model the instance has with --device-model."
az_sub iot hub device-identity create --hub-name "$iot_hub" --resource-group "$resource_group" --device-id "$device" \
  --output none 2>"$scratch_dir/az.err" ||
  fail "could not create device $device in $iot_hub ($(head -c 300 "$scratch_dir/az.err")). You need write access to the hub's identity registry (e.g. 'IoT Hub Data Contributor', or Contributor on the hub); twin $device is left in ADT: delete it with 'az dt twin delete --dt-name <adt> --twin-id $device'."
retired=$SECONDS
az_sub iot hub device-identity delete --hub-name "$iot_hub" --resource-group "$resource_group" --device-id "$device" \
  --output none 2>"$scratch_dir/az.err" ||
  fail "could not delete device $device from $iot_hub ($(head -c 300 "$scratch_dir/az.err")); delete it and twin $device by hand."
log "device $device created and deleted in $iot_hub; waiting for its twin to leave ADT (up to ${timeout_seconds}s)"
deadline=$((SECONDS + timeout_seconds))
while :; do
  status="$(adt_request GET "$adt_url/digitaltwins/$device?api-version=2023-10-31")"
  if [[ "$status" == "404" ]]; then
    log "PASSED: the device lifecycle event retired twin $device in $((SECONDS - retired)) s after the device was deleted (polling every ${poll_seconds}s)"
    exit 0
  fi
  [[ "$status" == 2?? ]] ||
    fail "reading twin $device from ADT returned HTTP $status: $(head -c 300 "$scratch_dir/adt-response" 2>/dev/null || true) $(head -c 200 "$scratch_dir/curl.err" 2>/dev/null || true)"
  if ((SECONDS >= deadline)); then
    fail "twin $device is still in ADT ${timeout_seconds}s after its device was deleted. Check that route device-lifecycle-to-ingest is enabled (scripts/post-deploy.sh checks it) and look at Application Insights: ingest summaries count deviceLifecycleEvents and say why one was filtered or dead-lettered. Then delete the twin: az dt twin delete --dt-name <adt> --twin-id $device"
  fi
  sleep "$poll_seconds"
done
