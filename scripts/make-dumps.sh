#!/usr/bin/env bash
# Makes the dumps the analyze tests share, once per debuggee build: the
# Waiter sample as Mini, Heap and Full dumps collected by clrdump itself, a
# Heap dump of it running with the server GC, the Threads sample (Heap and
# Full), the HeapShapes sample of known heap shapes (Heap and Full), and
# crash dumps the runtime itself writes (DbgEnableMiniDump) for
# an unhandled nested exception (Heap, Full and Mini), a hardware
# divide-by-zero and an async Main (Heap and Full).
# Usage: make-dumps.sh CLRDUMP DEBUGGEES_DIR OUT_DIR
set -euo pipefail
clrdump=${1:?clrdump binary}; debuggees=${2:?debuggees dir}; out=${3:?output dir}
mkdir -p "$out"
stamp="$(cat "$debuggees"/*/.stamp | sha256sum | cut -d' ' -f1)"
if [ -f "$out/.stamp" ] && [ "$(cat "$out/.stamp")" = "$stamp" ]; then
  echo "dumps: up to date"; exit 0
fi
rm -f "$out"/*
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT

# Starts a debuggee (with extra environment assignments) and sets $started
# to its pid. Its stdin is a fifo this script holds open, so it waits until
# killed.
start_program() {  # name, debuggee, env assignments..., [--, args...]
  local name=$1 program=$2; shift 2
  local env_vars=() args=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do env_vars+=("$1"); shift; done
  [ "${1:-}" = "--" ] && { shift; args=("$@"); }
  local fifo="$out/$name.stdin"
  rm -f "$fifo"; mkfifo "$fifo"
  env "${env_vars[@]}" "$debuggees/$program/$program" "${args[@]}" < "$fifo" > "$out/$name.out" 2>/dev/null &
  started=$!
  pids+=("$started")
  exec {holder}>"$fifo"
  rm -f "$fifo"
  for _ in $(seq 100); do grep -q READY "$out/$name.out" 2>/dev/null && break; sleep 0.1; done
  grep -q READY "$out/$name.out" || { echo "dumps: $name did not start" >&2; exit 1; }
}

start_program waiter Waiter DOTNET_gcServer=0
for type in Mini Heap Full; do
  "$clrdump" collect -p "$started" -o "$out/waiter.$type" --type "$type" >/dev/null
done
start_program waiter-server Waiter DOTNET_gcServer=1
"$clrdump" collect -p "$started" -o "$out/waiter.ServerGC.Heap" --type Heap >/dev/null
start_program threads Threads
for type in Heap Full; do
  "$clrdump" collect -p "$started" -o "$out/threads.$type" --type "$type" >/dev/null
done
start_program heapshapes HeapShapes
for type in Heap Full; do
  "$clrdump" collect -p "$started" -o "$out/heapshapes.$type" --type "$type" >/dev/null
done

# The runtime writes these itself as the process dies (1 = Mini, 2 = Heap).
crash() {  # dump name, type number, debuggee, args...
  local name=$1 type=$2 program=$3; shift 3
  # The braces catch the shell's own "Aborted" notice for the dying child.
  { DOTNET_DbgEnableMiniDump=1 DOTNET_DbgMiniDumpType="$type" DOTNET_DbgMiniDumpName="$out/$name" \
    "$debuggees/$program/$program" "$@" > "$out/$name.log" 2>&1 < /dev/null; } 2>/dev/null || true
  [ -s "$out/$name" ] || { echo "dumps: no crash dump $name" >&2; cat "$out/$name.log" >&2; exit 1; }
}
crash crash.nested.Heap 2 Crash nested
crash crash.nested.Full 4 Crash nested
crash crash.nested.Mini 1 Crash nested
crash crash.divzero.Heap 2 Crash divzero
crash crash.divzero.Full 4 Crash divzero
crash asyncmain.Heap 2 AsyncMain
crash asyncmain.Full 4 AsyncMain
echo "$stamp" > "$out/.stamp"
echo "dumps: made $(ls "$out" | grep -cvE '\.(out|log)$')"
