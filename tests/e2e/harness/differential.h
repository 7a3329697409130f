// Runs the oracle (Microsoft's dotnet-dump) and clrdump with the same
// arguments and compares stdout, stderr and exit code, honouring the
// justified differences listed in accepted_differences.tsv.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

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

// One differential case of `analyze`: commands run in order on one dump.
struct AnalyzeCase {
  std::string name;
  std::vector<std::string> commands;
  // Whether the case also runs in the one-session stdin comparison; not for
  // cases whose whole output is an accepted difference.
  bool in_session = true;
};

// Each case as its own `analyze <dump> -c ... -c exit` process.
void CompareCasesThroughDashC(const std::string& oracle, const std::string& dump,
                              const std::vector<AnalyzeCase>& cases);

// The session cases in one REPL over redirected stdin (an empty line after
// each command, which the test-runner protocol skips), compared as `name`.
void CompareCasesInSession(const std::string& oracle, const std::string& dump,
                           const std::vector<AnalyzeCase>& cases, const std::string& name);

// The fixture of the analyze differential suites: the oracle and the shared
// dump named by the test's parameter, both required (a failure in CI, a
// skip elsewhere). Subclasses call SharedDumpDiff::SetUp() first and go on
// only when Ready().
class SharedDumpDiff : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override;
  bool Ready() const { return !IsSkipped() && !HasFatalFailure(); }
  std::string oracle_;
  std::string dump_;
};

}  // namespace clrdump::test
