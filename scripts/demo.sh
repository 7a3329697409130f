#!/usr/bin/env bash
# The main job on a fresh machine: install what is missing, build Release,
# start the bundled sample .NET app, show it in `clrdump ps`, collect a
# dump of it, print the dump's file and size, and analyze it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
"$root/scripts/setup.sh"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
ninja -C build clrdump >/dev/null
"$root/scripts/build-debuggees.sh" build/debuggees >/dev/null

clrdump="$root/build/src/cli/clrdump"
fifo=$(mktemp -u); mkfifo "$fifo"
# The sample app reads stdin; the fifo keeps it open until we are done.
build/debuggees/Waiter/Waiter < "$fifo" > build/demo-app.out 2>/dev/null &
app=$!
exec 3>"$fifo"; rm -f "$fifo"
trap 'exec 3>&-; kill $app 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q READY build/demo-app.out 2>/dev/null && break; sleep 0.1; done

echo "== clrdump ps"
"$clrdump" ps
dump="$root/build/demo-core"
rm -f "$dump"
echo "== clrdump collect -p $app -o $dump --type Heap"
"$clrdump" collect -p "$app" -o "$dump" --type Heap
echo "== dump file"
ls -l "$dump"
echo "$dump: $(stat -c %s "$dump") bytes"
echo "== clrdump analyze $dump"
"$clrdump" analyze "$dump" -c threads -c modules -c eeversion -c clrthreads -c clrstack -c pe -c exit
