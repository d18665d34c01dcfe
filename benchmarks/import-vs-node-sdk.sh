#!/usr/bin/env bash
# Throughput of `journy import` against the official Node SDK: the same M users upserted into
# journy-sandbox with no rate limit on loopback, (a) by `journy import --kind users --concurrency 6`
# and (b) by @journyio/sdk 3.1.0's upsertUser with 6 requests in flight
# (benchmarks/node-sdk-upsert.js). Target (issue 11): journy at least 1,500 rows/s for the whole
# command, 50 times journy.io's ceiling of 30 requests/s; past that, loopback speed buys a user
# nothing. The SDK's figure is printed beside it as it is, with the ratio, for scale.
# Not a test: the figures depend on the machine and its load.
#
#   benchmarks/import-vs-node-sdk.sh [BINARIES_DIR]
#
# BINARIES_DIR holds journy and journy-sandbox (default build/app; build them in Release first, see
# benchmarks/README.md). The script builds nothing; it runs `npm install` in benchmarks/ when the
# SDK is missing (package.json pins 3.1.0). Settings are environment variables: BENCH_ROWS (5000),
# BENCH_RUNS (3; each run times both clients, in alternating order), BENCH_IN_FLIGHT (6).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
bindir="${1:-$root/build/app}"
rows="${BENCH_ROWS:-5000}"
runs="${BENCH_RUNS:-3}"
in_flight="${BENCH_IN_FLIGHT:-6}"
target_rows_per_second=1500
edge_rows=8 # rows at each end whose server-side times are read (a few, as concurrency reorders them)

die() {
    echo "import-vs-node-sdk: $*" >&2
    exit 1
}

journy="$bindir/journy"
sandbox="$bindir/journy-sandbox"
[[ -x "$journy" ]] || die "no journy executable in '$bindir' (pass the binaries dir)"
[[ -x "$sandbox" ]] || die "no journy-sandbox executable in '$bindir'"
command -v curl >/dev/null || die "curl is needed to read the sandbox's /_sandbox/* answers"
command -v node >/dev/null || die "node is needed for the SDK's side (Debian: apt-get install nodejs npm)"
if ! [[ "$rows" =~ ^[0-9]+$ ]] || ((rows <= 2 * edge_rows)); then
    die "BENCH_ROWS must be a number above $((2 * edge_rows))"
fi
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive number"

sdk_package="$here/node_modules/@journyio/sdk/package.json"
if [[ ! -f "$sdk_package" ]]; then
    command -v npm >/dev/null || die "npm is needed to install @journyio/sdk into benchmarks/node_modules"
    echo "import-vs-node-sdk: installing @journyio/sdk into benchmarks/node_modules" >&2
    (cd "$here" && npm install --no-audit --no-fund --loglevel=error >/dev/null) || die "npm install failed"
fi
sdk_version="$(node -p "require('$sdk_package').version")"
[[ "$sdk_version" == 3.1.0 ]] || die "benchmarks/node_modules holds @journyio/sdk $sdk_version, not 3.1.0"

workdir="$(mktemp -d)"
server_pid=""
url=""
stop_sandbox() {
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    server_pid=""
}
cleanup() {
    stop_sandbox
    rm -rf "$workdir"
}
trap cleanup EXIT

# A fresh sandbox for every timed import, so both clients create the same users in an empty store.
start_sandbox() {
    "$sandbox" --port 0 --rate-limit 1000000000 >"$workdir/sandbox.out" 2>"$workdir/sandbox.err" &
    server_pid=$!
    url=""
    for _ in $(seq 100); do
        if [[ -s "$workdir/sandbox.out" ]]; then
            url="$(sed -n '1s/^listening on //p' "$workdir/sandbox.out")"
            [[ -n "$url" ]] && return
        fi
        kill -0 "$server_pid" 2>/dev/null || die "journy-sandbox exited: $(cat "$workdir/sandbox.err")"
        sleep 0.1
    done
    die "journy-sandbox did not say where it listens within 10 s"
}

# The same users for both clients. The SDK 3.1.0 sends every property value as a string, so the
# journy side maps every property column as a string too: both send the same bodies.
csv="$workdir/users.csv"
awk -v n="$rows" 'BEGIN {
    print "userId,email,plan,seats,mrr,country,role"
    split("Free Starter Pro Enterprise", plans, " ")
    split("BE NL FR DE US", countries, " ")
    split("admin member viewer", roles, " ")
    for (i = 1; i <= n; i++)
        printf "bench-%06d,bench-%06d@example.com,%s,%d,%.2f,%s,%s\n", i, i, plans[i % 4 + 1], i % 50 + 1,
            (i % 97) * 10.5, countries[i % 5 + 1], roles[i % 3 + 1]
}' >"$csv"
string_props=()
for column in plan seats mrr country role; do
    string_props+=(--map "$column=prop.$column:string")
done

stat_field() { # stat_field JSON NAME: a number from /_sandbox/stats
    sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p" <<<"$1"
}
created_ms() { # when the server stored a user, in ms since the epoch
    local answer stamp
    answer="$(curl -fsS "$url/_sandbox/users?userId=$1")" || die "the sandbox does not hold user $1"
    stamp="$(sed -n 's/.*"createdAt":"\([^"]*\)".*/\1/p' <<<"$answer")"
    [[ -n "$stamp" ]] || die "no createdAt for user $1: $answer"
    date -u -d "$stamp" +%s%3N
}
# The server's span from the first to the last request it accepted, in ms.
server_span_ms() {
    local first="" last="" t i
    for i in $(seq 1 "$edge_rows"); do
        t="$(created_ms "$(printf 'bench-%06d' "$i")")"
        if [[ -z "$first" ]] || ((t < first)); then first=$t; fi
        t="$(created_ms "$(printf 'bench-%06d' $((rows + 1 - i)))")"
        if [[ -z "$last" ]] || ((t > last)); then last=$t; fi
    done
    echo $((last - first))
}
check_server() { # check_server CLIENT: every row stored, nothing refused
    local stats requests users limited
    kill -0 "$server_pid" 2>/dev/null || die "FAILED: journy-sandbox died during the $1 run"
    stats="$(curl -fsS "$url/_sandbox/stats")"
    requests="$(stat_field "$stats" requests)"
    users="$(stat_field "$stats" users)"
    limited="$(stat_field "$stats" rateLimited)"
    ((users == rows && limited == 0)) || die "FAILED: after the $1 run the sandbox says $stats"
    ((requests == rows)) || echo "import-vs-node-sdk: note: $1 made $requests requests for $rows rows" >&2
}

run_journy() {
    local home="$workdir/journy-home.$1" status=0
    mkdir -p "$home"
    env XDG_CONFIG_HOME="$home/config" XDG_DATA_HOME="$home/data" JOURNY_API_KEY=sandbox \
        "$journy" --base-url "$url" --json import --kind users "$csv" "${string_props[@]}" \
        --rate 1000000000 --concurrency "$in_flight" >"$workdir/journy.out" 2>"$workdir/journy.err" || status=$?
    if ((status != 0)) || ! grep -q "\"done\":$rows," "$workdir/journy.out"; then
        cat "$workdir/journy.err" >&2
        die "FAILED: journy import exited $status: $(cat "$workdir/journy.out")"
    fi
}
run_node() {
    local status=0
    JOURNY_API_KEY=sandbox node "$here/node-sdk-upsert.js" "$csv" "$url" "$in_flight" \
        >"$workdir/node.out" 2>"$workdir/node.err" || status=$?
    if ((status != 0)) || ! grep -q "\"ok\":$rows," "$workdir/node.out"; then
        cat "$workdir/node.err" >&2
        die "FAILED: the Node SDK run exited $status: $(cat "$workdir/node.out")"
    fi
}

# One timed import: a fresh sandbox, the client's whole process timed from outside, the server's
# first-to-last span read afterwards. Appends "wall_ms span_ms load" to $workdir/CLIENT.times.
measure() {
    local client="$1" run="$2" load started finished span
    start_sandbox
    load="$(cut -d' ' -f1 /proc/loadavg)"
    started=$(date +%s%N)
    "run_$client" "$run"
    finished=$(date +%s%N)
    check_server "$client"
    span="$(server_span_ms)"
    stop_sandbox
    echo "$(((finished - started) / 1000000)) $span $load" >>"$workdir/$client.times"
    printf '  run %d %-6s %6d ms whole process, %6d ms first to last request (load %s)\n' \
        "$run" "$client" "$(((finished - started) / 1000000))" "$span" "$load"
}

echo "$("$journy" --version 2>/dev/null | tail -n1) vs @journyio/sdk $sdk_version on node $(node --version):" \
    "$rows users, $in_flight in flight, $runs run(s) each"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
for run in $(seq 1 "$runs"); do
    if ((run % 2 == 1)); then
        measure journy "$run"
        measure node "$run"
    else
        measure node "$run"
        measure journy "$run"
    fi
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

median() { # median FILE COLUMN
    awk -v c="$2" '{ print $c }' "$1" | sort -n | awk '{ v[NR] = $1 } END {
        if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
rate() { awk -v n="$rows" -v ms="$1" 'BEGIN { printf "%.0f", n / (ms / 1000) }'; }
# N requests make N - 1 gaps between the first and the last.
span_rate() { awk -v n="$rows" -v ms="$1" 'BEGIN { printf "%.0f", (n - 1) / (ms / 1000) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

journy_wall="$(median "$workdir/journy.times" 1)"
node_wall="$(median "$workdir/node.times" 1)"
journy_span="$(median "$workdir/journy.times" 2)"
node_span="$(median "$workdir/node.times" 2)"
journy_rate="$(rate "$journy_wall")"
node_rate="$(rate "$node_wall")"
whole_ratio="$(ratio "$journy_rate" "$node_rate")"
met=no
if ((journy_rate >= target_rows_per_second)); then met=yes; fi

echo
echo "== journy import vs @journyio/sdk $sdk_version ($(nproc) cores; load average before $load_before," \
    "after $load_after) =="
echo "medians of $runs run(s), $rows users, $in_flight requests in flight, sandbox without a limit"
printf '%-44s %10s %10s %7s\n' "" "journy" "node SDK" "ratio"
printf '%-44s %10s %10s %7s\n' "whole process (ms)" "$journy_wall" "$node_wall" ""
printf '%-44s %10s %10s %7s\n' "rows/s, whole process" "$journy_rate" "$node_rate" "$whole_ratio"
printf '%-44s %10s %10s %7s\n' "first to last request on the server (ms)" "$journy_span" "$node_span" ""
printf '%-44s %10s %10s %7s\n' "rows/s while sending, (N - 1) / that span" "$(span_rate "$journy_span")" \
    "$(span_rate "$node_span")" "$(ratio "$(span_rate "$journy_span")" "$(span_rate "$node_span")")"
printf '%-44s %s\n' "target: journy >= $target_rows_per_second rows/s (whole process):" "$met"
