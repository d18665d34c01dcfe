#!/usr/bin/env bash
# journy-console start-up: milliseconds from process start to the first painted main window, and
# resident memory after two idle seconds, on a fresh configuration (the built-in sandbox), under
# Xvfb. Median of RUNS runs. Targets (issue 5): <= 200 ms and <= 60 MB on the 2-core build machine.
#   benchmarks/console-startup.sh [path/to/journy-console]
set -euo pipefail
cd "$(dirname "$0")/.."
CONSOLE=${1:-${JOURNY_CONSOLE:-build/app/journy-console}}
RUNS=${RUNS:-7}
command -v xvfb-run >/dev/null || { echo "needs xvfb-run (apt-get install xvfb xauth)" >&2; exit 1; }

home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
paints=()
rss=()
for run in $(seq 1 "$RUNS"); do
    rm -rf "$home"/*
    out=$(XDG_CONFIG_HOME=$home/config XDG_DATA_HOME=$home/data \
        xvfb-run -a -s "-screen 0 1280x860x24" "$CONSOLE" --measure-startup 2>/dev/null)
    paints+=("$(awk '/^first-paint-ms/ {print $2}' <<<"$out")")
    rss+=("$(awk '/^idle-rss-kb/ {print $2}' <<<"$out")")
    echo "run $run: first paint ${paints[-1]} ms, idle RSS $(( ${rss[-1]} / 1024 )) MiB"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
paint=$(median "${paints[@]}")
memory=$(( $(median "${rss[@]}") / 1024 ))
echo "median first paint: ${paint} ms (target <= 200; a bare Qt 6.4 window: 20-30 ms)"
echo "median idle RSS: ${memory} MiB (target <= 60; a bare Qt 6.4 window: 28 MB)"
