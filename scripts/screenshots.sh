#!/usr/bin/env bash
# Screenshots of every page of journy-console for the README: a fresh configuration, the built-in
# sandbox seeded through the journy CLI, the console under Xvfb grabbing its own window per page.
#   scripts/screenshots.sh [OUTPUT_DIR]     (default docs/screenshots; needs a build in $BUILD_DIR)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
OUT=${1:-docs/screenshots}
command -v xvfb-run >/dev/null || { echo "needs xvfb-run (apt-get install xvfb xauth)" >&2; exit 1; }

home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
export XDG_CONFIG_HOME=$home/config XDG_DATA_HOME=$home/data
unset JOURNY_API_KEY

journy=$BUILD_DIR/app/journy
"$journy" user upsert --user-id u-42 --email ann@acme.com --prop plan=Pro --prop mrr:number=399 \
    --prop is_paying:bool=true --prop tags:list=beta,eu >/dev/null
"$journy" user upsert --user-id u-43 --email bob@acme.com --prop plan=Starter --prop mrr:number=49 >/dev/null
"$journy" account upsert --account-id acc-7 --domain acme.com --prop seats:number=12 --prop industry=Retail >/dev/null
"$journy" account add-users --account-id acc-7 --user u-42 --user u-43 >/dev/null
for event in "Signed up" "Invoice paid" "Report exported"; do
    "$journy" track "$event" --user-id u-42 --account-id acc-7 --meta source=web >/dev/null
done

# Saved requests a support engineer would keep (the Saved page's format, as an export shares it).
folder=$XDG_DATA_HOME/journy-console
mkdir -p "$folder" && chmod 700 "$folder"
cat >"$folder/saved-requests.json" <<'JSON'
{"format": "journy-console saved requests", "version": 1, "requests": [
 {"name": "Trial ends (SUP-1234)", "operation": "trackEvent", "profile": null,
  "body": {"identification": {"user": {"userId": "u-42"}, "account": {"accountId": "acc-7"}},
           "name": "Trial ended", "metadata": {"plan": "Pro"}},
  "created": "2026-12-01T09:00:00.000Z", "updated": "2026-12-01T09:00:00.000Z"},
 {"name": "Reset seats to 12", "operation": "upsertAccount", "profile": "Sandbox",
  "body": {"identification": {"accountId": "acc-7"}, "properties": {"seats": 12}},
  "created": "2026-12-02T14:30:00.000Z", "updated": "2026-12-02T14:30:00.000Z"},
 {"name": "Ann's plan", "operation": "upsertUser", "profile": "Sandbox",
  "body": {"identification": {"userId": "u-42"}, "properties": {"plan": "Pro", "mrr": 399}},
  "created": "2026-12-03T11:15:00.000Z", "updated": "2026-12-03T11:15:00.000Z"}]}
JSON
chmod 600 "$folder/saved-requests.json"

mkdir -p "$OUT"
xvfb-run -a -s "-screen 0 1366x768x24" "$BUILD_DIR/app/journy-console" --screenshots "$OUT"
ls "$OUT"
