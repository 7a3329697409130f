// Differential tests of `dumpobjgcrefs` against dotnet-dump, on objects of
// every kind the HeapShapes dumps hold (plain objects with inherited and
// struct fields, object and struct arrays, a multi-dimensional array, a
// boxed struct, delegates, objects without references, invalid objects),
// on the AsyncMain dump's boxed state machines (struct paths through
// generic types), and its argument errors. Objects are found with clrdump's
// own `dumpheap` (diff-tested elsewhere). `dumpobj -refs` prints the object
// and then dumpobjgcrefs' table, where dotnet-dump 10 fails; that is checked
// against the oracle's two commands.
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "harness/differential.h"
#include "harness/env.h"
#include "harness/subprocess.h"

namespace clrdump::test {
namespace {

using Case = AnalyzeCase;
using Kinds = std::vector<std::pair<std::string, std::vector<std::string>>>;

std::string Analyze(const std::string& tool, const std::string& dump,
                    const std::vector<std::string>& commands) {
  std::vector<std::string> argv = {tool, "analyze", dump};
  for (const auto& c : commands) argv.insert(argv.end(), {"-c", c});
  argv.insert(argv.end(), {"-c", "exit"});
  return Run(argv, {}, std::chrono::seconds(300)).out;
}

// The first object whose type is exactly `type`, from clrdump's dumpheap.
std::string FirstObject(const std::string& dump, const std::string& type) {
  // A filter is one word: generic names are matched by their first word.
  const std::string filter = type.substr(0, type.find(' '));
  const std::string stat = Analyze(ClrdumpPath(), dump, {"dumpheap -stat -type " + filter});
  static const std::regex kStat(R"(^\s*([0-9a-f]{12,16})\s+[\d,]+\s+[\d,]+ (.+)$)");
  static const std::regex kAddress("[0-9a-f]+");
  std::istringstream lines(stat);
  std::smatch m;
  for (std::string line; std::getline(lines, line);) {
    if (!std::regex_match(line, m, kStat) || m[2] != type) continue;
    std::istringstream objects(Analyze(ClrdumpPath(), dump, {"dumpheap -short -mt " + m[1].str()}));
    for (std::string object; std::getline(objects, object);) {
      if (std::regex_match(object, kAddress)) return object;
    }
  }
  return "";
}

std::string HexPlus(const std::string& hex, uint64_t delta) {
  std::ostringstream out;
  out << std::hex << std::stoull(hex, nullptr, 16) + delta;
  return out.str();
}

const Kinds kHeapShapesKinds = {
    // Inherited fields, a struct field's path ("Embedded.Label"), many fields.
    {"gcrefs_objects",
     {"HeapShapes.StaticRooted", "HeapShapes.DeepTail", "HeapShapes.OuterShapeException",
      "System.Collections.Generic.List<System.Object>"}},
    // Elements have no field: the Field column is empty (header-wide).
    {"gcrefs_arrays",
     {"HeapShapes.ShapePoint[]", "System.String[,]", "System.String[][]", "System.Object[]"}},
    {"gcrefs_boxed_struct", {"HeapShapes.ShapePoint"}},
    {"gcrefs_delegate", {"HeapShapes.DelegateHost", "System.Func<System.Int32, System.Int32>"}},
    {"gcrefs_none", {"HeapShapes.Gen0Fresh", "System.String", "HeapShapes.ShapeScalar[]"}},
};

const Kinds kAsyncMainKinds = {
    // Struct paths through a method builder and an exception's dispatch state.
    {"gcrefs_struct_paths",
     {"Program+<Main>d__0", "System.Runtime.ExceptionServices.ExceptionDispatchInfo"}},
};

class AnalyzeGcRefsDiff : public SharedDumpDiff {
 protected:
  void SetUp() override {
    SharedDumpDiff::SetUp();
    if (!Ready()) return;
    const std::string name = GetParam();
    const Kinds& kinds = name.starts_with("heapshapes.") ? kHeapShapesKinds : kAsyncMainKinds;
    for (const auto& [case_name, types] : kinds) {
      Case c{case_name, {}};
      for (const auto& type : types) {
        const std::string object = FirstObject(dump_, type);
        ASSERT_FALSE(object.empty()) << "no " << type << " in " << dump_;
        c.commands.push_back("dumpobjgcrefs " + object);
        objects_.push_back(object);
      }
      cases_.push_back(c);
    }
    const std::string first = objects_.front();
    cases_.push_back(
        {"gcrefs_prefixed_address", {"dumpobjgcrefs 0x" + first, "DumpObjGCRefs " + first}});
    // Not an object's start, and not heap memory at all.
    cases_.push_back(
        {"gcrefs_invalid_object", {"dumpobjgcrefs " + HexPlus(first, 8), "dumpobjgcrefs 10"}});
    cases_.push_back({"gcrefs_bad_address", {"dumpobjgcrefs zz"}});
    cases_.push_back({"gcrefs_zero_address", {"dumpobjgcrefs 0"}});
    cases_.push_back({"gcrefs_missing_argument", {"dumpobjgcrefs"}});
    // In the REPL dotnet-dump appends the long documentation to parse errors.
    cases_.push_back({"gcrefs_two_arguments", {"dumpobjgcrefs " + first + " " + first}, false});
    cases_.push_back({"gcrefs_help", {"help dumpobjgcrefs"}});
  }
  std::vector<std::string> objects_;
  std::vector<Case> cases_;
};

class AnalyzeGcRefsDiffDashC : public AnalyzeGcRefsDiff {};
class AnalyzeGcRefsDiffSession : public AnalyzeGcRefsDiff {};

TEST_P(AnalyzeGcRefsDiffDashC, CommandsThroughDashC) {
  CompareCasesThroughDashC(oracle_, dump_, cases_);
}

TEST_P(AnalyzeGcRefsDiffSession, CommandsThroughRedirectedStdin) {
  CompareCasesInSession(oracle_, dump_, cases_, "gcrefs_stdin_session");
}

// dotnet-dump's dumpobj crashes on Heap dumps: Full dumps only.
class AnalyzeGcRefsDumpObjRefs : public AnalyzeGcRefsDiff {};

// clrdump's `dumpobj -refs X` is the oracle's `dumpobj X` followed by its
// `dumpobjgcrefs X`, for an object with references and one without.
TEST_P(AnalyzeGcRefsDumpObjRefs, PrintsTheObjectThenItsReferences) {
  // Each run prints the "Loading core dump" line first.
  auto body = [](const std::string& text) { return text.substr(text.find('\n') + 1); };
  for (const std::string& object : {objects_.front(), objects_.back()}) {
    const std::string refs = body(Analyze(oracle_, dump_, {"dumpobjgcrefs " + object}));
    ASSERT_EQ(refs.rfind("GC Refs", 0), 0u) << refs;
    const std::string expected = Analyze(oracle_, dump_, {"dumpobj " + object}) + refs;
    EXPECT_EQ(Analyze(ClrdumpPath(), dump_, {"dumpobj -refs " + object}), expected) << object;
  }
}

// In the REPL the oracle's helper fails ("ERROR: Unrecognized SOS command
// 'DumpObj'") where clrdump prints the table; accepted_differences.tsv drops
// those lines, the object's own lines must be equal.
TEST_P(AnalyzeGcRefsDumpObjRefs, SessionDiffersOnlyInTheReferences) {
  CompareCasesInSession(oracle_, dump_,
                        {{"refs",
                          {"dumpobj -refs " + objects_.front(),
                           "dumpobj -nofields -refs " + objects_.back()}}},
                        "gcrefs_dumpobj_refs_session");
}

INSTANTIATE_TEST_SUITE_P(Dumps, AnalyzeGcRefsDiffDashC,
                         ::testing::Values("heapshapes.Heap", "heapshapes.Full", "asyncmain.Full"));
INSTANTIATE_TEST_SUITE_P(Dumps, AnalyzeGcRefsDiffSession,
                         ::testing::Values("heapshapes.Heap", "asyncmain.Full"));
INSTANTIATE_TEST_SUITE_P(Dumps, AnalyzeGcRefsDumpObjRefs, ::testing::Values("heapshapes.Full"));

}  // namespace
}  // namespace clrdump::test
