#!/usr/bin/env bash
# Builds every C# debuggee under tests/debuggees/ into OUT/<name>, skipping
# a debuggee whose sources hash to the stamp left by its last build.
set -euo pipefail
out=${1:?usage: build-debuggees.sh OUT_DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# No build servers may outlive the build: they are .NET processes too and
# would show up in `ps` comparisons.
export MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0

command -v dotnet >/dev/null || { echo "build-debuggees: the .NET SDK (dotnet) is not installed" >&2; exit 1; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
for project in "$root"/tests/debuggees/*/*.csproj; do
  dir=$(dirname "$project")
  name=$(basename "$dir")
  stamp=$(cd "$dir" && find . -path ./bin -prune -o -path ./obj -prune -o -type f -print | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -d' ' -f1)
  if [ -f "$out/$name/.stamp" ] && [ "$(cat "$out/$name/.stamp")" = "$stamp" ]; then
    echo "debuggee $name: up to date"
    continue
  fi
  echo "debuggee $name: building"
  # Build from a copy so obj/ and bin/ never land in the source tree.
  rm -rf "$out/$name" "$out/src/$name"
  mkdir -p "$out/src"
  cp -r "$dir" "$out/src/$name"
  dotnet build "$out/src/$name/$(basename "$project")" -c Release -o "$out/$name" -nologo -v:q \
    -nodeReuse:false -p:UseSharedCompilation=false >"$out/$name.log" 2>&1 \
    || { cat "$out/$name.log" >&2; exit 1; }
  echo "$stamp" > "$out/$name/.stamp"
done
