// Differential tests of `analyze`: the same dump, the same commands, run
// by dotnet-dump and by clrdump, through -c and through redirected stdin.
#include <fstream>

#include <gtest/gtest.h>

#include "harness/differential.h"
#include "harness/env.h"

namespace clrdump::test {
namespace {

const std::vector<AnalyzeCase> kCases = {
    {"analyze_threads", {"threads"}},
    {"analyze_threads_verbose", {"threads -v"}},
    {"analyze_setthread_tid", {"threads 3", "threads", "setthread -t 0"}},
    {"analyze_registers", {"registers"}},
    {"analyze_registers_verbose", {"r -v"}},
    {"analyze_registers_other_thread", {"threads 2", "registers"}},
    {"analyze_bad_thread_index", {"threads 99"}},
    {"analyze_bad_thread_number", {"threads -t 0x1"}},
    {"analyze_bad_argument", {"registers -v 1"}},
    {"analyze_unknown_command", {"bogus"}},
    {"analyze_help_threads", {"help threads"}},
    {"analyze_help_registers", {"soshelp registers"}},
    {"analyze_help_exit", {"help exit"}},
    {"analyze_help_help", {"help help"}},
    {"analyze_help_unknown", {"help nosuch"}},
    {"analyze_sos_prefix", {"sos threads", "ext registers"}},
    {"analyze_modules", {"modules"}},
    {"analyze_lm_filter", {"lm -n libc"}},
    {"analyze_modules_filter_regex", {"modules -n ^System\\.Private"}},
    {"analyze_help_modules", {"help modules"}},
    // In the REPL a parse error also prints the help, which differs for modules.
    {"analyze_repeated_option", {"modules -n a -n b"}, false},
    {"analyze_repeated_flag", {"threads -v -v"}},
    {"analyze_clrthreads", {"clrthreads"}},
    {"analyze_clrthreads_live", {"clrthreads -live"}},
    {"analyze_clrthreads_special", {"clrthreads -special"}},
    {"analyze_clrthreads_managedexception", {"clrthreads -managedexception", "threads"}},
    {"analyze_clrthreads_bad_option", {"clrthreads -bogus"}},
    {"analyze_threadstate", {"threadstate 20020", "threadstate xyz", "threadstate 0x800",
                             "threadstate"}},
    {"analyze_eeversion", {"eeversion"}},
    {"analyze_setclrpath", {"setclrpath", "setclrpath /tmp", "setclrpath", "setclrpath -c",
                            "setclrpath"}},
    {"analyze_help_clrthreads", {"help clrthreads"}, false},
    {"analyze_clrstack", {"clrstack"}},
    {"analyze_clrstack_full", {"clrstack -f"}},
    {"analyze_clrstack_registers", {"clrstack -r"}},
    {"analyze_clrstack_all", {"clrstack -all", "clrstack -all -f -r"}},
    {"analyze_clrstack_count", {"clrstack -c 3", "clrstack -n -f"}},
    {"analyze_clrstack_native_thread", {"threads 1", "clrstack", "threads 0"}},
    {"analyze_clrstack_bad_option", {"clrstack -bogus"}},
    {"analyze_clrstack_missing_count", {"clrstack -c"}},
    {"analyze_clrstack_args_locals", {"clrstack -a", "clrstack -A -n"}},
    {"analyze_clrstack_params", {"clrstack -p", "clrstack -p -f"}},
    {"analyze_clrstack_locals", {"clrstack -l", "clrstack -l -n -f"}},
    {"analyze_clrstack_params_locals", {"clrstack -p -l -c 2"}},
    {"analyze_clrstack_args_locals_all", {"clrstack -a -all", "clrstack -p -all -f"}},
    {"analyze_clrstack_args_locals_registers", {"clrstack -a -r", "clrstack -l -all -f -r"}},
    // SOS takes up to two arguments after the options (for -i) and ignores them.
    {"analyze_clrstack_arguments", {"clrstack -c 1 -p frame 0", "clrstack -c 1 a b c",
                                    "clrstack -c 1 frame -a"}},
    {"analyze_clrstack_repeated_option", {"clrstack -a -A", "clrstack -c 1 -C 2"}},
    {"analyze_pe", {"pe"}},
    {"analyze_pe_lines", {"pe -lines", "printexception -nested -lines"}},
    {"analyze_pe_nested", {"pe -nested"}},
    {"analyze_pe_native_thread", {"threads 1", "pe", "threads 0"}},
    {"analyze_pe_managed_exception_thread", {"clrthreads -managedexception", "pe -lines"}},
    {"analyze_pe_bad_address", {"pe zz"}},
    {"analyze_pe_bad_option", {"pe -bogus"}},
    {"analyze_pe_extra_argument", {"pe 1234 extra"}},
    {"analyze_runtimes", {"runtimes", "runtimes -a"}},
    {"analyze_runtimes_switch", {"runtimes -c", "runtimes -f", "runtimes 0", "setruntime -netcore"}},
    {"analyze_runtimes_bad_id", {"runtimes 1"}},
    {"analyze_help_runtimes", {"help runtimes"}, false},
};

class AnalyzeDiff : public SharedDumpDiff {
 protected:
  void SetUp() override {
    SharedDumpDiff::SetUp();
    if (!Ready()) return;
  }
};

// Every case as its own process (-c), on the Waiter dumps.
class AnalyzeDiffDashC : public AnalyzeDiff {};
// All cases in one REPL session over redirected stdin, on every dump.
class AnalyzeDiffSession : public AnalyzeDiff {};

TEST_P(AnalyzeDiffDashC, CommandsThroughDashC) { CompareCasesThroughDashC(oracle_, dump_, kCases); }

// The threads cases change the current thread; the registers cases that
// follow show it.
TEST_P(AnalyzeDiffSession, CommandsThroughRedirectedStdin) {
  CompareCasesInSession(oracle_, dump_, kCases, "analyze_stdin_session");
}

INSTANTIATE_TEST_SUITE_P(Dumps, AnalyzeDiffDashC,
                         ::testing::Values("waiter.Mini", "waiter.Heap", "waiter.Full",
                                           "waiter.ServerGC.Heap"));
INSTANTIATE_TEST_SUITE_P(Dumps, AnalyzeDiffSession,
                         ::testing::Values("waiter.Mini", "waiter.Heap", "waiter.Full",
                                           "waiter.ServerGC.Heap", "threads.Heap", "threads.Full",
                                           "crash.nested.Heap", "crash.nested.Full",
                                           "crash.nested.Mini", "crash.divzero.Heap",
                                           "crash.divzero.Full", "asyncmain.Heap",
                                           "asyncmain.Full"));

}  // namespace
}  // namespace clrdump::test
