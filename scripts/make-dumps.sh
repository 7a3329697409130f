#!/usr/bin/env bash
# Makes the dumps the analyze tests share, once per debuggee build: the
# Waiter sample as Mini, Heap and Full dumps collected by clrdump itself.
# Usage: make-dumps.sh CLRDUMP DEBUGGEES_DIR OUT_DIR
set -euo pipefail
clrdump=${1:?clrdump binary}; debuggees=${2:?debuggees dir}; out=${3:?output dir}
mkdir -p "$out"
stamp="$(cat "$debuggees/Waiter/.stamp")"
if [ -f "$out/.stamp" ] && [ "$(cat "$out/.stamp")" = "$stamp" ]; then
  echo "dumps: up to date"; exit 0
fi
rm -f "$out"/*
fifo=$(mktemp -u); mkfifo "$fifo"
"$debuggees/Waiter/Waiter" < "$fifo" > "$out/waiter.out" 2>/dev/null &
app=$!
exec 3>"$fifo"; rm -f "$fifo"
trap 'exec 3>&-; kill $app 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q READY "$out/waiter.out" && break; sleep 0.1; done
grep -q READY "$out/waiter.out" || { echo "dumps: the Waiter debuggee did not start" >&2; exit 1; }
for type in Mini Heap Full; do
  "$clrdump" collect -p "$app" -o "$out/waiter.$type" --type "$type" >/dev/null
done
echo "$stamp" > "$out/.stamp"
echo "dumps: made $(ls "$out" | grep -c '^waiter\.')"
