#!/usr/bin/env bash
# Installs what clrdump needs on Debian 12 with the .NET SDK: the Debian
# packages below (only those missing) and Microsoft's dotnet-dump, the
# oracle of the differential tests, into .tools/ (never globally).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

packages=(cmake ninja-build g++ pkg-config
  libcli11-dev       # command-line parsing of the verbs
  libfmt-dev         # formatting of messages and tables
  libedit-dev        # line editing in the analyze REPL
  nlohmann-json3-dev # parsing crash reports in tests
  libgtest-dev libgmock-dev  # unit, e2e and differential tests
  libbenchmark-dev   # micro-benchmarks under bench/
  hyperfine          # whole-command timing in bench/ scripts
  tmux               # drives the interactive REPL in tests
  time               # peak RSS in bench/ scripts
  clang libclang-rt-14-dev   # libFuzzer for the reader fuzzers
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd=sudo
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

command -v dotnet >/dev/null || { echo "setup: the .NET SDK (dotnet) is required" >&2; exit 1; }
tools="$root/.tools/dotnet-dump"
if [ ! -x "$tools/dotnet-dump" ]; then
  echo "setup: installing the dotnet-dump oracle into $tools"
  DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 \
    dotnet tool install dotnet-dump --tool-path "$tools" >/dev/null
fi
echo "setup: oracle $("$tools/dotnet-dump" --version)"
