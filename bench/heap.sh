#!/usr/bin/env bash
# Times GC heap commands of clrdump against Microsoft's dotnet-dump on one
# big Heap dump (HeapBench: over 12 million live objects, over 1 GB) in one
# run, and prints wall time and peak RSS of each with the ratios (dotnet-dump
# / clrdump: above 1 means clrdump is better), next to the time of reading
# the whole dump file sequentially, the floor for any full heap walk.
# The dump is collected once into the scratch dir and reused while the
# debuggee is unchanged. A command clrdump does not have yet is reported as
# not implemented instead of failing the run.
# Usage: bench/heap.sh [build-dir] [scratch-dir]   (after scripts/setup.sh)
source "$(dirname "$0")/common.sh"
scratch=${2:-${TMPDIR:-/tmp}/clrdump-bench-heap}
dump="$scratch/heapbench.Heap"
work=$(mktemp -d)
app=""
trap '[ -z "$app" ] || kill "$app" 2>/dev/null; rm -rf "$work"' EXIT

# Starts HeapBench, collects its Heap dump with clrdump, and kills it.
collect_dump() {
  mkdir -p "$scratch"
  rm -f "$dump" "$scratch/.stamp"
  local fifo="$work/stdin"
  mkfifo "$fifo"
  "$build/debuggees/HeapBench/HeapBench" < "$fifo" > "$work/app.out" 2>/dev/null &
  app=$!
  exec {holder}>"$fifo"
  # Building the graph takes seconds, more on a busy machine.
  for _ in $(seq 1200); do grep -q READY "$work/app.out" && break; sleep 0.1; done
  grep -q READY "$work/app.out" || { echo "bench: HeapBench did not start" >&2; exit 1; }
  "$clrdump" collect -p "$app" -o "$dump" --type Heap >/dev/null
  exec {holder}>&-
  kill "$app"; wait "$app" 2>/dev/null || true
  app=""
  cp "$build/debuggees/HeapBench/.stamp" "$scratch/.stamp"
}

if [ ! -s "$dump" ] || ! cmp -s "$build/debuggees/HeapBench/.stamp" "$scratch/.stamp"; then
  echo "collecting $dump ..."
  collect_dump
fi

# Runs one tool on the dump; prints "seconds peak_kb exit_code" and leaves
# stdout in $work/<tag>.out, stderr in $work/<tag>.err.
run() {  # tag, tool, command
  local rc=0
  /usr/bin/time -f "%e %M" -o "$work/$1.time" \
    "$2" analyze "$dump" -c "$3" -c exit > "$work/$1.out" 2> "$work/$1.err" || rc=$?
  echo "$(cat "$work/$1.time" | tail -1) $rc"
}

echo "machine: $(nproc) cores, $(uname -r), $(date -u +%Y-%m-%d)"
size=$(stat -c %s "$dump")
floor=$( { /usr/bin/time -f %e cat "$dump" > /dev/null; } 2>&1 | tail -1)
printf "%-34s %8.2f s  (%d MB, warm page cache)\n" "sequential read of the dump" "$floor" $((size >> 20))

tail_address=$("$oracle" analyze "$dump" -c "dumpheap -type DeepTail -short" -c exit |
  grep -Eo '^ *[0-9a-f]{8,16} *$' | tr -d ' ' | head -1)
[ -n "$tail_address" ] || { echo "bench: no DeepTail in $dump" >&2; exit 1; }

for command in "dumpheap -stat" "dumpheap -type System.String -stat" \
               "gcroot $tail_address" "verifyheap"; do
  read -r theirs_s theirs_kb theirs_rc < <(run theirs "$oracle" "$command")
  read -r ours_s ours_kb ours_rc < <(run ours "$clrdump" "$command")
  if grep -q "Unrecognized SOS command" "$work/ours.out" "$work/ours.err"; then
    printf "%-34s clrdump n/a (not implemented)   dotnet-dump %8.2f s %8d KB\n" \
      "$command" "$theirs_s" "$theirs_kb"
    continue
  fi
  if [ "$ours_rc" != 0 ]; then
    printf "%-34s clrdump failed (exit %s: %s)   dotnet-dump %8.2f s %8d KB\n" "$command" \
      "$ours_rc" "$(tail -1 "$work/ours.err")" "$theirs_s" "$theirs_kb"
    continue
  fi
  same=differs; cmp -s "$work/ours.out" "$work/theirs.out" && same=same
  awk -v what="$command" -v os="$ours_s" -v ok="$ours_kb" -v ts="$theirs_s" -v tk="$theirs_kb" \
      -v floor="$floor" -v same="$same" 'BEGIN {
    printf "%-34s clrdump %8.2f s %8d KB   dotnet-dump %8.2f s %8d KB   time %5.1fx  rss %5.1fx  floor %4.1fx  output %s\n",
      what, os, ok, ts, tk, ts / (os > 0 ? os : 0.01), tk / ok, os / (floor > 0 ? floor : 0.01), same }'
done
