// Differential tests of the GC's own records, the RuntimeType listing and
// the heap file writer (`analyzeoom`, `dumpgcdata`, `dumpruntimetypes`,
// `traverseheap`) against dotnet-dump, on workstation and server GC dumps,
// the HeapShapes dumps (which hold a real GC out-of-memory event) and a Mini
// dump (no heap memory). traverseheap's files are compared byte for byte.
#include <fstream>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "harness/differential.h"
#include "harness/env.h"
#include "harness/subprocess.h"

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
      // The file is created before the heap is read, so these fail alike on
      // every dump.
      {"heapmisc_traverseheap_missing_directory",
       {"traverseheap /nonexistent-dir/heap.txt", "TraverseHeap -xml /nonexistent-dir/heap.xml",
        "traverseheap nonexistent-dir/../nonexistent-dir/heap.txt"}},
      {"heapmisc_traverseheap_directory", {"traverseheap /", "traverseheap -xml /tmp/"}},
      {"heapmisc_traverseheap_no_filename", {"traverseheap -xml"}},
      {"heapmisc_traverseheap_two_filenames", {"traverseheap a b"}, false},
  };
}

class AnalyzeHeapMiscDiff : public SharedDumpDiff {
 protected:
  void SetUp() override {
    SharedDumpDiff::SetUp();
    if (!Ready()) return;
  }
};

class AnalyzeHeapMiscDiffDashC : public AnalyzeHeapMiscDiff {};
class AnalyzeHeapMiscDiffSession : public AnalyzeHeapMiscDiff {};

TEST_P(AnalyzeHeapMiscDiffDashC, CommandsThroughDashC) {
  CompareCasesThroughDashC(oracle_, dump_, Cases());
}

TEST_P(AnalyzeHeapMiscDiffSession, CommandsThroughRedirectedStdin) {
  CompareCasesInSession(oracle_, dump_, Cases(), "heapmisc_stdin_session");
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// dotnet-dump itself crashes (in the DAC) enumerating these dumps' stack
// roots, leaving its files empty: nothing to compare with.
const std::set<std::string> kOracleCrashesOnRoots = {"crash.nested.Heap", "asyncmain.Heap"};

TEST_P(AnalyzeHeapMiscDiffDashC, TraverseHeapWritesTheSameFiles) {
  const std::string dir = MakeTempDir("heapmisc-traverseheap");
  auto run = [&](const std::string& tool, const std::string& stem) {
    return test::Run({tool, "analyze", dump_, "-c", "traverseheap " + dir + "/" + stem + ".txt", "-c",
                "traverseheap -xml " + dir + "/" + stem + ".xml", "-c", "exit"},
               {}, std::chrono::seconds(600));
  };
  const RunResult ours = run(ClrdumpPath(), "clrdump");
  if (kOracleCrashesOnRoots.count(GetParam())) {
    // Nothing to compare with: clrdump must still finish and write both
    // files, the stack roots of the thread the DAC cannot walk left out.
    EXPECT_EQ(ours.exit_code, 0) << ours.err;
    EXPECT_NE(ReadFile(dir + "/clrdump.txt").find("0x"), std::string::npos);
    EXPECT_NE(ReadFile(dir + "/clrdump.xml").find("<gcheap>"), std::string::npos);
    return;
  }
  const RunResult theirs = run(oracle_, "oracle");
  EXPECT_EQ(ours.exit_code, theirs.exit_code);
  EXPECT_EQ(ours.out, theirs.out);
  for (const char* ext : {".txt", ".xml"}) {
    const std::string expected = ReadFile(dir + "/oracle" + ext);
    const std::string actual = ReadFile(dir + "/clrdump" + ext);
    // Even a Mini dump's file lists the stack roots.
    EXPECT_NE(expected.find("0x"), std::string::npos) << "oracle wrote no roots to " << ext;
    EXPECT_TRUE(actual == expected) << ext << " files differ (" << dir << ")";
  }
}

INSTANTIATE_TEST_SUITE_P(Dumps, AnalyzeHeapMiscDiffDashC,
                         ::testing::Values("waiter.Heap", "waiter.ServerGC.Heap",
                                           "crash.nested.Heap", "heapshapes.Heap",
                                           "heapshapes.Full", "waiter.Mini"));
INSTANTIATE_TEST_SUITE_P(Dumps, AnalyzeHeapMiscDiffSession,
                         ::testing::Values("waiter.ServerGC.Heap", "heapshapes.Heap"));

}  // namespace
}  // namespace clrdump::test
