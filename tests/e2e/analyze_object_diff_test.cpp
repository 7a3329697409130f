// Differential tests of the object and type inspection commands (`dumpobj`,
// `dumparray`, `dumpvc`, `dumpmt`, `dumpclass`, `dumpmd`) against
// dotnet-dump. Objects and MethodTables are found at test time: by type
// name from the oracle's `dumpheap -stat` and `dumpheap -mt`, MethodDescs
// and element types from clrdump's own `dumpmt -md` and `dumparray`.
//
// dotnet-dump 10 crashes (SIGSEGV) in `dumpobj` on Heap dumps, after the
// MethodTable line, so the cases that print objects run on Full dumps only.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "harness/differential.h"
#include "harness/env.h"
#include "harness/subprocess.h"

namespace clrdump::test {
namespace {

using Case = AnalyzeCase;

struct Addresses {
  std::map<std::string, std::string> mt_by_type;    // exact type name -> MethodTable
  std::map<std::string, std::string> object_by_mt;  // MethodTable -> first object
  std::string entry_array_mt;                       // an array of structs (Dictionary entries)

  std::string Mt(const std::string& type) const {
    auto it = mt_by_type.find(type);
    return it == mt_by_type.end() ? "" : it->second;
  }
  std::string Object(const std::string& type) const {
    auto it = object_by_mt.find(Mt(type));
    return it == object_by_mt.end() ? "" : it->second;
  }
};

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// `hex` + `delta`, in hex: the address of an array's first element.
std::string HexPlus(const std::string& hex, uint64_t delta) {
  if (hex.empty()) return "";
  std::ostringstream out;
  out << std::hex << std::stoull(hex, nullptr, 16) + delta;
  return out.str();
}

const std::vector<std::string> kTypes = {"System.String",   "System.OutOfMemoryException",
                                         "System.Object[]", "System.Int32[]",
                                         "System.Byte[]",   "System.Char[]",
                                         "System.String[]", "System.RuntimeType",
                                         "System.Int32",    "System.Object"};

Addresses Discover(const std::string& oracle, const std::string& dump) {
  Addresses a;
  const RunResult stat = Run({oracle, "analyze", dump, "-c", "dumpheap -stat", "-c", "exit"});
  static const std::regex kStat(R"(^\s*([0-9a-f]{12,16})\s+[\d,]+\s+[\d,]+ (.+)$)");
  std::smatch m;
  for (const auto& line : Lines(stat.out)) {
    if (!std::regex_match(line, m, kStat)) continue;
    a.mt_by_type[m[2]] = m[1];
    if (a.entry_array_mt.empty() && m[2].str().ends_with("+Entry[]")) a.entry_array_mt = m[1];
  }
  std::vector<std::string> args = {oracle, "analyze", dump};
  std::vector<std::string> mts;
  for (const auto& type : kTypes) mts.push_back(a.Mt(type));
  mts.push_back(a.entry_array_mt);
  mts.push_back(a.Mt("Free"));
  for (const auto& mt : mts) {
    if (mt.empty()) continue;
    args.insert(args.end(), {"-c", "dumpheap -mt " + mt});
  }
  args.insert(args.end(), {"-c", "exit"});
  static const std::regex kObject(
      R"(^\s+([0-9a-f]{12,16})\s+([0-9a-f]{12,16})\s+[\d,]+\s*(Free)?$)");
  for (const auto& line : Lines(Run(args).out)) {
    if (std::regex_match(line, m, kObject)) a.object_by_mt.try_emplace(m[2], m[1]);
  }
  return a;
}

// The first (or last) match of `pattern`'s group 1 in clrdump's output of
// `command`.
std::string FromClrdump(const std::string& dump, const std::string& command,
                        const std::string& pattern, bool last = false) {
  const RunResult r = Run({ClrdumpPath(), "analyze", dump, "-c", command, "-c", "exit"});
  std::smatch m;
  const std::regex re(pattern);
  std::string found;
  for (const auto& line : Lines(r.out)) {
    if (!std::regex_search(line, m, re)) continue;
    found = m[1];
    if (!last) break;
  }
  return found;
}

std::vector<Case> FixedCases() {
  return {
      {"object_dumpobj_no_address", {"dumpobj"}},
      {"object_dumpobj_not_a_number", {"do zz"}},
      {"object_dumpobj_bad_address", {"dumpobj 1234"}},
      {"object_dumpobj_only_option", {"dumpobj -nofields"}},
      {"object_dumpobj_bad_option", {"dumpobj -bogus 1"}},
      {"object_dumparray_no_address", {"dumparray"}},
      {"object_dumparray_bad_address", {"dumparray 1234"}},
      {"object_dumparray_missing_value", {"dumparray -start"}},
      {"object_dumpvc_usage", {"dumpvc", "dumpvc 1234"}},
      {"object_dumpmt_no_address", {"dumpmt"}},
      {"object_dumpmt_bad_address", {"dumpmt abcd"}},
      {"object_dumpmt_not_a_number", {"dumpmt zz"}},
      {"object_dumpclass_no_address", {"dumpclass"}},
      {"object_dumpclass_bad_address", {"dumpclass 1234"}},
      {"object_dumpmd_bad_addresses", {"dumpmd", "dumpmd 1234", "dumpmd abcd"}},
  };
}

// Type cases: they print no object, so they run on every dump.
std::vector<Case> TypeCases(const std::string& dump, const Addresses& a) {
  std::vector<Case> cases;
  const std::string exception_mt = a.Mt("System.OutOfMemoryException");
  Case mts{"object_dumpmt_each", {}};
  for (const auto& type : kTypes) {
    if (!a.Mt(type).empty()) mts.commands.push_back("dumpmt " + a.Mt(type));
  }
  cases.push_back(mts);
  cases.push_back(
      {"object_dumpmt_md", {"dumpmt -md " + exception_mt, "dumpmt -MD " + a.Mt("System.Int32[]")}});
  cases.push_back({"object_dumpmt_all", {"dumpmt -all " + a.Mt("System.String")}});
  Case classes{"object_dumpclass_each", {}};
  for (const auto& type : kTypes) {
    if (!a.Mt(type).empty()) classes.commands.push_back("dumpclass " + a.Mt(type));
  }
  cases.push_back(classes);
  Case mds{"object_dumpmd_from_dumpmt", {}};
  const std::string md_pattern = R"(^[0-9A-F]{16} ([0-9A-F]{16}) +(NONE|JIT|PreJIT|FCALL) )";
  for (const auto& type : {"System.OutOfMemoryException", "System.String"}) {
    // The last slots are the type's own methods (the first are Object's).
    const std::string md = FromClrdump(dump, "dumpmt -md " + a.Mt(type), md_pattern, true);
    if (!md.empty()) mds.commands.push_back("dumpmd " + md);
  }
  const std::string jitted = FromClrdump(dump, "dumpmt -md " + a.Mt("System.String"),
                                         R"(^[0-9A-F]{16} ([0-9A-F]{16}) PreJIT )");
  if (!jitted.empty()) mds.commands.push_back("dumpmd " + jitted);
  cases.push_back(mds);
  const std::string ints = a.Object("System.Int32[]");
  cases.push_back({"object_dumparray_ints",
                   {"dumparray " + ints, "dumparray -start 1 -length 2 " + ints,
                    "dumparray -start 100000 " + ints, "dumparray -nofields " + ints}});
  cases.push_back({"object_dumparray_not_an_array", {"dumparray " + a.Object("System.String")}});
  // An Int32 element and a struct element, read as value classes.
  const std::string int_element = HexPlus(ints, 0x10);
  cases.push_back({"object_dumpvc_int",
                   {"dumpvc " + a.Mt("System.Int32") + " " + int_element,
                    "dumpvc " + a.Mt("System.Int32") + " 1234"}});
  if (!a.entry_array_mt.empty()) {
    const std::string entries =
        a.object_by_mt.count(a.entry_array_mt) ? a.object_by_mt.at(a.entry_array_mt) : "";
    const std::string element_mt =
        FromClrdump(dump, "dumparray " + entries, R"(^Element Methodtable: ([0-9a-f]{16})$)");
    cases.push_back({"object_dumpvc_struct",
                     {"dumpvc " + element_mt + " " + HexPlus(entries, 0x10),
                      "dumpvc " + a.Mt("System.String") + " 0"}});
    cases.push_back({"object_dumparray_structs", {"dumparray -length 3 " + entries}});
  }
  return cases;
}

// Object cases: Full dumps only (see the file comment).
std::vector<Case> ObjectCases(const Addresses& a) {
  std::vector<Case> cases;
  Case objects{"object_dumpobj_each", {}};
  for (const auto& type : kTypes) {
    if (!a.Object(type).empty()) objects.commands.push_back("dumpobj " + a.Object(type));
  }
  cases.push_back(objects);
  const std::string exception = a.Object("System.OutOfMemoryException");
  cases.push_back({"object_through_sos_and_ext",
                   {"sos dumpobj " + exception, "ext dumpmt " + a.Mt("System.String")}});
  cases.push_back(
      {"object_dumpobj_exception", {"do " + exception, "dumpobj -nofields " + exception}});
  cases.push_back({"object_dumpobj_method_table_address", {"dumpobj " + a.Mt("System.String")}});
  // dumpobj -refs: analyze_gcrefs_diff_test.cpp.
  if (!a.Object("Free").empty()) {
    cases.push_back({"object_free",
                     {"dumpobj " + a.Object("Free"), "dumparray " + a.Object("Free"),
                      "dumpmt " + a.Mt("Free")}});
  }
  cases.push_back({"object_dumparray_details",
                   {"dumparray -details " + a.Object("System.Object[]"),
                    "dumparray -details -nofields -length 2 " + a.Object("System.String[]")}});
  if (!a.entry_array_mt.empty() && a.object_by_mt.count(a.entry_array_mt)) {
    cases.push_back({"object_dumparray_struct_details",
                     {"dumparray -details -length 2 " + a.object_by_mt.at(a.entry_array_mt)}});
  }
  return cases;
}

class AnalyzeObjectDiff : public SharedDumpDiff {
 protected:
  void SetUp() override {
    SharedDumpDiff::SetUp();
    if (!Ready()) return;
    addresses_ = Discover(oracle_, dump_);
    for (const auto& type : {"System.String", "System.OutOfMemoryException", "System.Int32[]",
                             "System.Object[]", "System.Int32"}) {
      ASSERT_FALSE(addresses_.Mt(type).empty()) << "no " << type << " MethodTable in " << dump_;
    }
    ASSERT_FALSE(addresses_.Object("System.Int32[]").empty()) << "no Int32[] in " << dump_;
    cases_ = FixedCases();
    for (auto& c : TypeCases(dump_, addresses_)) cases_.push_back(std::move(c));
    if (std::string(GetParam()).ends_with(".Full")) {
      for (auto& c : ObjectCases(addresses_)) cases_.push_back(std::move(c));
    }
  }
  Addresses addresses_;
  std::vector<Case> cases_;
};

class AnalyzeObjectDiffDashC : public AnalyzeObjectDiff {};
class AnalyzeObjectDiffSession : public AnalyzeObjectDiff {};

TEST_P(AnalyzeObjectDiffDashC, CommandsThroughDashC) {
  CompareCasesThroughDashC(oracle_, dump_, cases_);
}

TEST_P(AnalyzeObjectDiffSession, CommandsThroughRedirectedStdin) {
  CompareCasesInSession(oracle_, dump_, cases_, "object_stdin_session");
}

INSTANTIATE_TEST_SUITE_P(Dumps, AnalyzeObjectDiffDashC,
                         ::testing::Values("waiter.Full", "crash.nested.Full", "waiter.Heap"));
INSTANTIATE_TEST_SUITE_P(Dumps, AnalyzeObjectDiffSession,
                         ::testing::Values("threads.Full", "asyncmain.Full", "crash.divzero.Heap"));

}  // namespace
}  // namespace clrdump::test
