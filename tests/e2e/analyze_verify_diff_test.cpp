// Differential tests of the heap verification and location commands
// (`verifyheap`, `verifyobj`, `gcwhere`, `listnearobj`/`lno`,
// `dumpgen`/`dg`, `sizestats`, `dumpheap -strings`) against dotnet-dump.
// Segments and objects are taken from each dump at test time, from
// clrdump's own `eeheap -gc` and `dumpheap`; a corrupted copy of a dump
// checks that both tools report the same corruption.
#include <fstream>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "harness/corrupt_dump.h"
#include "harness/differential.h"
#include "harness/env.h"
#include "harness/subprocess.h"

namespace clrdump::test {
namespace {

using Case = AnalyzeCase;

struct Segment {
  uint64_t address = 0, begin = 0, allocated = 0, committed = 0;
};

struct Addresses {
  std::vector<Segment> segments;
  std::vector<std::string> strings;  // a few string objects
  std::string string_mt;
};

std::string Hex(uint64_t value) {
  std::ostringstream out;
  out << std::hex << value;
  return out.str();
}

std::string ClrdumpOutput(const std::string& dump, const std::string& command) {
  return Run({ClrdumpPath(), "analyze", dump, "-c", command, "-c", "exit"}).out;
}

Addresses Discover(const std::string& dump) {
  Addresses a;
  static const std::regex kSegment(
      R"(^\s+([0-9a-f]{12,16})\s+([0-9a-f]{12,16})\s+([0-9a-f]{12,16})\s+([0-9a-f]{12,16}) )");
  std::istringstream eeheap(ClrdumpOutput(dump, "eeheap -gc"));
  std::string line;
  std::smatch m;
  while (std::getline(eeheap, line)) {
    if (!std::regex_search(line, m, kSegment)) continue;
    a.segments.push_back({std::stoull(m[1], nullptr, 16), std::stoull(m[2], nullptr, 16),
                          std::stoull(m[3], nullptr, 16), std::stoull(m[4], nullptr, 16)});
  }
  static const std::regex kRow(R"(^\s+([0-9a-f]{12})\s+([0-9a-f]{12})\s+[\d,]+ $)");
  std::istringstream rows(ClrdumpOutput(dump, "dumpheap -strings"));
  while (std::getline(rows, line)) {
    if (!std::regex_search(line, m, kRow)) continue;
    a.string_mt = m[2];
    if (a.strings.size() < 3) a.strings.push_back(m[1]);
  }
  return a;
}

std::vector<Case> FixedCases() {
  return {
      {"verify_verifyheap", {"verifyheap", "VerifyHeap -noprogress"}},
      {"verify_verifyheap_filters", {"verifyheap -heap 0", "verifyheap -ignoreGCState"}},
      {"verify_verifyheap_bad_segment", {"verifyheap -segment zz"}},
      {"verify_verifyheap_no_such_heap", {"verifyheap -heap 9"}},
      {"verify_verifyheap_bad_range", {"verifyheap zz"}},
      {"verify_verifyheap_range_outside_heap", {"verifyheap 1234"}},
      {"verify_verifyobj_not_on_heap", {"verifyobj 1234", "VerifyObj 0x1234"}},
      {"verify_verifyobj_unparsable", {"verifyobj zz"}},
      {"verify_gcwhere_not_on_heap", {"gcwhere 1234", "GCWhere 0x10"}},
      {"verify_gcwhere_unparsable", {"gcwhere zz"}},
      {"verify_lno_not_on_heap", {"lno 1234", "listnearobj 0x10", "ListNearObj 1"}},
      {"verify_lno_unparsable", {"lno zz"}},
      // In the REPL a usage error prints the command's help, whose long
      // documentation clrdump does not copy (see verify_help): -c only.
      {"verify_lno_extra_argument", {"lno 1234 5678"}, false},
      {"verify_sizestats", {"sizestats"}},
      {"verify_sizestats_extra_argument", {"sizestats extra"}},
      {"verify_dumpgen_each",
       {"dumpgen gen0", "dumpgen gen1", "dg gen2", "dumpgen loh", "dumpgen POH", "dumpgen foh"}},
      {"verify_dumpgen_type", {"dumpgen gen0 -type string", "dg GEN2 -type System.", "dg foh -type zzz"}},
      {"verify_dumpgen_missing", {"dumpgen"}},
      {"verify_dumpgen_numeric", {"dumpgen 0"}},
      {"verify_dumpgen_bad_mt", {"dumpgen gen0 -mt zz"}},
      {"verify_dumpgen_mt_missing_value", {"dumpgen gen0 -mt"}, false},
      {"verify_dumpheap_strings", {"dumpheap -strings"}},
      {"verify_dumpheap_strings_stat", {"dumpheap -strings -stat", "dumpheap -stat -strings -min 40"}},
      {"verify_dumpheap_strings_filters",
       {"dumpheap -strings -mt 1234 -stat", "dumpheap -strings -type zzz", "dumpheap -strings -short"}},
      // Its whole stdout is an accepted difference (see accepted_differences.tsv).
      {"verify_help",
       {"help verifyheap", "help verifyobj", "help gcwhere", "help lno", "help dumpgen"},
       false},
      {"verify_help_sizestats", {"help sizestats"}},
  };
}

// Addresses around and inside one segment's objects.
void AddSegmentCases(const Segment& s, size_t n, std::vector<Case>& cases) {
  const std::string tag = "verify_segment" + std::to_string(n);
  const std::string begin = Hex(s.begin), allocated = Hex(s.allocated);
  cases.push_back({tag + "_gcwhere",
                   {"gcwhere " + begin, "gcwhere " + Hex(s.begin + 8), "gcwhere " + allocated,
                    "gcwhere " + Hex(s.committed - 8), "gcwhere " + Hex(s.committed),
                    "gcwhere " + Hex(s.address)}});
  if (s.begin == s.allocated) {
    cases.push_back({tag + "_lno_empty", {"lno " + begin}});
    return;
  }
  cases.push_back({tag + "_lno",
                   {"lno " + begin, "lno " + Hex(s.begin + 8), "lno " + Hex(s.begin + 0x13),
                    "lno " + Hex(s.allocated - 8), "lno " + allocated,
                    "lno " + Hex(s.committed - 8), "lno " + Hex(s.begin - 8)}});
  cases.push_back({tag + "_verifyobj",
                   {"verifyobj " + begin, "verifyobj " + Hex(s.begin + 8),
                    "verifyobj " + Hex(s.begin + 3), "verifyobj " + allocated}});
  cases.push_back({tag + "_verifyheap",
                   {"verifyheap -segment " + Hex(s.address), "verifyheap " + begin + " " +
                    allocated, "verifyheap " + Hex(s.begin + 8) + " L40"}});
}

std::vector<Case> DerivedCases(const Addresses& a) {
  std::vector<Case> cases;
  // Enough segments to meet each kind once, without every sub-heap's.
  for (size_t i = 0; i < a.segments.size() && i < 6; ++i) AddSegmentCases(a.segments[i], i, cases);
  Case strings{"verify_strings_near", {}};
  for (const std::string& s : a.strings) {
    strings.commands.push_back("lno " + s);
    strings.commands.push_back("verifyobj " + s);
    strings.commands.push_back("gcwhere " + s);
  }
  if (!strings.commands.empty()) cases.push_back(strings);
  if (!a.string_mt.empty()) {
    cases.push_back({"verify_dumpgen_mt", {"dumpgen gen0 -mt " + a.string_mt,
                                           "dg foh -mt 0x" + a.string_mt,
                                           "dumpgen gen2 -mt " + a.string_mt + " -type zzz"}});
  }
  return cases;
}

class AnalyzeVerifyDiff : public SharedDumpDiff {
 protected:
  void SetUp() override {
    SharedDumpDiff::SetUp();
    if (!Ready()) return;
    addresses_ = Discover(dump_);
    ASSERT_FALSE(addresses_.segments.empty()) << "eeheap -gc found no segments in " << dump_;
    cases_ = FixedCases();
    for (auto& c : DerivedCases(addresses_)) cases_.push_back(std::move(c));
  }
  Addresses addresses_;
  std::vector<Case> cases_;
};

// Every case as its own process (-c).
class AnalyzeVerifyDiffDashC : public AnalyzeVerifyDiff {};
// All cases in one REPL session over redirected stdin.
class AnalyzeVerifyDiffSession : public AnalyzeVerifyDiff {};

TEST_P(AnalyzeVerifyDiffDashC, CommandsThroughDashC) {
  CompareCasesThroughDashC(oracle_, dump_, cases_);
}

TEST_P(AnalyzeVerifyDiffSession, CommandsThroughRedirectedStdin) {
  CompareCasesInSession(oracle_, dump_, cases_, "verify_stdin_session");
}

INSTANTIATE_TEST_SUITE_P(Dumps, AnalyzeVerifyDiffDashC,
                         ::testing::Values("waiter.Heap", "waiter.ServerGC.Heap", "threads.Heap",
                                           "crash.nested.Heap", "asyncmain.Heap", "waiter.Mini",
                                           "heapshapes.Heap"));
INSTANTIATE_TEST_SUITE_P(Dumps, AnalyzeVerifyDiffSession,
                         ::testing::Values("waiter.Heap", "waiter.ServerGC.Heap", "threads.Heap",
                                           "crash.nested.Heap", "asyncmain.Heap", "waiter.Mini",
                                           "heapshapes.Heap", "heapshapes.Full"));

// The same corruption, reported the same way by both tools (on the server
// GC's dump, verifyheap's table has a Heap column).
class AnalyzeVerifyDiffCorrupt : public ::testing::TestWithParam<const char*> {};

TEST_P(AnalyzeVerifyDiffCorrupt, CorruptHeapReportedAsDotnetDumpDoes) {
  const std::string oracle = OraclePath();
  CLRDUMP_REQUIRE(!oracle.empty(), "the dotnet-dump oracle is not installed");
  const std::string dump = SharedDump(GetParam());
  CLRDUMP_REQUIRE(std::ifstream(dump).good(), "no dump at " + dump);
  const CorruptDump c = MakeCorruptDump(dump);
  ASSERT_TRUE(c.error.empty()) << c.error;
  const std::vector<std::string> objects = {Hex(c.bad_method_table), Hex(c.bad_reference),
                                            Hex(c.bad_header), Hex(c.long_array)};
  Case near{"verify_corrupt_near", {}};
  for (const std::string& o : objects) {
    near.commands.push_back("lno " + o);
    near.commands.push_back("verifyobj " + o);
    near.commands.push_back("gcwhere " + o);
  }
  CompareCasesThroughDashC(
      oracle, c.path,
      {{"verify_corrupt_verifyheap",
        {"verifyheap", "verifyheap -segment " + objects.front(), "verifyheap -heap 0"}},
       {"verify_corrupt_dumpheap", {"dumpheap -stat", "dumpheap -strings -stat", "eeheap -gc"}},
       {"verify_corrupt_generations", {"dumpgen gen0", "sizestats"}},
       near});
  RemoveCorruptDump(c);
}

INSTANTIATE_TEST_SUITE_P(Dumps, AnalyzeVerifyDiffCorrupt,
                         ::testing::Values("waiter.Heap", "waiter.ServerGC.Heap"));

}  // namespace
}  // namespace clrdump::test
