// Differential tests of `dumpstackobjects`/`dso` and of the `modules`/`lm`
// options against dotnet-dump. Thread counts, stack pointers and module
// addresses are taken from each dump at test time, from clrdump's own
// `threads`, `registers` and `modules`.
#include <fstream>
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

struct Facts {
  size_t threads = 0;
  uint64_t rsp = 0;          // of thread 0
  uint64_t coreclr_base = 0;  // libcoreclr.so's module base
};

Facts Discover(const std::string& dump) {
  const RunResult r = Run({ClrdumpPath(), "analyze", dump, "-c", "threads", "-c", "registers",
                           "-c", "modules", "-c", "exit"});
  Facts f;
  static const std::regex kThread(R"(^[ *]\d+ 0x[0-9A-F]+ \(\d+\)$)");
  static const std::regex kRsp(R"(^rsp = 0x([0-9A-F]{16})$)");
  static const std::regex kCoreclr(R"(^([0-9A-F]{16}) [0-9A-F]{8} .*/libcoreclr\.so$)");
  std::istringstream in(r.out);
  std::string line;
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_search(line, kThread)) ++f.threads;
    if (std::regex_search(line, m, kRsp)) f.rsp = std::stoull(m[1], nullptr, 16);
    if (std::regex_search(line, m, kCoreclr)) f.coreclr_base = std::stoull(m[1], nullptr, 16);
  }
  return f;
}

std::vector<Case> FixedCases() {
  return {
      {"stackobj_dso", {"dso", "dso -verify"}},
      {"stackobj_aliases", {"dumpstackobjects", "DumpStackObjects -verify"}},
      {"stackobj_help", {"help dso", "help dumpstackobjects", "help DumpStackObjects"}},
      {"stackobj_one_bound", {"dso 1"}},
      {"stackobj_three_bounds", {"dso 1 2 3"}},
      {"stackobj_bad_start", {"dso zz 10"}},
      {"stackobj_bad_end", {"dso 10 zz"}},
      {"stackobj_zero_start", {"dso 0 10"}},
      {"stackobj_empty_range", {"dso 1 2"}},
      {"stackobj_unknown_option", {"dso -x"}},
      {"modules_segments", {"modules -s", "lm --segments -n CORECLR"}},
      {"modules_name_ignores_case", {"modules -n LIBCORECLR", "lm --name SYSTEM\\.PRIVATE"}},
      {"modules_address_not_found", {"modules -a 1", "lm --address 0"}},
      {"modules_address_not_a_number", {"modules -a zz", "modules --address 0x10"}},
      {"modules_address_too_big", {"modules -a 18446744073709551616"}},
      {"modules_help", {"help modules", "help lm"}},
      {"modules_verbose", {"modules -v", "lm --verbose -s -n coreclr"}},
      {"modules_resources", {"modules -r", "lm --resources -n \\.dll$"}},
      {"modules_everything_for_managed", {"lm -v -s -r -n ^System\\.Private\\.CoreLib\\.dll$"}},
  };
}

std::vector<Case> DerivedCases(const Facts& f) {
  std::vector<Case> cases;
  Case threads{"stackobj_every_thread", {}};
  for (size_t i = 0; i < f.threads; ++i) {
    threads.commands.push_back(fmt::format("setthread {}", i));
    threads.commands.push_back(i % 2 ? "dso -verify" : "dso");
  }
  cases.push_back(threads);
  if (f.rsp != 0) {
    cases.push_back({"stackobj_bounds",
                     {fmt::format("dso {:x} {:x}", f.rsp, f.rsp + 0x8000),
                      fmt::format("dso 0x{:x} 0x{:x}", f.rsp + 0x4003, f.rsp + 1),
                      fmt::format("DumpStackObjects -verify {:016x} {:x}", f.rsp, f.rsp + 0x100),
                      fmt::format("dso {:x} ffffffffffffffff", f.rsp + 0x10000)}});
  }
  if (f.coreclr_base != 0) {
    cases.push_back({"modules_address",
                     {fmt::format("modules -a {}", f.coreclr_base + 0x10),
                      fmt::format("lm --address {} -s", f.coreclr_base),
                      fmt::format("lm -a {} -r", f.coreclr_base - 1)}});
  }
  return cases;
}

class AnalyzeStackObjDiff : public SharedDumpDiff {
 protected:
  void SetUp() override {
    SharedDumpDiff::SetUp();
    if (!Ready()) return;
    facts_ = Discover(dump_);
    ASSERT_GT(facts_.threads, 1u) << "threads listed too few threads in " << dump_;
    ASSERT_NE(facts_.rsp, 0u) << "no rsp in `registers` of " << dump_;
    ASSERT_NE(facts_.coreclr_base, 0u) << "no libcoreclr.so in `modules` of " << dump_;
    cases_ = FixedCases();
    for (auto& c : DerivedCases(facts_)) cases_.push_back(std::move(c));
  }
  Facts facts_;
  std::vector<Case> cases_;
};

// Every case as its own process (-c).
class AnalyzeStackObjDiffDashC : public AnalyzeStackObjDiff {};
// All cases in one REPL session over redirected stdin.
class AnalyzeStackObjDiffSession : public AnalyzeStackObjDiff {};

TEST_P(AnalyzeStackObjDiffDashC, CommandsThroughDashC) {
  CompareCasesThroughDashC(oracle_, dump_, cases_);
}

TEST_P(AnalyzeStackObjDiffSession, CommandsThroughRedirectedStdin) {
  CompareCasesInSession(oracle_, dump_, cases_, "stackobj_stdin_session");
}

INSTANTIATE_TEST_SUITE_P(Dumps, AnalyzeStackObjDiffDashC,
                         ::testing::Values("waiter.Heap", "waiter.Mini", "crash.nested.Heap",
                                           "threads.Heap", "asyncmain.Heap"));
INSTANTIATE_TEST_SUITE_P(Dumps, AnalyzeStackObjDiffSession,
                         ::testing::Values("waiter.Heap", "waiter.Mini", "waiter.Full",
                                           "waiter.ServerGC.Heap", "threads.Heap", "threads.Full",
                                           "crash.nested.Heap", "crash.nested.Full",
                                           "crash.nested.Mini", "crash.divzero.Heap",
                                           "crash.divzero.Full", "asyncmain.Heap",
                                           "asyncmain.Full"));

}  // namespace
}  // namespace clrdump::test
