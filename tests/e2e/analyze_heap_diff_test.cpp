// Differential tests of the heap layout and listing commands (`eeheap`
// with its loader and GC parts, `dumpheap` with its filters) against
// dotnet-dump. Segment, loader heap and MethodTable addresses come from
// each dump at test time, from clrdump's own `eeheap` and `dumpheap -stat`.
#include <fstream>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "harness/differential.h"
#include "harness/env.h"
#include "harness/subprocess.h"

namespace clrdump::test {
namespace {

using Case = AnalyzeCase;

struct Segment {
  std::string address;
  std::string begin;
  std::string allocated;
};

struct Discovered {
  std::vector<Segment> segments;
  std::string string_mt;
  // The first block of each loader heap row ("LowFrequencyHeap: 7f..(...").
  std::vector<std::string> loader_blocks;
};

std::string Analyze(const std::string& dump, const std::string& command) {
  return Run({ClrdumpPath(), "analyze", dump, "-c", command, "-c", "exit"}).out;
}

Discovered Discover(const std::string& dump) {
  Discovered d;
  static const std::regex kSegment(R"(^ +([0-9a-f]{12}) +([0-9a-f]{12}) +([0-9a-f]{12}) )");
  static const std::regex kString(R"(^([0-9a-f]{12}) +[0-9,]+ +[0-9,]+ System\.String$)");
  std::smatch m;
  std::istringstream layout(Analyze(dump, "eeheap -gc"));
  for (std::string line; std::getline(layout, line);) {
    if (std::regex_search(line, m, kSegment)) d.segments.push_back({m[1], m[2], m[3]});
  }
  static const std::regex kBlock(R"(^[A-Za-z]+Heap: +([0-9a-f]{12})\()");
  std::istringstream loader(Analyze(dump, "eeheap -loader"));
  for (std::string line; std::getline(loader, line);) {
    if (std::regex_search(line, m, kBlock)) d.loader_blocks.push_back(m[1]);
  }
  std::istringstream stats(Analyze(dump, "dumpheap -stat"));
  for (std::string line; std::getline(stats, line);) {
    if (std::regex_search(line, m, kString)) d.string_mt = m[1];
  }
  return d;
}

std::vector<Case> FixedCases() {
  return {
      {"heap_eeheap_gc", {"eeheap -gc", "eeheap -gc -heap 0", "EEHeap -gc -heap -1"}},
      {"heap_eeheap_gc_bad_heap", {"eeheap -gc -heap 7"}},
      {"heap_eeheap_gc_bad_segment", {"eeheap -gc -segment zz"}},
      {"heap_eeheap_gc_too_many_arguments", {"eeheap -gc 1 2 3"}},
      {"heap_eeheap_all", {"eeheap", "EEHeap -loader", "eeheap -gc -loader"}},
      {"heap_eeheap_heap_index",
       {"eeheap -heap 0", "eeheap -loader -heap 0", "eeheap -loader -heap -1"}},
      {"heap_eeheap_loader_bad_segment", {"eeheap -loader -segment zz"}},
      {"heap_eeheap_loader_range_without_heaps", {"eeheap -loader 10 L5", "eeheap 10 20"}},
      {"heap_dumpheap_stat", {"dumpheap -stat", "DumpHeap -stat -bycount"}},
      {"heap_dumpheap_all", {"dumpheap"}},
      {"heap_dumpheap_short", {"dumpheap -short"}},
      {"heap_dumpheap_type",
       {"dumpheap -type String", "dumpheap -type System.Collections -stat",
        "dumpheap -type zzzz", "dumpheap -type [] -short"}},
      {"heap_dumpheap_sizes", {"dumpheap -min 100 -max 1000", "dumpheap -min 500 -stat",
                               "dumpheap -max 30 -short"}},
      {"heap_dumpheap_generations",
       {"dumpheap -gen gen0 -stat", "dumpheap -gen gen1 -stat", "dumpheap -gen GEN2 -stat",
        "dumpheap -gen loh -stat", "dumpheap -gen pinned -stat", "dumpheap -gen foh"}},
      {"heap_dumpheap_bad_generation", {"dumpheap -gen bogus"}},
      {"heap_dumpheap_heap_index", {"dumpheap -heap 0 -stat", "dumpheap -heap -1 -short"}},
      {"heap_dumpheap_bad_heap", {"dumpheap -heap 9"}},
      // Parse errors: equal through -c; in the REPL dotnet-dump appends the
      // command's long documentation, which clrdump does not copy, so they
      // stay out of the session comparison.
      {"heap_dumpheap_bad_heap_number", {"dumpheap -heap x"}, false},
      {"heap_dumpheap_bad_mt", {"dumpheap -mt zz"}},
      {"heap_dumpheap_bad_segment", {"dumpheap -segment zz"}},
      {"heap_dumpheap_too_many_arguments", {"dumpheap 1 2 3"}},
      {"heap_dumpheap_unknown_argument", {"dumpheap 1 -x 3"}},
      {"heap_dumpheap_bad_start", {"dumpheap zz"}},
      {"heap_dumpheap_reversed_range", {"dumpheap 10 5"}},
      {"heap_dumpheap_range_without_segments", {"dumpheap 10 L5"}},
      {"heap_dumpheap_live_and_dead_cancel", {"dumpheap -live -dead -stat"}},
      {"heap_dumpheap_bad_min", {"dumpheap -min zz"}, false},
  };
}

std::vector<Case> DerivedCases(const Discovered& d) {
  std::vector<Case> cases;
  Case by_segment{"heap_segments", {}};
  for (const auto& s : d.segments) {
    by_segment.commands.push_back("eeheap -gc -segment " + s.address);
    by_segment.commands.push_back("dumpheap -segment 0x" + s.address + " -stat");
    by_segment.commands.push_back("eeheap -gc " + s.begin);
    // An empty segment's range would be refused (start not before end).
    if (s.begin == s.allocated) continue;
    by_segment.commands.push_back("dumpheap " + s.begin + " " + s.allocated);
    by_segment.commands.push_back("dumpheap -short " + s.begin + " L100");
  }
  cases.push_back(by_segment);
  // Loader heaps are filtered by the range only (either end of a block in
  // it); -heap and -segment only make the totals "Partial".
  Case loader{"heap_eeheap_loader_filters", {}};
  for (const auto& block : d.loader_blocks) {
    loader.commands.push_back("eeheap -loader " + block + " L1");
  }
  if (!d.loader_blocks.empty()) {
    loader.commands.push_back("eeheap " + d.loader_blocks.front());
    loader.commands.push_back("eeheap -loader 1 " + d.loader_blocks.back());
  }
  if (!d.segments.empty()) {
    loader.commands.push_back("eeheap -segment " + d.segments.front().address);
    loader.commands.push_back("eeheap -loader -segment " + d.segments.front().address);
    loader.commands.push_back("eeheap " + d.segments.front().begin + " L1000");
  }
  cases.push_back(loader);
  if (!d.string_mt.empty()) {
    cases.push_back({"heap_dumpheap_mt",
                     {"dumpheap -mt " + d.string_mt, "dumpheap -stat -mt 0x" + d.string_mt}});
  }
  return cases;
}

class AnalyzeHeapDiff : public SharedDumpDiff {
 protected:
  void SetUp() override {
    SharedDumpDiff::SetUp();
    if (!Ready()) return;
    discovered_ = Discover(dump_);
    ASSERT_FALSE(discovered_.segments.empty()) << "eeheap -gc listed no segment in " << dump_;
    ASSERT_FALSE(discovered_.loader_blocks.empty())
        << "eeheap -loader listed no loader heap in " << dump_;
    cases_ = FixedCases();
    for (auto& c : DerivedCases(discovered_)) cases_.push_back(std::move(c));
  }
  Discovered discovered_;
  std::vector<Case> cases_;
};

class AnalyzeHeapDiffDashC : public AnalyzeHeapDiff {};
class AnalyzeHeapDiffSession : public AnalyzeHeapDiff {};

TEST_P(AnalyzeHeapDiffDashC, CommandsThroughDashC) {
  CompareCasesThroughDashC(oracle_, dump_, cases_);
}

TEST_P(AnalyzeHeapDiffSession, CommandsThroughRedirectedStdin) {
  CompareCasesInSession(oracle_, dump_, cases_, "heap_stdin_session");
}

INSTANTIATE_TEST_SUITE_P(Dumps, AnalyzeHeapDiffDashC,
                         ::testing::Values("waiter.Heap", "waiter.ServerGC.Heap", "threads.Full",
                                           "crash.nested.Heap", "asyncmain.Heap", "waiter.Mini",
                                           "heapshapes.Heap", "heapshapes.Full"));
INSTANTIATE_TEST_SUITE_P(Dumps, AnalyzeHeapDiffSession,
                         ::testing::Values("waiter.Heap", "waiter.ServerGC.Heap",
                                           "crash.divzero.Full"));

}  // namespace
}  // namespace clrdump::test
