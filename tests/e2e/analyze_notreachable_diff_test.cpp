// Differential tests of `notreachableinrange` against dotnet-dump. The
// ranges come from each dump at test time: clrdump's `finalizequeue` gives
// every sub-heap's finalization queue (finalizable objects, then those
// ready for finalization) and its first finalizable object, whose own
// fields make a range of mostly invalid "objects".
#include <regex>
#include <sstream>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "harness/differential.h"
#include "harness/env.h"
#include "harness/subprocess.h"

namespace clrdump::test {
namespace {

using Case = AnalyzeCase;

struct QueueRange {
  uint64_t start = 0;  // the generation 2 part's start: the whole queue
  uint64_t ready = 0;  // where the objects ready for finalization begin
  uint64_t end = 0;
};

struct Discovered {
  std::vector<QueueRange> queues;
  uint64_t first_object = 0;
};

uint64_t Hex(const std::string& text) { return std::stoull(text, nullptr, 16); }

Discovered Discover(const std::string& dump) {
  const RunResult fq = Run({ClrdumpPath(), "analyze", dump, "-c", "finalizequeue", "-c", "exit"});
  static const std::regex kGen2(R"(^generation 2 has [0-9,]+ objects \(([0-9a-f]+)->)");
  static const std::regex kReady(
      R"(^Ready for finalization [0-9,]+ objects \(([0-9a-f]+)->([0-9a-f]+)\))");
  static const std::regex kObject(R"(^ +([0-9a-f]{12,16}) +[0-9a-f]{12,16} +[0-9,]+ *$)");
  Discovered d;
  QueueRange queue;
  std::istringstream in(fq.out);
  std::smatch m;
  for (std::string line; std::getline(in, line);) {
    if (std::regex_search(line, m, kGen2)) {
      queue.start = Hex(m[1]);
    } else if (std::regex_search(line, m, kReady)) {
      queue.ready = Hex(m[1]);
      queue.end = Hex(m[2]);
      d.queues.push_back(queue);
    } else if (d.first_object == 0 && std::regex_search(line, m, kObject)) {
      d.first_object = Hex(m[1]);
    }
  }
  return d;
}

std::string Range(const char* options, uint64_t start, uint64_t end) {
  return fmt::format("notreachableinrange{} {:x} {:x}", options, start, end);
}

// Cases the dump's ranges do not change.
std::vector<Case> FixedCases() {
  return {
      {"notreachable_help", {"help notreachableinrange"}},
      // With -c, dotnet-dump lets these ArgumentExceptions escape.
      {"notreachable_no_arguments", {"notreachableinrange", "notreachableinrange -short"}},
      {"notreachable_missing_end", {"notreachableinrange 1234"}},
      {"notreachable_bad_start", {"notreachableinrange xyz 10", "notreachableinrange 0 10"}},
      {"notreachable_bad_end", {"notreachableinrange 10 xyz", "notreachableinrange 10 0"}},
      // An unknown option is taken as the start address.
      {"notreachable_unknown_option", {"notreachableinrange -x 10"}},
      // Nothing is read, not even the roots.
      {"notreachable_empty_range", {"notreachableinrange 20 10", "notreachableinrange 10 10"}},
      // An IOException, escaping with -c too.
      {"notreachable_unreadable", {"notreachableinrange -short 10 20"}},
      // A parse error: in the REPL both append the command's help.
      {"notreachable_too_many_arguments", {"notreachableinrange 10 20 30"}},
  };
}

std::vector<Case> RangeCases(const Discovered& d) {
  std::vector<std::string> whole, whole_short, ready, unrooted, unrooted_short, beyond;
  for (const QueueRange& q : d.queues) {
    whole.push_back(Range("", q.start, q.end));
    whole_short.push_back(Range(" -short", q.start, q.end));
    ready.push_back(Range("", q.ready, q.end));
    unrooted.push_back(Range(" -nofinalizer", q.start, q.end));
    unrooted_short.push_back(Range(" -short -nofinalizer", q.start, q.end));
    // Past the fill pointer: the queue's unused slots, mostly null.
    beyond.push_back(Range("", q.end - 8, q.end + 24));
  }
  std::vector<Case> cases = {
      {"notreachable_queue", whole},
      {"notreachable_queue_short", whole_short},
      {"notreachable_ready", ready},
      {"notreachable_nofinalizer", unrooted},
      {"notreachable_nofinalizer_short", unrooted_short},
      {"notreachable_beyond_queue", beyond},
  };
  // A Mini dump has the queue but not the objects it points to.
  if (d.first_object == 0) return cases;
  const uint64_t object = d.first_object;
  cases.insert(cases.end(), {
      // An object's own fields: its MethodTable, nulls, numbers and
      // references, most of them not objects.
      {"notreachable_object_fields",
       {Range("", object, object + 0x40), Range(" -short", object, object + 0x40),
        Range(" -nofinalizer", object, object + 0x40)}},
      // The start is rounded down to a pointer boundary.
      {"notreachable_unaligned_start", {Range("", object + 3, object + 16)}},
      // -nofinalizer first, so its own notices are what the session shows.
      {"notreachable_nofinalizer_then_live",
       {unrooted.front(), Range(" -short", object, object + 0x20)}},
  });
  return cases;
}

class AnalyzeNotReachableDiff : public SharedDumpDiff {
 protected:
  void SetUp() override {
    SharedDumpDiff::SetUp();
    if (!Ready()) return;
    discovered_ = Discover(dump_);
    ASSERT_FALSE(discovered_.queues.empty()) << "no finalization queue found in " << dump_;
    if (!std::string(GetParam()).ends_with(".Mini")) {
      ASSERT_NE(discovered_.first_object, 0u) << "no finalizable object found in " << dump_;
    }
  }
  std::vector<Case> Cases() const {
    std::vector<Case> cases = RangeCases(discovered_);
    for (Case& c : FixedCases()) cases.push_back(std::move(c));
    return cases;
  }
  Discovered discovered_;
};

class AnalyzeNotReachableDiffDashC : public AnalyzeNotReachableDiff {};
class AnalyzeNotReachableDiffSession : public AnalyzeNotReachableDiff {};

TEST_P(AnalyzeNotReachableDiffDashC, CommandsThroughDashC) {
  if (!Ready()) return;
  CompareCasesThroughDashC(oracle_, dump_, Cases());
}

TEST_P(AnalyzeNotReachableDiffSession, CommandsThroughRedirectedStdin) {
  if (!Ready()) return;
  CompareCasesInSession(oracle_, dump_, Cases(), "notreachable_stdin_session");
}

// HeapShapes has objects waiting in the ready queue and finalizable objects
// still alive; the server GC dump has a queue per sub-heap; the Mini dump
// holds the queue but not the objects. (dotnet-dump
// cannot enumerate the stack roots of crash.nested.Heap or asyncmain.Heap.)
INSTANTIATE_TEST_SUITE_P(Dumps, AnalyzeNotReachableDiffDashC,
                         ::testing::Values("heapshapes.Heap", "heapshapes.Full", "waiter.Heap",
                                           "waiter.ServerGC.Heap", "waiter.Mini"));
INSTANTIATE_TEST_SUITE_P(Dumps, AnalyzeNotReachableDiffSession,
                         ::testing::Values("heapshapes.Heap", "waiter.ServerGC.Heap"));

}  // namespace
}  // namespace clrdump::test
