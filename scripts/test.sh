#!/usr/bin/env bash
# Runs every test: installs what is missing, builds from scratch into
# build/, then the unit, end-to-end and differential suites, the unit suite
# again under ASan+UBSan, and the fuzzers for a bounded time.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
"$root/scripts/setup.sh"

jobs=$(nproc)
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
ninja -C build
# ctest's closing line ("N tests passed, M failed") is what CI reads.
(cd build && ctest --output-on-failure -j "$jobs" --timeout 900)

cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCLRDUMP_SANITIZE=ON >/dev/null
ninja -C build-asan unit_tests
(cd build-asan && ctest --output-on-failure -L unit -j "$jobs")

# Fuzz the readers for a bounded time; any crash fails the run.
CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCLRDUMP_FUZZ=ON -DCLRDUMP_BUILD_TESTS=OFF >/dev/null
fuzzers=(core_check ipc_reply portable_pdb)
ninja -C build-fuzz "${fuzzers[@]/%/_fuzzer}"
for f in "${fuzzers[@]}"; do
  mkdir -p "build-fuzz/corpus-$f"
  "build-fuzz/tests/fuzz/${f}_fuzzer" -max_total_time="${CLRDUMP_FUZZ_SECONDS:-60}" \
    -print_final_stats=0 "build-fuzz/corpus-$f" "tests/fuzz/corpus/$f" 2>"build-fuzz/$f.log" \
    || { tail -50 "build-fuzz/$f.log"; echo "fuzzer $f found a crash" >&2; exit 1; }
  echo "fuzzer $f: $(grep -c . <(ls "build-fuzz/corpus-$f")) corpus entries, no crash"
done
