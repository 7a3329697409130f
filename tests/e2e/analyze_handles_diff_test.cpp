// Differential tests of the handle, sync block, finalization queue and
// exception commands (`gchandles`, `syncblk`, `finalizequeue`/`fq`,
// `dumpheap -thinlock`, `dumpexceptions`) against dotnet-dump. MethodTables
// and sync block numbers come from each dump at test time, from clrdump's
// own `fq -stat` and `syncblk -all`.
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "harness/differential.h"
#include "harness/env.h"
#include "harness/subprocess.h"

namespace clrdump::test {
namespace {

using Case = AnalyzeCase;

struct Discovered {
  std::vector<std::string> finalizable_mts;
  std::vector<std::string> sync_blocks;
  std::string exception_mt;
};

std::string Analyze(const std::string& dump, const std::string& command) {
  return Run({ClrdumpPath(), "analyze", dump, "-c", command, "-c", "exit"}).out;
}

Discovered Discover(const std::string& dump) {
  Discovered d;
  static const std::regex kStat(R"(^([0-9a-f]{12}) +[0-9,]+ +[0-9,]+ \S)");
  static const std::regex kSyncBlock(R"(^ {0,4}(\d+) [0-9A-F]{16} )");
  static const std::regex kException(R"(^ +[0-9a-f]{12} +([0-9a-f]{12}) \S)");
  std::smatch m;
  std::istringstream stats(Analyze(dump, "fq -stat"));
  for (std::string line; std::getline(stats, line);) {
    if (std::regex_search(line, m, kStat)) d.finalizable_mts.push_back(m[1]);
  }
  std::istringstream blocks(Analyze(dump, "syncblk -all"));
  for (std::string line; std::getline(blocks, line);) {
    if (std::regex_search(line, m, kSyncBlock)) d.sync_blocks.push_back(m[1]);
  }
  std::istringstream exceptions(Analyze(dump, "dumpexceptions"));
  for (std::string line; std::getline(exceptions, line);) {
    if (d.exception_mt.empty() && std::regex_search(line, m, kException)) d.exception_mt = m[1];
  }
  return d;
}

std::vector<Case> FixedCases() {
  return {
      {"handles_gchandles", {"gchandles", "gchandles -stat"}},
      {"handles_gchandles_perdomain", {"gchandles -perdomain", "gchandles -perdomain -stat"}},
      {"handles_gchandles_types",
       {"gchandles -type Strong", "gchandles -type weakshort", "gchandles -TYPE WeakLong -STAT",
        "gchandles -type Pinned -stat", "gchandles -type Dependent",
        "gchandles -type AsyncPinned", "gchandles -type RefCounted -perdomain"}},
      // SOS prints these without a newline; the next command's output ends
      // the line (dotnet-dump drops an unended last line at exit).
      {"handles_gchandles_bad_input",
       {"gchandles -type Foo", "gchandles -type", "gchandles -bogus", "gchandles extra",
        "gchandles -stat -stat", "gchandles /d", "gchandles -type Strong -stat"}},
      {"handles_syncblk", {"syncblk", "syncblk -all", "syncblk -ALL"}},
      {"handles_syncblk_numbers",
       {"syncblk 1", "syncblk 2", "syncblk 99", "syncblk abc", "syncblk 0x1", "syncblk zz",
        "syncblk 10", "syncblk -all 1", "syncblk 'x'"}},
      // SOS fails these commands, which ends dotnet-dump's batch or
      // session: kept out of the session so the cases after them run.
      {"handles_syncblk_bad_option", {"syncblk -bogus", "syncblk"}, false},
      {"handles_syncblk_repeated_option", {"syncblk -all -all"}, false},
      {"handles_syncblk_option_after_number", {"syncblk 1 -all"}, false},
      {"handles_syncblk_two_numbers", {"syncblk 1 2"}, false},
      {"handles_fq", {"finalizequeue", "fq -detail", "FinalizeQueue -short"}},
      {"handles_fq_stat", {"fq -stat", "fq -summary -detail"}},
      {"handles_fq_bad_mt", {"fq -mt zz"}},
      {"handles_fq_short_and_stat", {"fq -short -stat"}},
      {"handles_fq_extra_argument", {"fq extra"}, false},
      {"handles_thinlock",
       {"dumpheap -thinlock", "dumpheap -thinlock -stat", "dumpheap -thinlock -short",
        "dumpheap -thinlock -gen gen0", "dumpheap -thinlock -type Object"}},
      {"handles_dumpexceptions", {"dumpexceptions"}},
      {"handles_dumpexceptions_filters",
       {"dumpexceptions -type exception", "dumpexceptions -type OutOfMemory",
        "dumpexceptions -type zzz", "dumpexceptions -gen gen0", "dumpexceptions -gen GEN2",
        "dumpexceptions -gen loh", "dumpexceptions -type", "dumpexceptions -live -dead"}},
      {"handles_dumpexceptions_bad_generation", {"dumpexceptions -gen 2"}},
      {"handles_dumpexceptions_extra_argument", {"dumpexceptions extra"}, false},
      {"handles_help_dumpexceptions", {"help dumpexceptions"}},
      {"handles_help_finalizequeue", {"help finalizequeue"}, false},
  };
}

// Cases that need the live set (the GC's roots, stacks included).
std::vector<Case> LivenessCases() {
  return {
      {"handles_fq_all_ready", {"fq -allReady", "fq -allReady -short", "fq -allReady -stat"}},
      {"handles_fq_all_ready_short", {"fq -allReady -short"}},
      {"handles_dumpexceptions_live",
       {"dumpexceptions -live", "dumpexceptions -dead", "dumpexceptions -dead -type exception"}},
      {"handles_dumpexceptions_dead", {"dumpexceptions -dead -gen gen0"}},
  };
}

std::vector<Case> DerivedCases(const Discovered& d) {
  std::vector<Case> cases;
  Case by_mt{"handles_fq_mt", {}};
  for (const auto& mt : d.finalizable_mts) {
    by_mt.commands.push_back("fq -mt " + mt);
    by_mt.commands.push_back("fq -short -mt 0x" + mt);
  }
  if (!by_mt.commands.empty()) cases.push_back(by_mt);
  Case blocks{"handles_syncblk_each", {}};
  for (const auto& b : d.sync_blocks) blocks.commands.push_back("syncblk " + b);
  if (!blocks.commands.empty()) cases.push_back(blocks);
  if (!d.exception_mt.empty()) {
    cases.push_back({"handles_thinlock_mt", {"dumpheap -thinlock -mt " + d.exception_mt}});
  }
  return cases;
}

class AnalyzeHandlesDiff : public SharedDumpDiff {
 protected:
  void SetUp() override {
    SharedDumpDiff::SetUp();
    if (!Ready()) return;
    discovered_ = Discover(dump_);
    ASSERT_FALSE(discovered_.finalizable_mts.empty()) << "fq -stat listed no type in " << dump_;
    ASSERT_FALSE(discovered_.exception_mt.empty()) << "dumpexceptions found none in " << dump_;
    cases_ = FixedCases();
    for (auto& c : DerivedCases(discovered_)) cases_.push_back(std::move(c));
    // dotnet-dump itself crashes (in the DAC) enumerating these dumps' stack
    // roots, so they get no liveness cases.
    if (std::string(GetParam()) != "crash.nested.Heap" &&
        std::string(GetParam()) != "asyncmain.Heap") {
      for (auto& c : LivenessCases()) cases_.push_back(std::move(c));
    }
  }
  Discovered discovered_;
  std::vector<Case> cases_;
};

class AnalyzeHandlesDiffDashC : public AnalyzeHandlesDiff {};
class AnalyzeHandlesDiffSession : public AnalyzeHandlesDiff {};

TEST_P(AnalyzeHandlesDiffDashC, CommandsThroughDashC) {
  CompareCasesThroughDashC(oracle_, dump_, cases_);
}

TEST_P(AnalyzeHandlesDiffSession, CommandsThroughRedirectedStdin) {
  CompareCasesInSession(oracle_, dump_, cases_, "handles_stdin_session");
}

INSTANTIATE_TEST_SUITE_P(Dumps, AnalyzeHandlesDiffDashC,
                         ::testing::Values("waiter.Heap", "waiter.ServerGC.Heap", "threads.Heap",
                                           "crash.nested.Heap", "asyncmain.Heap",
                                           "heapshapes.Heap", "heapshapes.Full"));
INSTANTIATE_TEST_SUITE_P(Dumps, AnalyzeHandlesDiffSession,
                         ::testing::Values("waiter.Heap", "threads.Heap", "heapshapes.Heap"));

}  // namespace
}  // namespace clrdump::test
