#!/usr/bin/env bash
# Pacing of `journy import` at the rate limit (issue 6, "Performance"): against journy-sandbox with
# a scaled-down limit (300 requests per 10 s) and 100 ms added latency, the rate achieved over the
# import divided by the rate allowed must be at least 0.97, with no 429 at all. Not a test: the
# figure depends on the machine and its load.
#
#   benchmarks/import-pacing.sh [BINARIES_DIR]
#
# BINARIES_DIR holds journy and journy-sandbox (default build/app; build them in Release first, see
# benchmarks/README.md). The script builds nothing. Settings are environment variables:
# BENCH_ROWS (1500), PACING_LIMIT (300), PACING_WINDOW (10 s), PACING_LATENCY (100 ms),
# PACING_CONCURRENCY (8).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
bindir="${1:-$root/build/app}"
rows="${BENCH_ROWS:-1500}"
limit="${PACING_LIMIT:-300}"
window="${PACING_WINDOW:-10}"
latency="${PACING_LATENCY:-100}"
concurrency="${PACING_CONCURRENCY:-8}"
target_ratio=0.97
edge_rows=8 # rows at each end whose server-side times are read (a few, as concurrency reorders them)

die() {
    echo "import-pacing: $*" >&2
    exit 1
}

journy="$bindir/journy"
sandbox="$bindir/journy-sandbox"
[[ -x "$journy" ]] || die "no journy executable in '$bindir' (pass the binaries dir)"
[[ -x "$sandbox" ]] || die "no journy-sandbox executable in '$bindir'"
command -v curl >/dev/null || die "curl is needed to read the sandbox's /_sandbox/* answers"
if ! [[ "$rows" =~ ^[0-9]+$ ]] || ((rows <= 2 * edge_rows)); then
    die "BENCH_ROWS must be a number above $((2 * edge_rows))"
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

# N users with four columns; the two property columns are typed string and number by inference.
csv="$workdir/users.csv"
awk -v n="$rows" 'BEGIN {
    print "userId,email,plan,seats"
    split("Free Starter Pro Enterprise", plans, " ")
    for (i = 1; i <= n; i++)
        printf "pace-%06d,pace-%06d@example.com,%s,%d\n", i, i, plans[i % 4 + 1], i % 50 + 1
}' >"$csv"

"$sandbox" --port 0 --rate-limit "$limit" --rate-window "$window" --latency "$latency" \
    >"$workdir/sandbox.out" 2>"$workdir/sandbox.err" &
server_pid=$!
url=""
for _ in $(seq 100); do
    if [[ -s "$workdir/sandbox.out" ]]; then
        url="$(sed -n '1s/^listening on //p' "$workdir/sandbox.out")"
        [[ -n "$url" ]] && break
    fi
    kill -0 "$server_pid" 2>/dev/null || die "journy-sandbox exited: $(cat "$workdir/sandbox.err")"
    sleep 0.1
done
[[ -n "$url" ]] || die "journy-sandbox did not say where it listens within 10 s"

stat_field() { # stat_field JSON NAME: a number from /_sandbox/stats
    sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p" <<<"$1"
}
# When the server stored a user (its createdAt, ISO 8601 with milliseconds), in ms since the epoch.
created_ms() {
    local answer stamp
    answer="$(curl -fsS "$url/_sandbox/users?userId=$1")" || die "the sandbox does not hold user $1"
    stamp="$(sed -n 's/.*"createdAt":"\([^"]*\)".*/\1/p' <<<"$answer")"
    [[ -n "$stamp" ]] || die "no createdAt for user $1: $answer"
    date -u -d "$stamp" +%s%3N
}

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
echo "$("$journy" --version 2>/dev/null | tail -n1), sandbox at $url:" \
    "--rate-limit $limit --rate-window $window --latency $latency"
echo "journy import --kind users ($rows rows) --rate $limit --rate-window $window --concurrency $concurrency" \
    "(about $((rows * window / limit)) s)..."

started=$(date +%s%N)
status=0
# bash's `time` reports the command's user and system CPU seconds: what a paced import costs the
# laptop it runs on.
(
    TIMEFORMAT='%3U %3S'
    time env XDG_CONFIG_HOME="$workdir/config" XDG_DATA_HOME="$workdir/data" JOURNY_API_KEY=sandbox \
        "$journy" --base-url "$url" --json import --kind users "$csv" --rate "$limit" --rate-window "$window" \
        --concurrency "$concurrency" >"$workdir/import.out" 2>"$workdir/import.err"
) 2>"$workdir/cpu" || status=$?
finished=$(date +%s%N)
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
result="$(cat "$workdir/import.out")"
if ((status != 0)) || ! grep -q "\"done\":$rows," <<<"$result"; then
    cat "$workdir/import.err" >&2
    die "FAILED: journy import exited $status without every row done: $result"
fi
kill -0 "$server_pid" 2>/dev/null || die "FAILED: journy-sandbox died during the run"

stats="$(curl -fsS "$url/_sandbox/stats")"
requests="$(stat_field "$stats" requests)"
rate_limited="$(stat_field "$stats" rateLimited)"
max_per_window="$(stat_field "$stats" maxPerWindow)"

# The span between the first and the last request the server accepted, on the server's clock. Rows
# go out in file order, but with several in flight the first or last few may swap places, so the
# earliest of the first rows and the latest of the last rows are taken.
first=""
last=""
for i in $(seq 1 "$edge_rows"); do
    t="$(created_ms "$(printf 'pace-%06d' "$i")")"
    if [[ -z "$first" ]] || ((t < first)); then first=$t; fi
    t="$(created_ms "$(printf 'pace-%06d' $((rows + 1 - i)))")"
    if [[ -z "$last" ]] || ((t > last)); then last=$t; fi
done

wall_ms=$(((finished - started) / 1000000))
span_ms=$((last - first))
# N requests evenly spaced make N - 1 gaps: the rate over the span is (N - 1) / span.
achieved=$(awk -v n="$requests" -v ms="$span_ms" 'BEGIN { printf "%.3f", (n - 1) / (ms / 1000) }')
allowed=$(awk -v l="$limit" -v w="$window" 'BEGIN { printf "%.3f", l / w }')
ratio=$(awk -v a="$achieved" -v b="$allowed" 'BEGIN { printf "%.3f", a / b }')
wall_rate=$(awk -v n="$rows" -v ms="$wall_ms" 'BEGIN { printf "%.3f", n / (ms / 1000) }')
read -r cpu_user cpu_system <"$workdir/cpu"
cpu_per_row=$(awk -v u="$cpu_user" -v s="$cpu_system" -v n="$rows" 'BEGIN { printf "%.3f", (u + s) * 1000 / n }')
met=no
if awk -v r="$ratio" -v t="$target_ratio" 'BEGIN { exit !(r >= t) }' && ((rate_limited == 0)) &&
    ((max_per_window <= limit)); then
    met=yes
fi

echo
echo "== journy import pacing ($(nproc) cores; load average before $load_before, after $load_after) =="
printf '%-40s %s\n' "rows sent:" "$rows (server count: $requests requests, all done)"
printf '%-40s %s\n' "first to last accepted (server clock):" "$(awk -v ms="$span_ms" 'BEGIN { printf "%.3f s", ms / 1000 }')"
printf '%-40s %s\n' "achieved rate, (N - 1) / that span:" "$achieved/s"
printf '%-40s %s\n' "allowed rate:" "$allowed/s ($limit per $window s)"
printf '%-40s %s\n' "ratio achieved / allowed:" "$ratio (target >= $target_ratio)"
printf '%-40s %s\n' "429 answers (rateLimited):" "$rate_limited"
printf '%-40s %s\n' "most requests in one window:" "$max_per_window of $limit"
printf '%-40s %s\n' "whole command (read, journal, send):" \
    "$(awk -v ms="$wall_ms" 'BEGIN { printf "%.3f s", ms / 1000 }'), $wall_rate rows/s"
printf '%-40s %s\n' "CPU time of journy (user + system):" \
    "$cpu_user s + $cpu_system s, $cpu_per_row ms per row"
printf '%-40s %s\n' "target met:" "$met"
