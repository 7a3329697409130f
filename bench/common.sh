# Sourced by the bench scripts: finds clrdump (in the build dir given as
# $1, default build/) and the oracle, and builds the debuggees.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$root/build}
clrdump="$build/src/cli/clrdump"
oracle=${CLRDUMP_ORACLE:-$root/.tools/dotnet-dump/dotnet-dump}
[ -x "$clrdump" ] || { echo "bench: build clrdump first ($clrdump)" >&2; exit 1; }
[ -x "$oracle" ] || { echo "bench: no oracle at $oracle; run scripts/setup.sh" >&2; exit 1; }
"$root/scripts/build-debuggees.sh" "$build/debuggees" >/dev/null
