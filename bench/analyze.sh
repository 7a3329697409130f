#!/usr/bin/env bash
# Times `analyze <dump> -c <command> -c exit` of clrdump against Microsoft's
# dotnet-dump on the same dump in one run, and prints the ratios
# (dotnet-dump time / clrdump time) and peak RSS of each.
# Usage: bench/analyze.sh [build-dir]   (after scripts/setup.sh)
source "$(dirname "$0")/common.sh"
"$root/scripts/make-dumps.sh" "$clrdump" "$build/debuggees" "$build/dumps" >/dev/null
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

peak_rss_kb() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }

echo "machine: $(nproc) cores, $(uname -r), $(date -u +%Y-%m-%d)"
# dump name|command
for entry in "waiter.Heap|threads" "waiter.Heap|modules" "waiter.Heap|clrthreads" \
             "threads.Heap|clrstack -all" "crash.nested.Heap|pe -nested -lines"; do
  dump="$build/dumps/${entry%%|*}"; command="${entry#*|}"
  hyperfine -N --warmup 2 --runs 15 --export-csv "$work/r.csv" \
    -n clrdump "$clrdump analyze $dump -c '$command' -c exit" \
    -n dotnet-dump "$oracle analyze $dump -c '$command' -c exit" >/dev/null
  ours_rss=$(peak_rss_kb "$clrdump" analyze "$dump" -c "$command" -c exit)
  theirs_rss=$(peak_rss_kb "$oracle" analyze "$dump" -c "$command" -c exit)
  awk -F, -v what="$command" -v o="$ours_rss" -v t="$theirs_rss" 'NR>1 {mean[$1]=$2}
    END {printf "%-20s clrdump %8.2f ms %7d KB   dotnet-dump %8.2f ms %7d KB   time %5.1fx  rss %5.1fx\n",
         what, mean["clrdump"]*1000, o, mean["dotnet-dump"]*1000, t,
         mean["dotnet-dump"]/mean["clrdump"], t/o}' "$work/r.csv"
done
