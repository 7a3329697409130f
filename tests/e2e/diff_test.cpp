// Differential tests: clrdump and Microsoft's dotnet-dump run on the same
// targets; stdout, stderr and exit codes must be equal unless the
// difference is listed in accepted_differences.tsv with its reason.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>

#include <gtest/gtest.h>

#include "harness/differential.h"
#include "harness/env.h"
#include "harness/subprocess.h"
#include "ipc/endpoint.h"

namespace clrdump::test {
namespace {

class Differential : public ::testing::Test {
 protected:
  void SetUp() override {
    oracle_ = OraclePath();
    CLRDUMP_REQUIRE(!oracle_.empty(),
                    "the dotnet-dump oracle is not installed (run scripts/setup.sh, or set "
                    "CLRDUMP_ORACLE)");
  }

  RunResult RunTool(const std::string& tool, const std::vector<std::string>& args) {
    std::vector<std::string> argv = {tool};
    argv.insert(argv.end(), args.begin(), args.end());
    return ::clrdump::test::Run(argv, {}, std::chrono::seconds(300));
  }

  void Compare(const std::string& name, const std::vector<std::string>& args,
               const SpawnOptions& options = {}, const std::function<void()>& between = {}) {
    CompareWithOracle(oracle_, name, args, options, between);
  }

  std::string oracle_;
};

std::unique_ptr<Debuggee> StartReady(const std::vector<std::string>& argv,
                                     const SpawnOptions& options = {}) {
  auto d = std::make_unique<Debuggee>(argv, options);
  EXPECT_TRUE(d->WaitForLine("READY")) << argv[0];
  return d;
}

TEST_F(Differential, PsListsTheSameProcessesInTheSameLayout) {
  auto via_dotnet = StartReady(WaiterViaDotnet());
  auto via_apphost = StartReady(WaiterApphost("PsWaiter"));
  const std::string tmp = MakeTempDir("ps-tmpdir");
  SpawnOptions other_tmp;
  other_tmp.env["TMPDIR"] = tmp;
  std::vector<std::string> with_args = WaiterApphost("PsTmpWaiter");
  with_args.push_back("an arg");
  auto via_tmpdir = StartReady(with_args, other_tmp);

  // Unrelated .NET processes may start or stop between the two runs; a
  // few attempts keep that noise from failing the comparison.
  RunResult ours, theirs;
  for (int attempt = 0; attempt < 3; ++attempt) {
    theirs = RunTool(oracle_, {"ps"});
    ours = RunTool(ClrdumpPath(), {"ps"});
    if (ours.out == theirs.out) break;
  }
  EXPECT_EQ(ours.exit_code, 0);
  EXPECT_EQ(ours.out, theirs.out);
  for (pid_t pid : {via_dotnet->pid(), via_apphost->pid(), via_tmpdir->pid()}) {
    EXPECT_NE(ours.out.find(" " + std::to_string(pid) + " "), std::string::npos)
        << "pid " << pid << " missing from:\n" << ours.out;
  }
  EXPECT_NE(ours.out.find("an arg "), std::string::npos);
}

// Runs `<tool> ps` on a pseudo-terminal of `columns` columns, where
// dotnet-dump truncates its columns to fit.
std::string PsOnTerminal(const std::string& tool, int columns) {
  auto r = ::clrdump::test::Run(
      {"script", "-qec", "stty cols " + std::to_string(columns) + "; " + tool + " ps",
       "/dev/null"});
  // .NET switches the keypad mode when it finds a terminal.
  std::string out = r.out;
  for (const std::string escape : {"\x1b[?1h\x1b=", "\x1b[?1l\x1b>"}) {
    for (size_t at; (at = out.find(escape)) != std::string::npos;) out.erase(at, escape.size());
  }
  return out;
}

TEST_F(Differential, PsTruncatesColumnsToTheTerminalWidth) {
  std::vector<std::string> long_args = WaiterApphost("PsWideWaiter");
  for (const char* word : {"an", "argument", "list", "long", "enough", "to", "be", "cut"}) {
    long_args.push_back(word);
  }
  auto wide = StartReady(long_args);
  auto via_dotnet = StartReady(WaiterViaDotnet());
  for (int columns : {40, 80, 120, 200}) {
    std::string ours, theirs;
    for (int attempt = 0; attempt < 3; ++attempt) {
      theirs = PsOnTerminal(oracle_, columns);
      ours = PsOnTerminal(ClrdumpPath(), columns);
      if (ours == theirs) break;
    }
    EXPECT_EQ(ours, theirs) << columns << " columns";
    // Narrow terminals cut even the pid column.
    if (columns >= 120) {
      EXPECT_NE(ours.find(std::to_string(wide->pid())), std::string::npos) << ours;
    }
  }
}

TEST_F(Differential, PsFindsProcessesInOtherPidNamespaces) {
  CLRDUMP_REQUIRE(IsRoot(), "a new PID namespace needs root");
  // --kill-child: the Waiter is its namespace's init and would outlive a
  // killed unshare.
  std::vector<std::string> argv = {"unshare", "--pid", "--fork", "--mount-proc", "--kill-child"};
  for (const auto& a : WaiterApphost("NsWaiter")) argv.push_back(a);
  auto contained = StartReady(argv);
  RunResult ours, theirs;
  for (int attempt = 0; attempt < 3; ++attempt) {
    theirs = RunTool(oracle_, {"ps"});
    ours = RunTool(ClrdumpPath(), {"ps"});
    if (ours.out == theirs.out) break;
  }
  EXPECT_EQ(ours.out, theirs.out);
  EXPECT_NE(ours.out.find(" NsWaiter "), std::string::npos) << ours.out;
}

TEST_F(Differential, CollectUsageErrors) {
  Compare("collect_no_target", {"collect"});
  Compare("collect_negative_pid", {"collect", "-p", "-5"});
  Compare("collect_two_targets", {"collect", "-p", "1", "-n", "x"});
  Compare("collect_name_none", {"collect", "-n", "NoSuchDotnetApp"});
  Compare("collect_listen_port", {"collect", "--dport", "/tmp/x", "-o", "/tmp/never"});
  Compare("collect_missing_port_socket",
          {"collect", "--dport", "/nonexistent/socket,connect", "-o", "/tmp/never"});
  Compare("collect_bad_type", {"collect", "-p", "1", "--type", "bogus"});
}

TEST_F(Differential, CollectByNameWithTwoMatches) {
  auto a = StartReady(WaiterApphost("DiffPairWaiter"));
  auto b = StartReady(WaiterApphost("DiffPairWaiter"));
  Compare("collect_name_two", {"collect", "-n", "DiffPairWaiter"});
}

TEST_F(Differential, CollectDeadAndForeignProcesses) {
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  int status = 0;
  ::waitpid(child, &status, 0);
  Compare("collect_dead_pid", {"collect", "-p", std::to_string(child), "-o", "/tmp/never"});
  Debuggee sleeper({"sleep", "120"});
  Compare("collect_non_dotnet_pid",
          {"collect", "-p", std::to_string(sleeper.pid()), "-o", "/tmp/never"});
  SpawnOptions disabled;
  disabled.env["DOTNET_EnableDiagnostics"] = "0";
  auto waiter = StartReady(WaiterApphost("DiffNoDiag"), disabled);
  Compare("collect_diagnostics_disabled",
          {"collect", "-p", std::to_string(waiter->pid()), "-o", "/tmp/never"});
}

TEST_F(Differential, CollectSuccessPrintsTheSame) {
  auto waiter = StartReady(WaiterApphost("DiffOkWaiter"));
  const std::string path = MakeTempDir("diff-ok") + "/core";
  auto remove_dump = [&] { ::unlink(path.c_str()); };
  for (const char* type : {"Mini", "Heap", "Triage"}) {
    Compare(std::string("collect_ok_") + type,
            {"collect", "-p", std::to_string(waiter->pid()), "-o", path, "--type", type}, {},
            remove_dump);
  }
  Compare("collect_ok_by_name", {"collect", "-n", "DiffOkWaiter", "-o", path, "--type", "mini"},
          {}, remove_dump);
}

TEST_F(Differential, CollectPermissionProblems) {
  CLRDUMP_REQUIRE(IsRoot(), "switching users needs root");
  auto nobody_waiter = StartReady(WaiterApphost("DiffNobody"), AsNobody("diff-nobody"));
  const std::string dir = RootOnlyDir("diff-rootonly");
  Compare("collect_unwritable_output_dir",
          {"collect", "-p", std::to_string(nobody_waiter->pid()), "-o", dir + "/core"});

  auto root_waiter = StartReady(WaiterApphost("DiffRoot"));
  Compare("collect_other_user",
          {"collect", "-p", std::to_string(root_waiter->pid()), "-o", "/tmp/never"},
          AsNobody("diff-tool-nobody"));
}

}  // namespace
}  // namespace clrdump::test
