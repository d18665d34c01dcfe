#!/usr/bin/env bash
# `journy import` under faults (issue 12, "Tests and figures"): the same users imported twice in one
# run, side by side, into two journy-sandbox instances at journy.io's limit (1,800 per 60 s): one
# without faults, one faulting 30 % of the API requests (connections reset, 500s, answers garbled
# after the work, 429s with Retry-After: 1). Every row must be done in both, each user stored once;
# the figure is the faulty import's time divided by the fault-free one's (goal <= 3). Not a test:
# the figure depends on the machine, its load and the fault mix.
#
#   benchmarks/import-faults.sh [BINARIES_DIR]
#
# BINARIES_DIR holds journy and journy-sandbox (default build/app; build them in Release first, see
# benchmarks/README.md). The script builds nothing. Settings are environment variables:
# BENCH_ROWS (500), FAULT_DROP (0.10), FAULT_FAIL (0.10), FAULT_GARBLE (0.08), FAULT_429 (0.02: each
# 429 rightly holds the whole import for its Retry-After second), FAULT_SEED (1).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
bindir="${1:-$root/build/app}"
rows="${BENCH_ROWS:-500}"
drop="${FAULT_DROP:-0.10}"
fail="${FAULT_FAIL:-0.10}"
garble="${FAULT_GARBLE:-0.08}"
limited="${FAULT_429:-0.02}"
seed="${FAULT_SEED:-1}"
target_ratio=3

die() {
    echo "import-faults: $*" >&2
    exit 1
}

journy="$bindir/journy"
sandbox="$bindir/journy-sandbox"
[[ -x "$journy" ]] || die "no journy executable in '$bindir' (pass the binaries dir)"
[[ -x "$sandbox" ]] || die "no journy-sandbox executable in '$bindir'"
command -v curl >/dev/null || die "curl is needed to read the sandbox's /_sandbox/stats"
[[ "$rows" =~ ^[0-9]+$ ]] && ((rows > 0)) || die "BENCH_ROWS must be a positive number"

workdir="$(mktemp -d)"
server_pids=()
cleanup() {
    for pid in "${server_pids[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
        fi
    done
    rm -rf "$workdir"
}
trap cleanup EXIT

csv="$workdir/users.csv"
awk -v n="$rows" 'BEGIN {
    print "userId,email,plan"
    for (i = 1; i <= n; i++)
        printf "fault-%06d,fault-%06d@example.com,Pro\n", i, i
}' >"$csv"

# start_sandbox NAME FLAGS...: starts journy-sandbox, sets $url to where it listens.
start_sandbox() {
    local name=$1
    shift
    "$sandbox" --port 0 "$@" >"$workdir/$name.out" 2>"$workdir/$name.err" &
    local pid=$!
    server_pids+=("$pid")
    url=""
    for _ in $(seq 100); do
        if [[ -s "$workdir/$name.out" ]]; then
            url="$(sed -n '1s/^listening on //p' "$workdir/$name.out")"
            [[ -n "$url" ]] && return 0
        fi
        kill -0 "$pid" 2>/dev/null || die "journy-sandbox ($name) exited: $(cat "$workdir/$name.err")"
        sleep 0.1
    done
    die "journy-sandbox ($name) did not say where it listens within 10 s"
}

stat_field() { # stat_field JSON NAME: a number from /_sandbox/stats
    sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p" <<<"$1"
}

# run_import NAME URL: imports the users; prints the wall time in ms. Fails unless every row is done.
run_import() {
    local name=$1 target=$2 started finished status=0
    started=$(date +%s%N)
    env XDG_CONFIG_HOME="$workdir/$name-config" XDG_DATA_HOME="$workdir/$name-data" JOURNY_API_KEY=sandbox \
        "$journy" --base-url "$target" --json import --kind users "$csv" \
        >"$workdir/$name-import.out" 2>"$workdir/$name-import.err" || status=$?
    finished=$(date +%s%N)
    if ((status != 0)) || ! grep -q "\"done\":$rows,\"failed\":0," "$workdir/$name-import.out"; then
        cat "$workdir/$name-import.err" >&2
        die "FAILED ($name): journy import exited $status without every row done: $(cat "$workdir/$name-import.out")"
    fi
    echo $(((finished - started) / 1000000))
}

start_sandbox clean
clean_url=$url
start_sandbox faulty --drop-rate "$drop" --fail-rate "$fail" --garble-rate "$garble" --burst-rate "$limited" \
    --burst-length 1 --fault-seed "$seed"
faulty_url=$url

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
echo "$("$journy" --version 2>/dev/null | tail -n1); $rows users into two sandboxes at 1800 per 60 s"
echo "faults: --drop-rate $drop --fail-rate $fail --garble-rate $garble --burst-rate $limited --burst-length 1" \
    "--fault-seed $seed"
echo "fault-free import..."
clean_ms=$(run_import clean "$clean_url")
echo "import at $(awk -v a="$drop" -v b="$fail" -v c="$garble" -v d="$limited" 'BEGIN { printf "%.0f", (a + b + c + d) * 100 }') % faults..."
faulty_ms=$(run_import faulty "$faulty_url")
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

clean_stats="$(curl -fsS "$clean_url/_sandbox/stats")"
faulty_stats="$(curl -fsS "$faulty_url/_sandbox/stats")"
for which in clean faulty; do
    stats_var="${which}_stats"
    users="$(stat_field "${!stats_var}" users)"
    ((users == rows)) || die "FAILED ($which): the sandbox holds $users users, not $rows"
done
ratio=$(awk -v f="$faulty_ms" -v c="$clean_ms" 'BEGIN { printf "%.2f", f / c }')
met=no
if awk -v r="$ratio" -v t="$target_ratio" 'BEGIN { exit !(r <= t) }'; then met=yes; fi
seconds() { awk -v ms="$1" 'BEGIN { printf "%.1f s", ms / 1000 }'; }

echo
echo "== journy import under faults ($(nproc) cores; load average before $load_before, after $load_after) =="
printf '%-34s %s\n' "fault-free:" "$(seconds "$clean_ms"), $(stat_field "$clean_stats" requests) requests, $rows of $rows done"
printf '%-34s %s\n' "30 % faults:" "$(seconds "$faulty_ms"), $(stat_field "$faulty_stats" requests) requests ($(stat_field "$faulty_stats" rateLimited) answered 429), $rows of $rows done, 0 failed"
printf '%-34s %s\n' "users stored (each once):" "$rows and $rows"
printf '%-34s %s\n' "most requests in one window:" "$(stat_field "$faulty_stats" maxPerWindow) of 1800 (faulty run)"
printf '%-34s %s\n' "ratio faulty / fault-free:" "$ratio (goal <= $target_ratio)"
printf '%-34s %s\n' "goal met:" "$met"
