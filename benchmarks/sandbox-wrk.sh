#!/usr/bin/env bash
# Upsert throughput and memory of journy-sandbox under wrk (issue 3, "Tests and performance"):
# requests per second on loopback with 2 wrk threads and 16 connections, and the server's RSS
# before and after at least 1,000,000 requests. Not a test: numbers depend on the machine.
#
#   benchmarks/sandbox-wrk.sh [PATH/TO/journy-sandbox]
#
# The binary comes from the argument, else $JOURNY_SANDBOX, else build/app/journy-sandbox; build
# it in Release first (see benchmarks/README.md). Installs wrk with apt-get when it is missing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
sandbox="${1:-${JOURNY_SANDBOX:-$root/build/app/journy-sandbox}}"
script="$here/upsert.lua"
threads="${WRK_THREADS:-2}"
connections="${WRK_CONNECTIONS:-16}"
warmup_seconds="${BENCH_SECONDS:-10}"
target_requests="${BENCH_REQUESTS:-1000000}"
prism_rate=1300 # requests/s the Prism mock server reaches with this spec on the reference machine

die() {
    echo "sandbox-wrk: $*" >&2
    exit 1
}

[[ -x "$sandbox" ]] || die "no journy-sandbox executable at '$sandbox' (pass its path, or set JOURNY_SANDBOX)"
[[ -f "$script" ]] || die "missing $script"
command -v curl >/dev/null || die "curl is needed to read GET /_sandbox/stats"

if ! command -v wrk >/dev/null; then
    echo "sandbox-wrk: wrk is not installed; installing the Debian package" >&2
    if [[ $(id -u) -eq 0 ]]; then
        apt-get update -qq && apt-get install -y -qq wrk >/dev/null
    elif command -v sudo >/dev/null; then
        sudo apt-get update -qq && sudo apt-get install -y -qq wrk >/dev/null
    else
        die "wrk is missing and there is neither root nor sudo to install it (apt-get install wrk)"
    fi
fi

workdir="$(mktemp -d)"
server_pid=""
cleanup() {
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$workdir"
}
trap cleanup EXIT

# Port 0: the server picks a free port and says which on its first line.
"$sandbox" --port 0 --rate-limit 1000000000 >"$workdir/stdout" 2>"$workdir/stderr" &
server_pid=$!
url=""
for _ in $(seq 100); do
    if [[ -s "$workdir/stdout" ]]; then
        url="$(sed -n '1s/^listening on //p' "$workdir/stdout")"
        [[ -n "$url" ]] && break
    fi
    kill -0 "$server_pid" 2>/dev/null || die "journy-sandbox exited: $(cat "$workdir/stderr")"
    sleep 0.1
done
[[ -n "$url" ]] || die "journy-sandbox did not say where it listens within 10 s"

rss_kib() {
    awk '/^VmRSS:/ { print $2 }' "/proc/$server_pid/status"
}
mib() {
    awk -v kib="$1" 'BEGIN { printf "%.1f", kib / 1024 }'
}
# Requests the server has answered on the journy.io paths, from its own counter.
served() {
    curl -fsS "$url/_sandbox/stats" | sed -n 's/.*"requests":\([0-9]*\).*/\1/p'
}
# One wrk run of the given duration; its output is kept in $workdir/wrk.N and checked: every
# answer must be 2xx and no request may fail at the socket level.
runs=0
run_wrk() {
    runs=$((runs + 1))
    local out="$workdir/wrk.$runs"
    wrk -t"$threads" -c"$connections" -d"$1" --latency -s "$script" "$url" >"$out" 2>&1 ||
        die "wrk failed: $(cat "$out")"
    if grep -q 'Non-2xx or 3xx responses' "$out"; then
        cat "$out" >&2
        die "FAILED: the sandbox answered something other than 2xx (see above)"
    fi
    if grep -q 'Socket errors' "$out"; then
        cat "$out" >&2
        die "FAILED: requests failed at the socket level (see above)"
    fi
    kill -0 "$server_pid" 2>/dev/null || die "FAILED: journy-sandbox died during the run"
}
field() { # field FILE PATTERN: the number after PATTERN in wrk's output
    sed -n "s/^ *$2 *\([0-9.]*\).*/\1/p" "$1" | head -n1
}

rss_before="$(rss_kib)"
echo "$("$sandbox" --version 2>/dev/null | tail -n1) at $url (pid $server_pid), RSS $(mib "$rss_before") MiB"
echo "wrk -t$threads -c$connections, POST /users/upsert (benchmarks/upsert.lua)"

run_wrk "${warmup_seconds}s"
rate="$(field "$workdir/wrk.1" 'Requests\/sec:')"
latency="$(sed -n 's/^ *Latency *\([^ ]*\) .*/\1/p' "$workdir/wrk.1" | head -n1)"
rss_first="$(rss_kib)"
echo "first run: ${warmup_seconds} s, $(served) requests, $rate requests/s," \
    "mean latency $latency, RSS $(mib "$rss_first") MiB"

# Then enough to reach the target on the server's own count: one run sized from the measured rate
# (10% spare), and more if the rate dropped.
long_started=$(date +%s.%N)
long_before="$(served)"
while :; do
    done_so_far="$(served)"
    ((done_so_far >= target_requests)) && break
    seconds=$(awk -v left=$((target_requests - done_so_far)) -v rate="$rate" \
        'BEGIN { s = int(left / rate * 1.1) + 1; if (s < 2) s = 2; print s }')
    echo "running ${seconds} s more for $((target_requests - done_so_far)) more requests..."
    run_wrk "${seconds}s"
done
long_seconds=$(awk -v a="$long_started" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
total="$(served)"
if ((runs > 1)); then
    # From the server's count over wall time, so it includes wrk's start and stop between runs.
    long_rate=$(awk -v n=$((total - long_before)) -v s="$long_seconds" 'BEGIN { printf "%.0f", n / s }')
else
    long_rate="(none needed)"
fi
rss_after="$(rss_kib)"
stats="$(curl -fsS "$url/_sandbox/stats")"

echo
echo "== journy-sandbox upsert benchmark ($(nproc) cores, wrk -t$threads -c$connections) =="
printf '%-34s %s\n' "requests/s (first ${warmup_seconds} s run):" "$rate"
printf '%-34s %s\n' "requests/s (the runs after it):" "$long_rate"
printf '%-34s %s\n' "total requests answered:" "$total (all 2xx, no socket errors)"
printf '%-34s %s\n' "RSS before:" "$(mib "$rss_before") MiB"
printf '%-34s %s\n' "RSS after the first run:" "$(mib "$rss_first") MiB"
printf '%-34s %s\n' "RSS after $total requests:" "$(mib "$rss_after") MiB"
printf '%-34s %s\n' "versus Prism ($prism_rate requests/s):" \
    "$(awk -v r="$rate" -v p="$prism_rate" 'BEGIN { printf "%.1fx", r / p }')"
printf '%-34s %s\n' "server state:" "$stats"
