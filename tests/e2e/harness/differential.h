// Runs the oracle (Microsoft's dotnet-dump) and clrdump with the same
// arguments and compares stdout, stderr and exit code, honouring the
// justified differences listed in accepted_differences.tsv.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "harness/subprocess.h"

namespace clrdump::test {

// Masks what legitimately differs between two runs of one case (default
// dump names carry the time).
std::string NormalizeRun(std::string text);

// Adds a gtest failure for every difference not accepted for `name`, and
// for an accepted difference that no longer differs.
void CompareWithOracle(const std::string& oracle, const std::string& name,
                       const std::vector<std::string>& args, const SpawnOptions& options = {},
                       const std::function<void()>& between = {});

}  // namespace clrdump::test
