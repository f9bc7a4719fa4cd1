#!/usr/bin/env bash
# Post-deploy step: what Bicep cannot do on the first pass.
#   1. check that az reaches the deployment's subscription as the principal azd deployed with,
#   2. wait until the propagate function is deployed and indexed,
#   3. read the Functions host's eventgrid_extension system key (created when the host first
#      starts with an Event Grid trigger),
#   4. subscribe the function's Event Grid webhook to the ADT notification topic
#      (infra/post-deploy/event-subscription.bicep),
#   5. create the ADT event route endpoint → topic (data plane only; there is no ARM resource),
#   6. create the egress route (twin changes → the Event Hub / Service Bus endpoint) when main.bicep
#      was deployed with egress other than 'none',
#   7. check the IoT Hub event routes and the twin id enrichment main.bicep switched on
#      (IOT_HUB_EVENT_ROUTES, IOT_HUB_TWIN_ID_ENRICHMENT): each enabled on the hub, none missing,
#   8. warn when the ADT dead-letter SAS is near its expiry,
#   9. with --seed-portfolio <twins> (or POST_DEPLOY_SEED_PORTFOLIO, for the azd hook): seed a
#      generated portfolio through one ADT import job (npm run seed -- --portfolio, docs/BULK.md),
#  10. reconcile every derived value once (npm run reconcile).
# Idempotent: step 4 is an incremental ARM deployment, steps 5 and 6 PUTs that create or replace,
# step 7 only reads (step 9 is not: seed a portfolio into an empty instance, docs/BULK.md).
# Every az call is pinned to the deployment's subscription (--subscription), never az's default.
#
# Runs as the azd postdeploy hook (azd exports its environment: AZURE_SUBSCRIPTION_ID,
# AZURE_TENANT_ID, AZURE_RESOURCE_GROUP and the main.bicep outputs), or alone:
#   scripts/post-deploy.sh [--resource-group <rg>] [--deployment <name>] [--subscription <id>]
#                          [--skip-principal-check] [--skip-reconcile] [--seed-portfolio <twins>]
# which reads azd's environment if azd is installed, else the outputs of that resource-group
# deployment (default name: adt-pipeline).
# shellcheck disable=SC2016 # node -e programs are single-quoted on purpose: bash must not expand them.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
script_name="post-deploy"
step_total=10
# shellcheck source=scripts/lib/azure-env.sh
source "$root/scripts/lib/azure-env.sh"

deployment="adt-pipeline"
wait_seconds="${POST_DEPLOY_WAIT_SECONDS:-600}"
retry_delay="${POST_DEPLOY_RETRY_DELAY:-20}"
attempts="${POST_DEPLOY_ATTEMPTS:-15}"
sas_warning_days="${POST_DEPLOY_SAS_WARNING_DAYS:-30}"
reconcile=1
seed_portfolio="${POST_DEPLOY_SEED_PORTFOLIO:-}"
check_principal=1
cli_resource_group=""

while [[ $# -gt 0 ]]; do
  case "$1" in
    -g|--resource-group) cli_resource_group="${2:?--resource-group needs a value}"; shift 2 ;;
    -n|--deployment) deployment="${2:?--deployment needs a value}"; shift 2 ;;
    -s|--subscription) subscription="${2:?--subscription needs a value}"; shift 2 ;;
    --skip-principal-check) check_principal=0; shift ;;
    --skip-reconcile) reconcile=0; shift ;;
    --seed-portfolio) seed_portfolio="${2:?--seed-portfolio needs a number of twins}"; shift 2 ;;
    -h|--help) sed -n '2,27p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) fail "unknown argument '$1'. Usage: scripts/post-deploy.sh [--resource-group <rg>] [--deployment <name>] [--subscription <id>] [--skip-principal-check] [--skip-reconcile] [--seed-portfolio <twins>]" ;;
  esac
done

require_tool az "Install the Azure CLI (https://aka.ms/azure-cli) and run 'az login'."
require_tool node "Node.js is needed to read JSON (the project needs it anyway)."
require_tool curl "curl is needed for the ADT data-plane call."
resolve_resource_group "$cli_resource_group" "Run through 'azd up'/'azd deploy'"

step "check the Azure CLI sign-in"
pin_subscription
load_outputs FUNCTION_APP_NAME FUNCTION_APP_HOST_NAME PROPAGATE_FUNCTION_NAME EVENT_GRID_TOPIC_NAME \
  STORAGE_ACCOUNT_NAME EVENT_GRID_DEAD_LETTER_CONTAINER ADT_EVENT_TYPES ADT_SERVICE_URL ADT_ENDPOINT_NAME \
  ADT_EVENT_ROUTE_NAME ADT_EVENT_ROUTE_FILTER -- DEPLOYER_PRINCIPAL_ID ADT_DEAD_LETTER_SAS_EXPIRY \
  EGRESS_ENDPOINT_NAME EGRESS_ROUTE_NAME EGRESS_ROUTE_FILTER STORAGE_BLOB_ENDPOINT IMPORT_CONTAINER IMPORT_LOG_CONTAINER \
  IOT_HUB_NAME IOT_HUB_EVENT_ROUTES IOT_HUB_TWIN_ID_ENRICHMENT
function_app="$(required_output FUNCTION_APP_NAME)"
function_host="$(required_output FUNCTION_APP_HOST_NAME)"
function_name="$(required_output PROPAGATE_FUNCTION_NAME)"
topic="$(required_output EVENT_GRID_TOPIC_NAME)"
storage_account="$(required_output STORAGE_ACCOUNT_NAME)"
dead_letter_container="$(required_output EVENT_GRID_DEAD_LETTER_CONTAINER)"
event_types="$(required_output ADT_EVENT_TYPES)"
adt_url="$(required_output ADT_SERVICE_URL)"
endpoint="$(required_output ADT_ENDPOINT_NAME)"
route="$(required_output ADT_EVENT_ROUTE_NAME)"
route_filter="$(required_output ADT_EVENT_ROUTE_FILTER)"
deployer="${DEPLOYER_PRINCIPAL_ID:-}"
sas_expiry="${ADT_DEAD_LETTER_SAS_EXPIRY:-}"
egress_endpoint="${EGRESS_ENDPOINT_NAME:-}"
egress_route="${EGRESS_ROUTE_NAME:-}"
egress_filter="${EGRESS_ROUTE_FILTER:-}"
event_routes="${IOT_HUB_EVENT_ROUTES:-}"
twin_id_enrichment="${IOT_HUB_TWIN_ID_ENRICHMENT:-}"

# The ADT role went to the principal that ran the deployment (azd's sign-in). If az is signed in
# as someone else, the route PUT would fail with 403 after minutes of retries: say so now.
signed_in="$(token_object_id "$(adt_token_header)")"
if ((check_principal)) && [[ -n "$deployer" && -n "$signed_in" && "$signed_in" != "$deployer" ]]; then
  fail "az is signed in as object id $signed_in, but the deployment granted 'Azure Digital Twins Data Owner' to $deployer (the principal azd deployed with). Sign az in as that account ('az login'), or grant $signed_in the role and rerun with --skip-principal-check."
fi

step "wait for function $function_name in $function_app"
deadline=$((SECONDS + wait_seconds))
until az_sub functionapp function show --resource-group "$resource_group" --name "$function_app" \
  --function-name "$function_name" --query name --output tsv >/dev/null 2>"$scratch_dir/az.err"; do
  if ((SECONDS >= deadline)); then
    fail "function $function_name is not deployed in $function_app after ${wait_seconds}s (last error: $(head -c 300 "$scratch_dir/az.err")). Deploy the code first ('azd deploy', or 'func azure functionapp publish $function_app'), then run this script again."
  fi
  log "not indexed yet; waiting (${retry_delay}s steps, $((deadline - SECONDS))s left)"
  sleep "$retry_delay"
done

step "read the eventgrid_extension system key"
# Event Grid delivers to the Event Grid extension's webhook, authenticated by this host key.
# It appears once the host has started with the Event Grid trigger: poll, bounded.
key=""
deadline=$((SECONDS + wait_seconds))
while :; do
  key="$(az_sub functionapp keys list --resource-group "$resource_group" --name "$function_app" \
    --query systemKeys.eventgrid_extension --output tsv 2>"$scratch_dir/az.err")" || key=""
  [[ -n "$key" && "$key" != "None" ]] && break
  if ((SECONDS >= deadline)); then
    fail "the Functions host of $function_app has no eventgrid_extension system key after ${wait_seconds}s (last error: $(head -c 300 "$scratch_dir/az.err")). Check that the app starts (Application Insights → Failures, or 'az functionapp log deployment show'), then run this script again."
  fi
  log "no key yet (the host creates it on its first start); waiting (${retry_delay}s steps, $((deadline - SECONDS))s left)"
  sleep "$retry_delay"
done

step "subscribe $function_name to topic $topic"
# The key goes in a private parameter file, not on a command line other users could read.
params="$scratch_dir/event-subscription.parameters.json"
(umask 077 && node -e '
  const [topicName, functionAppHostName, functionName, storageAccountName, deadLetterContainerName, includedEventTypes, eventGridExtensionKey] = process.argv.slice(1);
  const values = { topicName, functionAppHostName, functionName, storageAccountName, deadLetterContainerName, includedEventTypes, eventGridExtensionKey };
  const parameters = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, { value: v }]));
  process.stdout.write(JSON.stringify({ $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#", contentVersion: "1.0.0.0", parameters }));
' "$topic" "$function_host" "$function_name" "$storage_account" "$dead_letter_container" "$event_types" "$key" >"$params")
# Retried: Event Grid validates the webhook with a handshake the cold host may miss.
attempt=1
until az_sub deployment group create --resource-group "$resource_group" --name "post-deploy-event-subscription" \
  --template-file "$root/infra/post-deploy/event-subscription.bicep" --parameters "@$params" \
  --output none 2>"$scratch_dir/az.err"; do
  if ((attempt >= attempts)); then
    fail "Event Grid did not accept the webhook of $function_name after $attempt attempts: $(head -c 600 "$scratch_dir/az.err")"
  fi
  log "subscription not accepted yet (attempt $attempt/$attempts: $(head -c 200 "$scratch_dir/az.err" | tr '\n' ' ')); retrying in ${retry_delay}s"
  attempt=$((attempt + 1))
  sleep "$retry_delay"
done

# put_event_route NAME ENDPOINT FILTER: PUT one ADT event route, retried while the deployer's role or
# the endpoint is still propagating; any other refusal (400: bad filter) stops the script.
put_event_route() {
  local name=$1 endpoint_name=$2 filter=$3 body="$scratch_dir/route-$1.json" url status response attempt=1
  node -e 'process.stdout.write(JSON.stringify({ endpointName: process.argv[1], filter: process.argv[2] }))' "$endpoint_name" "$filter" >"$body"
  url="${adt_url%/}/eventroutes/${name}?api-version=2023-10-31"
  while :; do
    status="$(adt_request PUT "$url" "$body")"
    [[ "$status" == 2?? ]] && return 0
    response="$(head -c 400 "$scratch_dir/adt-response" 2>/dev/null || true) $(head -c 200 "$scratch_dir/curl.err" 2>/dev/null || true)"
    # 401/403: the deployer's data-plane role is still propagating; 404/5xx/000: the endpoint or
    # the service is not ready yet. Anything else (400: bad filter) will not fix itself.
    case "$status" in
      401|403|404|429|5??|000) ;;
      *) fail "ADT refused event route $name with HTTP $status: $response" ;;
    esac
    if ((attempt >= attempts)); then
      fail "could not create event route $name on $adt_url after $attempt attempts (last HTTP $status: $response). The account running this needs 'Azure Digital Twins Data Owner' on the instance (main.bicep grants it to deployerPrincipalId); check 'az role assignment list --assignee <you> --all'."
    fi
    log "route $name not accepted yet (HTTP $status, attempt $attempt/$attempts); retrying in ${retry_delay}s"
    attempt=$((attempt + 1))
    sleep "$retry_delay"
  done
}

step "create ADT event route $route -> endpoint $endpoint"
put_event_route "$route" "$endpoint" "$route_filter"

step "create the egress route"
# Downstream consumers (egress module) get every twin change through their own route.
if [[ -n "$egress_endpoint" ]]; then
  [[ -n "$egress_route" ]] || fail "EGRESS_ENDPOINT_NAME is set but EGRESS_ROUTE_NAME is empty; redeploy main.bicep (azd provision) so both outputs exist."
  put_event_route "$egress_route" "$egress_endpoint" "$egress_filter"
  log "egress route $egress_route -> endpoint $egress_endpoint ($egress_filter)"
else
  log "no egress endpoint (main.bicep egress = 'none')"
fi

step "check the IoT Hub event routes"
# Lifecycle, twin change, connection state and digital twin change events reach the ingest function
# only through their own routes (infra/DEPLOY.md, "IoT Hub events"). Read the hub once and check that
# each route main.bicep switched on is there and enabled, and the enrichment too; a route enabled on
# the hub but not in main.bicep (set in the portal) is reported, since the next provision disables it.
if [[ -n "$event_routes" || -n "$twin_id_enrichment" ]]; then
  iot_hub="$(required_output IOT_HUB_NAME)"
  az_sub iot hub show --name "$iot_hub" --resource-group "$resource_group" --query properties.routing \
    --output json >"$scratch_dir/routing.json" 2>"$scratch_dir/az.err" ||
    fail "cannot read the routing of IoT Hub $iot_hub ($(head -c 300 "$scratch_dir/az.err"))."
  node -e '
    const routing = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8") || "{}") ?? {};
    const [hub, wanted, enrichment] = process.argv.slice(2);
    const kinds = {
      lifecycle: ["device-lifecycle-to-ingest", "DeviceLifecycleEvents"],
      twinChanges: ["twin-changes-to-ingest", "TwinChangeEvents"],
      connectionState: ["connection-state-to-ingest", "DeviceConnectionStateEvents"],
      digitalTwinChanges: ["digital-twin-changes-to-ingest", "DigitalTwinChangeEvents"],
    };
    const on = wanted.split(",").filter(Boolean);
    const routes = routing.routes ?? [];
    const problems = [];
    for (const [kind, [name, source]] of Object.entries(kinds)) {
      const route = routes.find((r) => r.name === name);
      const enabled = route !== undefined && route.isEnabled === true && route.source === source;
      if (on.includes(kind)) {
        if (enabled) console.log(`route ${name} (${source}) enabled -> ${(route.endpointNames ?? []).join(", ")}`);
        else problems.push(route === undefined ? `route ${name} (${source}) is missing` : `route ${name} is not enabled for ${source}`);
      } else if (enabled) {
        console.log(`route ${name} (${source}) is enabled on the hub but off in main.bicep: the next provision disables it`);
      }
    }
    for (const kind of on) if (!(kind in kinds)) problems.push(`unknown event kind "${kind}" in IOT_HUB_EVENT_ROUTES`);
    if (enrichment) {
      const at = enrichment.indexOf("=");
      const [key, value] = [enrichment.slice(0, at), enrichment.slice(at + 1)];
      const found = (routing.enrichments ?? []).find((e) => e.key === key);
      if (found && found.value === value) console.log(`enrichment ${key} = ${value} -> ${(found.endpointNames ?? []).join(", ")}`);
      else problems.push(found ? `enrichment ${key} is ${found.value}, not ${value}` : `enrichment ${key} = ${value} is missing`);
    }
    if (problems.length > 0) {
      process.stderr.write(`IoT Hub ${hub}: ${problems.join("; ")}.`);
      process.exit(1);
    }
  ' "$scratch_dir/routing.json" "$iot_hub" "$event_routes" "$twin_id_enrichment" >"$scratch_dir/routes.out" 2>"$scratch_dir/routes.err" ||
    fail "$(cat "$scratch_dir/routes.err") The hub does not route what main.bicep switched on: run 'azd provision' again (infra/DEPLOY.md, \"IoT Hub events\")."
  while IFS= read -r line; do log "$line"; done <"$scratch_dir/routes.out"
else
  log "no IoT Hub event routes or enrichment switched on (main.bicep routeDeviceEvents, routeConnectionStateEvents, routeDigitalTwinChangeEvents, enrichTwinId)"
fi

step "check the ADT dead-letter SAS expiry"
if [[ -n "$sas_expiry" ]]; then
  days_left="$(node -e 'const t = Date.parse(process.argv[1]); process.stdout.write(Number.isNaN(t) ? "" : String(Math.floor((t - Date.now()) / 86400000)))' "$sas_expiry")"
  if [[ -z "$days_left" ]]; then
    warn "ADT_DEAD_LETTER_SAS_EXPIRY '$sas_expiry' is not a date."
  elif ((days_left < sas_warning_days)); then
    warn "the SAS ADT uses to write endpoint dead letters expires on $sas_expiry ($days_left days). Run 'azd provision' (each provision renews it)."
  else
    log "ADT dead-letter SAS valid until $sas_expiry ($days_left days)"
  fi
else
  log "ADT endpoint dead-lettering is off; no SAS to check"
fi

step "bulk-seed a portfolio through an ADT import job (npm run seed -- --portfolio)"
# Before reconcile, so the portfolio's roll-ups are computed in the same run. One import job: the file
# goes to the import container, ADT reads it and writes the job log with its own identity.
if [[ -n "$seed_portfolio" ]]; then
  [[ "$seed_portfolio" =~ ^[1-9][0-9]*$ ]] || fail "--seed-portfolio needs a whole number of twins (got '$seed_portfolio')."
  npm run --silent seed -- --adt-url "$adt_url" --portfolio "$seed_portfolio" --storage "$(required_output STORAGE_BLOB_ENDPOINT)" \
    --container "$(required_output IMPORT_CONTAINER)" --log-container "$(required_output IMPORT_LOG_CONTAINER)" ||
    fail "the bulk seed failed (output above). The deployer needs Storage Blob Data Contributor on the import container and the ADT instance's identity Reader/Contributor on the import/log containers (main.bicep grants them; they take a few minutes to apply). Rerun with --seed-portfolio $seed_portfolio."
else
  log "skipped (no --seed-portfolio)"
fi

step "reconcile derived values (npm run reconcile)"
# Derived values that no child change triggers (counts, empty values, twins that existed before this
# deployment or a rule added since) are computed once from the current graph. Idempotent: unchanged
# parents are not written. Uses the same sign-in (DefaultAzureCredential picks up az's login).
if ((reconcile)); then
  npm run --silent reconcile -- --adt-url "$adt_url" --quiet || fail "reconcile failed; rerun 'npm run reconcile -- --adt-url $adt_url' once the error above is fixed (or pass --skip-reconcile)."
else
  log "skipped (--skip-reconcile)"
fi

log "done: $topic -> https://$function_host (webhook of $function_name), ADT route $route ($route_filter)"
