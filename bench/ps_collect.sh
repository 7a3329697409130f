#!/usr/bin/env bash
# Times `ps` and `collect --type Mini` of clrdump against Microsoft's
# dotnet-dump in the same run, on the same target, and prints the ratios
# (oracle time / clrdump time: above 1 means clrdump is faster).
# Usage: bench/ps_collect.sh [build-dir]   (after scripts/setup.sh)
source "$(dirname "$0")/common.sh"

work=$(mktemp -d)
fifo="$work/stdin"; mkfifo "$fifo"
"$build/debuggees/Waiter/Waiter" < "$fifo" > "$work/app.out" 2>/dev/null &
app=$!
exec 3>"$fifo"
trap 'exec 3>&-; kill $app 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do grep -q READY "$work/app.out" && break; sleep 0.1; done

hyperfine -N --warmup 3 --runs 30 --export-csv "$work/ps.csv" \
  -n clrdump "$clrdump ps" -n dotnet-dump "$oracle ps" >/dev/null
hyperfine -N --warmup 1 --runs 10 --export-csv "$work/collect.csv" \
  -n clrdump "$clrdump collect -p $app -o $work/core-ours --type Mini" \
  -n dotnet-dump "$oracle collect -p $app -o $work/core-theirs --type Mini" >/dev/null

report() {  # csv: command,mean,stddev,median,user,system,min,max
  awk -F, -v what="$2" 'NR>1 {mean[$1]=$2}
    END {printf "%-22s clrdump %8.2f ms   dotnet-dump %8.2f ms   ratio %6.1fx\n",
         what, mean["clrdump"]*1000, mean["dotnet-dump"]*1000, mean["dotnet-dump"]/mean["clrdump"]}' "$1"
}
echo "machine: $(nproc) cores, $(uname -r), $(date -u +%Y-%m-%d)"
report "$work/ps.csv" "ps"
report "$work/collect.csv" "collect --type Mini"
