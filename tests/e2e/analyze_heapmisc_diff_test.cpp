// Differential tests of the GC's own records and the RuntimeType listing
// (`analyzeoom`, `dumpgcdata`, `dumpruntimetypes`) against dotnet-dump, on
// workstation and server GC dumps, the HeapShapes dumps (which hold a real
// GC out-of-memory event) and a Mini dump (no heap memory).
#include <fstream>

#include <gtest/gtest.h>

#include "harness/differential.h"
#include "harness/env.h"

namespace clrdump::test {
namespace {

using Case = AnalyzeCase;

std::vector<Case> Cases() {
  return {
      {"heapmisc_analyzeoom", {"analyzeoom", "AnalyzeOOM"}},
      {"heapmisc_dumpgcdata", {"dumpgcdata"}},
      // SOS's native command ignores what follows it.
      {"heapmisc_dumpgcdata_arguments", {"dumpgcdata foo -x"}},
      {"heapmisc_dumpruntimetypes", {"dumpruntimetypes", "DumpRuntimeTypes"}},
      // Parse errors: in the REPL dotnet-dump appends the long documentation,
      // which clrdump does not copy.
      {"heapmisc_analyzeoom_argument", {"analyzeoom foo"}, false},
      {"heapmisc_analyzeoom_option", {"analyzeoom -x"}, false},
      {"heapmisc_dumpruntimetypes_argument", {"dumpruntimetypes bar"}, false},
  };
}

class AnalyzeHeapMiscDiff : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    oracle_ = OraclePath();
    CLRDUMP_REQUIRE(!oracle_.empty(), "the dotnet-dump oracle is not installed (run "
                                      "scripts/setup.sh, or set CLRDUMP_ORACLE)");
    dump_ = SharedDump(GetParam());
    CLRDUMP_REQUIRE(std::ifstream(dump_).good(), "no dump at " + dump_ + " (make_dumps failed?)");
  }
  std::string oracle_;
  std::string dump_;
};

class AnalyzeHeapMiscDiffDashC : public AnalyzeHeapMiscDiff {};
class AnalyzeHeapMiscDiffSession : public AnalyzeHeapMiscDiff {};

TEST_P(AnalyzeHeapMiscDiffDashC, CommandsThroughDashC) {
  CompareCasesThroughDashC(oracle_, dump_, Cases());
}

TEST_P(AnalyzeHeapMiscDiffSession, CommandsThroughRedirectedStdin) {
  CompareCasesInSession(oracle_, dump_, Cases(), "heapmisc_stdin_session");
}

INSTANTIATE_TEST_SUITE_P(Dumps, AnalyzeHeapMiscDiffDashC,
                         ::testing::Values("waiter.Heap", "waiter.ServerGC.Heap",
                                           "crash.nested.Heap", "heapshapes.Heap",
                                           "heapshapes.Full", "waiter.Mini"));
INSTANTIATE_TEST_SUITE_P(Dumps, AnalyzeHeapMiscDiffSession,
                         ::testing::Values("waiter.ServerGC.Heap", "heapshapes.Heap"));

}  // namespace
}  // namespace clrdump::test
