#!/usr/bin/env bash
# Makes the dumps the analyze tests share, once per debuggee build: the
# Waiter sample as Mini, Heap and Full dumps collected by clrdump itself,
# and a Heap dump of it running with the server GC.
# Usage: make-dumps.sh CLRDUMP DEBUGGEES_DIR OUT_DIR
set -euo pipefail
clrdump=${1:?clrdump binary}; debuggees=${2:?debuggees dir}; out=${3:?output dir}
mkdir -p "$out"
stamp="$(cat "$debuggees/Waiter/.stamp")"
if [ -f "$out/.stamp" ] && [ "$(cat "$out/.stamp")" = "$stamp" ]; then
  echo "dumps: up to date"; exit 0
fi
rm -f "$out"/*
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT

# Starts the Waiter with extra environment and sets $started to its pid.
# Its stdin is a fifo this script holds open, so it waits until killed.
start_waiter() {  # name, env assignments...
  local name=$1; shift
  local fifo="$out/$name.stdin"
  rm -f "$fifo"; mkfifo "$fifo"
  env "$@" "$debuggees/Waiter/Waiter" < "$fifo" > "$out/$name.out" 2>/dev/null &
  started=$!
  pids+=("$started")
  exec {holder}>"$fifo"
  rm -f "$fifo"
  for _ in $(seq 100); do grep -q READY "$out/$name.out" 2>/dev/null && break; sleep 0.1; done
  grep -q READY "$out/$name.out" || { echo "dumps: $name did not start" >&2; exit 1; }
}

start_waiter waiter DOTNET_gcServer=0
for type in Mini Heap Full; do
  "$clrdump" collect -p "$started" -o "$out/waiter.$type" --type "$type" >/dev/null
done
start_waiter waiter-server DOTNET_gcServer=1
"$clrdump" collect -p "$started" -o "$out/waiter.ServerGC.Heap" --type Heap >/dev/null
echo "$stamp" > "$out/.stamp"
echo "dumps: made $(ls "$out" | grep -c '^waiter\.')"
