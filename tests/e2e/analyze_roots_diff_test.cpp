// Differential tests of the commands built on the GC's roots (`gcroot`,
// `pathto`, `objsize`, `gcheapstat`, `dumpheap -live/-dead`) against
// dotnet-dump. Objects are picked from each dump at test time: clrdump's
// own `dumpheap -short` lists them and its `gcroot` sorts them into
// objects rooted through a static variable, otherwise rooted, and
// unrooted.
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "harness/differential.h"
#include "harness/env.h"
#include "harness/subprocess.h"

namespace clrdump::test {
namespace {

using Case = AnalyzeCase;

// dotnet-dump itself crashes (in the DAC) enumerating these dumps' stack
// roots, so only their stack-free cases are compared.
const std::set<std::string> kNoStackRoots = {"crash.nested.Heap", "asyncmain.Heap"};

struct Discovered {
  std::vector<std::string> statics;   // first link of the path is a static variable
  std::vector<std::string> rooted;    // rooted some other way
  std::vector<std::string> unrooted;  // no handle or finalizer root
  std::string root_object;            // the first object of a path not through statics
  std::string statics_array;          // the first object of a path through statics
  std::vector<std::string> static_rooted;  // HeapShapes.StaticRooted: held by a static field
  std::vector<std::string> statics_slots;  // every object the statics array holds
  std::string string_mt;
};

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Sorts one `gcroot` answer into `d`: a path whose first link is an
// Object[] may pass through a static variable (the statics arrays).
void Classify(const std::string& object, const std::vector<std::string>& block, Discovered& d) {
  static const std::regex kLink(R"(^ {10}-> ([0-9a-f]+) +(\S+))");
  bool first_link = true, any_link = false, through_statics = false;
  std::string first_object;
  std::smatch m;
  for (const auto& line : block) {
    if (!std::regex_search(line, m, kLink)) {
      first_link = true;
      continue;
    }
    any_link = true;
    if (first_link) {
      if (m[2] == "System.Object[]") {
        through_statics = true;
      } else if (first_object.empty()) {
        first_object = m[1];
      }
    }
    first_link = false;
  }
  if (d.root_object.empty() && first_object != object) d.root_object = first_object;
  if (through_statics && d.statics_array.empty()) {
    for (const auto& line : block) {
      if (std::regex_search(line, m, kLink)) {
        d.statics_array = m[1];
        break;
      }
    }
  }
  if (!any_link) {
    d.unrooted.push_back(object);
  } else if (through_statics) {
    d.statics.push_back(object);
  } else {
    d.rooted.push_back(object);
  }
}

// Runs `gcroot` on each candidate in one clrdump session and sorts them.
void ClassifyAll(const std::string& dump, bool stacks, const std::vector<std::string>& candidates,
                 Discovered& d) {
  std::vector<std::string> args = {ClrdumpPath(), "analyze", dump};
  for (const auto& c : candidates) {
    args.push_back("-c");
    args.push_back(stacks ? "gcroot " + c : "gcroot -nostacks " + c);
  }
  args.push_back("-c");
  args.push_back("exit");
  std::vector<std::string> block;
  size_t next = 0;
  for (const auto& line : Lines(Run(args).out)) {
    block.push_back(line);
    if (line.rfind("Found ", 0) == 0 && next < candidates.size()) {
      Classify(candidates[next++], block, d);
      block.clear();
    }
  }
}

Discovered Discover(const std::string& dump, bool stacks) {
  const RunResult heap = Run({ClrdumpPath(), "analyze", dump, "-c", "dumpheap -short", "-c",
                              "dumpheap -stat", "-c", "exit"});
  // The runtime keeps these in handles of their own.
  const RunResult held = Run({ClrdumpPath(), "analyze", dump, "-c",
                              "dumpheap -short -type System.ExecutionEngineException", "-c",
                              "dumpheap -short -type System.Threading.Thread", "-c", "exit"});
  const RunResult shapes = Run({ClrdumpPath(), "analyze", dump, "-c",
                                "dumpheap -short -type HeapShapes.StaticRooted", "-c", "exit"});
  static const std::regex kObject(R"(^[0-9a-f]{12}$)");
  static const std::regex kString(R"(^([0-9a-f]{12}) +[0-9,]+ +[0-9,]+ System\.String$)");
  std::vector<std::string> objects;
  Discovered d;
  std::smatch m;
  for (const auto& line : Lines(heap.out)) {
    if (std::regex_match(line, kObject)) objects.push_back(line);
    if (std::regex_search(line, m, kString)) d.string_mt = m[1];
  }
  std::vector<std::string> candidates;
  const size_t step = std::max<size_t>(1, objects.size() / 40);
  for (size_t i = step / 2; i < objects.size(); i += step) candidates.push_back(objects[i]);
  for (const auto& line : Lines(held.out)) {
    if (std::regex_match(line, kObject)) candidates.push_back(line);
  }
  for (const auto& line : Lines(shapes.out)) {
    if (std::regex_match(line, kObject)) {
      d.static_rooted.push_back(line);
      candidates.push_back(line);
    }
  }
  ClassifyAll(dump, stacks, candidates, d);
  // Objects a root holds directly are rooted whatever the sample found.
  if (!d.root_object.empty()) ClassifyAll(dump, stacks, {d.root_object}, d);
  if (!d.statics_array.empty()) {
    static const std::regex kElement(R"(^\[\d+\] ([0-9a-f]{16})$)");
    std::set<std::string> in_array;
    const RunResult elements =
        Run({ClrdumpPath(), "analyze", dump, "-c", "dumparray " + d.statics_array, "-c", "exit"});
    for (const auto& line : Lines(elements.out)) {
      if (std::regex_match(line, m, kElement) && m[1] != std::string(16, '0')) {
        in_array.insert(m[1].str().substr(m[1].str().find_first_not_of('0')));
      }
    }
    d.statics_slots.assign(in_array.begin(), in_array.end());
  }
  return d;
}

std::vector<std::string> First(const std::vector<std::string>& v, size_t n) {
  return {v.begin(), v.begin() + static_cast<std::ptrdiff_t>(std::min(n, v.size()))};
}

std::vector<Case> Cases(const Discovered& d, bool stacks) {
  std::vector<Case> cases = {
      {"roots_gcroot_not_an_object", {"gcroot -nostacks 1234", "gcroot -nostacks 1234"}},
      {"roots_gcroot_unparsable", {"gcroot zz"}},
      {"roots_gcroot_missing_address", {"gcroot"}},
      {"roots_gcroot_gcgen_not_on_heap", {"gcroot -gcgen 0 1234"}},
      {"roots_pathto_missing_target", {"pathto 1234"}},
      {"roots_pathto_not_an_object", {"pathto 1234 5678"}},
      // Two arguments: a third is a parse error, which the REPL follows
      // with the command's help.
      {"roots_pathto_too_many_arguments", {"pathto 1234 5678 9"}},
      {"roots_help_pathto", {"help pathto"}},
      {"roots_objsize_not_an_object", {"objsize 1234"}},
      {"roots_objsize_missing_address", {"objsize"}},
      {"roots_gcheapstat", {"gcheapstat", "GCHeapStat"}},
  };
  if (stacks) {
    cases.push_back({"roots_gcheapstat_unreachable", {"gcheapstat -iu", "gcheapstat -unreachable"}});
    cases.push_back({"roots_dumpheap_live_dead_short",
                     {"dumpheap -dead -short", "dumpheap -live -short"}});
    cases.push_back({"roots_dumpheap_live_dead",
                     {"dumpheap -live -stat", "dumpheap -dead -stat", "dumpheap -dead"}});
  }
  Case gcroot{"roots_gcroot", {}};
  Case nostacks{"roots_gcroot_nostacks", {}};
  Case objsize{"roots_objsize", {}};
  for (const auto& o : First(d.rooted, 4)) {
    gcroot.commands.push_back("gcroot " + o);
    nostacks.commands.push_back("gcroot -nostacks " + o);
    objsize.commands.push_back("objsize " + o);
    objsize.commands.push_back("objsize -stat " + o);
    objsize.commands.push_back("objsize -short " + o);
  }
  for (const auto& o : First(d.unrooted, 2)) {
    gcroot.commands.push_back("gcroot " + o);
    nostacks.commands.push_back("gcroot -nostacks " + o);
  }
  if (stacks && !gcroot.commands.empty()) cases.push_back(gcroot);
  if (!nostacks.commands.empty()) cases.push_back(nostacks);
  if (!objsize.commands.empty()) cases.push_back(objsize);
  if (!d.rooted.empty()) {
    cases.push_back({"roots_gcroot_limit", {"gcroot -nostacks -limit 1 " + d.rooted[0]}});
    // dotnet-dump's string statistics fail at the first object that is not
    // a string.
    cases.push_back({"roots_objsize_strings_object", {"objsize -strings " + d.rooted[0]}});
    // Gen 0 and 1 searches end in an error when the object is not older.
    cases.push_back({"roots_gcroot_gcgen", {"gcroot -gcgen 2 -nostacks " + d.rooted[0],
                                            "gcroot -gcgen 0 " + d.rooted[0]}});
  }
  // The second link of a path from a statics array carries the label of
  // the static variable dotnet-dump maps to its slot; pathto prints none.
  Case statics{"roots_gcroot_statics", {}};
  for (const auto& o : First(d.statics, 3)) statics.commands.push_back("gcroot -nostacks " + o);
  for (const auto& o : d.static_rooted) {
    statics.commands.push_back("gcroot -nostacks " + o);
    if (stacks) statics.commands.push_back("gcroot " + o);
    if (!d.statics_array.empty()) statics.commands.push_back("pathto " + d.statics_array + " " + o);
  }
  if (!statics.commands.empty()) cases.push_back(statics);
  // Each static's label: which field ClrMD maps to the slot (statics of
  // classes not yet initialized left out), and how it names its type.
  Case slots{"roots_gcroot_statics_slots", {}};
  for (const auto& o : d.statics_slots) slots.commands.push_back("gcroot -nostacks " + o);
  if (!slots.commands.empty()) cases.push_back(slots);
  if (!d.root_object.empty() && !d.rooted.empty() && d.rooted.front() != d.root_object) {
    const std::string target = d.rooted.front();
    cases.push_back({"roots_pathto",
                     {"pathto " + d.root_object + " " + target,
                      "pathto " + target + " " + d.root_object, "PathTo 1234 " + target}});
  }
  if (!d.string_mt.empty()) {
    cases.push_back({"roots_objsize_mt", {"objsize -stat -mt " + d.string_mt}});
    cases.push_back({"roots_objsize_strings",
                     {"objsize -strings -stat -mt " + d.string_mt,
                      "objsize -strings -short -mt " + d.string_mt}});
  }
  return cases;
}

class AnalyzeRootsDiff : public SharedDumpDiff {
 protected:
  void SetUp() override {
    SharedDumpDiff::SetUp();
    if (!Ready()) return;
    const bool stacks = kNoStackRoots.count(GetParam()) == 0;
    const Discovered d = Discover(dump_, stacks);
    ASSERT_FALSE(d.rooted.empty()) << "no rooted object found in " << dump_;
    // No statics case on a server GC: the DAC does not list the handle of
    // its statics arrays, so dotnet-dump finds no path through them.
    cases_ = Cases(d, stacks);
  }
  std::vector<Case> cases_;
};

class AnalyzeRootsDiffDashC : public AnalyzeRootsDiff {};
class AnalyzeRootsDiffSession : public AnalyzeRootsDiff {};

TEST_P(AnalyzeRootsDiffDashC, CommandsThroughDashC) {
  CompareCasesThroughDashC(oracle_, dump_, cases_);
}

TEST_P(AnalyzeRootsDiffSession, CommandsThroughRedirectedStdin) {
  CompareCasesInSession(oracle_, dump_, cases_, "roots_stdin_session");
}

INSTANTIATE_TEST_SUITE_P(Dumps, AnalyzeRootsDiffDashC,
                         ::testing::Values("waiter.Heap", "waiter.ServerGC.Heap", "threads.Heap",
                                           "crash.nested.Heap", "asyncmain.Heap",
                                           "heapshapes.Heap", "heapshapes.Full"));
INSTANTIATE_TEST_SUITE_P(Dumps, AnalyzeRootsDiffSession,
                         ::testing::Values("waiter.Heap", "threads.Heap", "heapshapes.Heap"));

}  // namespace
}  // namespace clrdump::test
