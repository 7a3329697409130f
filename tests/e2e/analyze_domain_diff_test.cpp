// Differential tests of the domain commands (`dumpdomain`, `dumpassembly`,
// `dumpmodule`, `assemblies`/`clrmodules`) against dotnet-dump. Addresses
// are taken from each dump at test time, from clrdump's own `dumpdomain`.
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

struct Addresses {
  std::vector<std::string> domains;  // system domain first
  std::vector<std::string> assemblies;
  std::vector<std::string> modules;
  std::string app_module;  // the debuggee's own assembly's module
};

Addresses Discover(const std::string& dump) {
  const RunResult r = Run({ClrdumpPath(), "analyze", dump, "-c", "dumpdomain", "-c", "exit"});
  Addresses a;
  static const std::regex kDomain(R"(^(System Domain|Domain \d+): +([0-9a-f]{16})$)");
  static const std::regex kAssembly(R"(^Assembly: +([0-9a-f]{16}) )");
  static const std::regex kModule(R"(^  ([0-9a-f]{16})    (.*)$)");
  std::istringstream in(r.out);
  std::string line;
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_search(line, m, kDomain)) a.domains.push_back(m[2]);
    if (std::regex_search(line, m, kAssembly)) a.assemblies.push_back(m[1]);
    if (std::regex_search(line, m, kModule)) {
      a.modules.push_back(m[1]);
      if (m[2].str().find("/shared/Microsoft.NETCore.App/") == std::string::npos) {
        a.app_module = m[1];
      }
    }
  }
  return a;
}

std::vector<Case> FixedCases() {
  return {
      {"domain_dumpdomain", {"dumpdomain"}},
      {"domain_dumpdomain_dml_flag_is_an_argument", {"dumpdomain /d", "dumpdomain 0x0"}},
      {"domain_dumpdomain_bad_address", {"dumpdomain 1234"}},
      {"domain_dumpdomain_bad_option", {"dumpdomain -bogus"}},
      {"domain_assemblies", {"assemblies", "clrmodules"}},
      {"domain_assemblies_verbose", {"assemblies -v", "clrmodules --verbose -v"}},
      {"domain_assemblies_filter", {"assemblies -n RUNTIME", "clrmodules --name ^System\\.T -v",
                                    "assemblies -n zzz", "assemblies -n \\.dll$"}},
      {"domain_assemblies_missing_name", {"assemblies -n"}},
      {"domain_assemblies_bad_option", {"assemblies -x"}},
      {"domain_assemblies_extra_argument", {"clrmodules extra"}},
      {"domain_assemblies_bad_regex", {"assemblies -n ("}, false},
      {"domain_help_assemblies", {"help assemblies", "help clrmodules"}},
      {"domain_dumpassembly_no_address", {"dumpassembly", "dumpassembly zz"}},
      {"domain_dumpassembly_bad_address", {"dumpassembly 1234"}},
      {"domain_dumpassembly_extra_argument", {"dumpassembly 1 2"}},
      {"domain_dumpassembly_bad_option", {"dumpassembly -x"}},
      {"domain_dumpmodule_no_address", {"dumpmodule"}},
      {"domain_dumpmodule_only_option", {"dumpmodule -mt"}},
      {"domain_dumpmodule_bad_address", {"dumpmodule 1234"}},
      {"domain_dumpmodule_expression", {"dumpmodule 1234+0"}},
      {"domain_dumpmodule_repeated_option", {"dumpmodule -mt -MT 1"}},
      {"domain_dumpmodule_missing_quote", {"dumpmodule 'abc"}},
      {"domain_dumpmodule_quoted", {"dumpmodule 'abc def'"}},
  };
}

std::vector<Case> DerivedCases(const Addresses& a) {
  std::vector<Case> cases;
  Case domains{"domain_dumpdomain_each", {}};
  for (const auto& d : a.domains) domains.commands.push_back("dumpdomain " + d);
  cases.push_back(domains);
  Case assemblies{"domain_dumpassembly_each", {}};
  for (const auto& x : a.assemblies) assemblies.commands.push_back("dumpassembly " + x);
  cases.push_back(assemblies);
  Case modules{"domain_dumpmodule_each", {}};
  for (const auto& m : a.modules) modules.commands.push_back("dumpmodule 0x" + m);
  cases.push_back(modules);
  if (!a.modules.empty()) {
    cases.push_back({"domain_dumpmodule_types_corelib", {"dumpmodule -mt " + a.modules.front()}});
  }
  if (!a.app_module.empty()) {
    cases.push_back({"domain_dumpmodule_types_and_profiler",
                     {"dumpmodule -MT -prof " + a.app_module, "dumpmodule -prof " + a.app_module}});
    cases.push_back({"domain_dumpmodule_option_after_address", {"dumpmodule " + a.app_module + " -mt"}});
  }
  if (!a.domains.empty()) {
    cases.push_back({"domain_dumpdomain_extra_arguments",
                     {"dumpdomain " + a.domains.back() + " extra more"}});
  }
  return cases;
}

class AnalyzeDomainDiff : public SharedDumpDiff {
 protected:
  void SetUp() override {
    SharedDumpDiff::SetUp();
    if (!Ready()) return;
    addresses_ = Discover(dump_);
    ASSERT_EQ(addresses_.domains.size(), 2u) << "dumpdomain found no domains in " << dump_;
    ASSERT_FALSE(addresses_.assemblies.empty());
    ASSERT_FALSE(addresses_.app_module.empty());
    cases_ = FixedCases();
    for (auto& c : DerivedCases(addresses_)) cases_.push_back(std::move(c));
  }
  Addresses addresses_;
  std::vector<Case> cases_;
};

// Every case as its own process (-c).
class AnalyzeDomainDiffDashC : public AnalyzeDomainDiff {};
// All cases in one REPL session over redirected stdin.
class AnalyzeDomainDiffSession : public AnalyzeDomainDiff {};

TEST_P(AnalyzeDomainDiffDashC, CommandsThroughDashC) {
  CompareCasesThroughDashC(oracle_, dump_, cases_);
}

TEST_P(AnalyzeDomainDiffSession, CommandsThroughRedirectedStdin) {
  CompareCasesInSession(oracle_, dump_, cases_, "domain_stdin_session");
}

INSTANTIATE_TEST_SUITE_P(Dumps, AnalyzeDomainDiffDashC,
                         ::testing::Values("waiter.Heap", "waiter.Mini", "crash.nested.Heap",
                                           "threads.Heap"));
INSTANTIATE_TEST_SUITE_P(Dumps, AnalyzeDomainDiffSession,
                         ::testing::Values("waiter.Heap", "waiter.Mini", "waiter.Full",
                                           "waiter.ServerGC.Heap", "threads.Heap", "threads.Full",
                                           "crash.nested.Heap", "crash.nested.Mini",
                                           "crash.divzero.Heap", "asyncmain.Heap"));

}  // namespace
}  // namespace clrdump::test
