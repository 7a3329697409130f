// End-to-end tests of `clrdump collect` against real .NET processes: every
// dump type, the crash report, name lookup, and each failure users hit.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "dump/core_check.h"
#include "harness/env.h"
#include "harness/subprocess.h"
#include "ipc/client.h"
#include "ipc/endpoint.h"

namespace clrdump::test {
namespace {

namespace fs = std::filesystem;

RunResult Collect(const std::vector<std::string>& args, const SpawnOptions& options = {}) {
  std::vector<std::string> argv = {ClrdumpPath(), "collect"};
  argv.insert(argv.end(), args.begin(), args.end());
  return Run(argv, options, std::chrono::seconds(300));
}

// Starts a debuggee and waits until its runtime is up.
std::unique_ptr<Debuggee> StartWaiter(const std::vector<std::string>& argv,
                                      const SpawnOptions& options = {}) {
  auto d = std::make_unique<Debuggee>(argv, options);
  EXPECT_TRUE(d->WaitForLine("READY")) << "debuggee did not start: " << argv[0];
  return d;
}

void ExpectAlive(Debuggee& d) {
  EXPECT_TRUE(d.RunningAndNotStopped());
  ASSERT_TRUE(d.Send("ping"));
  EXPECT_TRUE(d.WaitForLine("ECHO ping", std::chrono::seconds(20)))
      << "the debuggee no longer answers after the dump";
}

pid_t DeadPid() {
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  int status = 0;
  ::waitpid(child, &status, 0);
  return child;
}

TEST(Collect, EveryDumpTypeIsACompleteCoreAndTheTargetLives) {
  auto waiter = StartWaiter(WaiterApphost("TypesWaiter"));
  const std::string dir = MakeTempDir("types");
  std::map<std::string, uintmax_t> sizes;
  const std::pair<const char*, const char*> kinds[] = {
      {"Mini", "dump"}, {"Heap", "dump with heap"}, {"Triage", "triage dump"}, {"Full", "full"}};
  for (const auto& [type, label] : kinds) {
    const std::string path = dir + "/" + type;
    auto r = Collect({"-p", std::to_string(waiter->pid()), "-o", path, "--type", type});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "Writing " + std::string(label) + " to " + path + "\nComplete\n");
    auto core = dump::CheckElfCore(path);
    ASSERT_TRUE(core.ok()) << core.error().message;
    EXPECT_GT(core->thread_count, 1u);
    sizes[type] = fs::file_size(path);
    ExpectAlive(*waiter);
  }
  EXPECT_GT(sizes["Full"], sizes["Heap"]);
  EXPECT_GT(sizes["Heap"], sizes["Mini"]);
}

TEST(Collect, DefaultNameIsAbsoluteInTheCurrentDirectory) {
  auto waiter = StartWaiter(WaiterApphost("DefNameWaiter"));
  const std::string dir = MakeTempDir("defname");
  SpawnOptions in_dir;
  in_dir.cwd = dir;
  auto r = Collect({"-p", std::to_string(waiter->pid()), "--type", "Mini"}, in_dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string prefix = "Writing dump to " + dir + "/core_";
  ASSERT_EQ(r.out.rfind(prefix, 0), 0u) << r.out;
  const std::string path = r.out.substr(16, r.out.find('\n') - 16);
  EXPECT_EQ(path.size(), dir.size() + std::string("/core_20260101_000000").size());
  EXPECT_TRUE(dump::CheckElfCore(path).ok());
}

TEST(Collect, RelativeOutputIsMadeAbsoluteAndTemplatesExpand) {
  auto waiter = StartWaiter(WaiterApphost("TmplWaiter"));
  const std::string dir = MakeTempDir("tmpl");
  SpawnOptions in_dir;
  in_dir.cwd = dir;
  auto r = Collect({"-p", std::to_string(waiter->pid()), "-o", "./sub/../d_%p_%e", "--type",
                    "Mini"},
                   in_dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Writing dump to " + dir + "/d_%p_%e\nComplete\n");
  EXPECT_TRUE(fs::exists(dir + "/d_" + std::to_string(waiter->pid()) + "_TmplWaiter"));
}

TEST(Collect, CrashReportIsWrittenAndParses) {
  auto waiter = StartWaiter(WaiterViaDotnet());
  const std::string path = MakeTempDir("crashreport") + "/core";
  auto r = Collect({"-p", std::to_string(waiter->pid()), "-o", path, "--type", "Mini",
                    "--crashreport"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream report(path + ".crashreport.json");
  ASSERT_TRUE(report.good());
  const auto json = nlohmann::json::parse(report);
  EXPECT_EQ(json["payload"]["protocol_version"], "1.0.0");
  EXPECT_FALSE(json["payload"]["threads"].empty());
  ExpectAlive(*waiter);
}

TEST(Collect, ByNameWithZeroOneAndTwoMatches) {
  auto r0 = Collect({"-n", "NoSuchDotnetApp"});
  EXPECT_EQ(r0.exit_code, 255);
  EXPECT_EQ(r0.err, "[ERROR] There is no active process with the given name: NoSuchDotnetApp\n");

  // Longer than the kernel's 15-character comm: matched through argv[0].
  auto one = StartWaiter(WaiterApphost("SoleWaiterWithLongName"));
  const std::string path = MakeTempDir("byname") + "/core";
  auto r1 = Collect({"-n", "SoleWaiterWithLongName", "-o", path, "--type", "Mini"});
  EXPECT_EQ(r1.exit_code, 0) << r1.err;
  EXPECT_TRUE(dump::CheckElfCore(path).ok());

  auto a = StartWaiter(WaiterApphost("PairWaiter"));
  auto b = StartWaiter(WaiterApphost("PairWaiter"));
  auto r2 = Collect({"-n", "PairWaiter"});
  EXPECT_EQ(r2.exit_code, 255);
  EXPECT_EQ(r2.err,
            "[ERROR] There are more than one active processes with the given name: PairWaiter\n");
}

TEST(Collect, DeadPid) {
  const pid_t pid = DeadPid();
  auto r = Collect({"-p", std::to_string(pid), "-o", "/tmp/never"});
  EXPECT_EQ(r.exit_code, 255);
  EXPECT_EQ(r.out, "Writing full to /tmp/never\n");
  EXPECT_EQ(r.err, "Process " + std::to_string(pid) + " is not running.\n");
}

TEST(Collect, NonDotnetPid) {
  Debuggee sleeper({"sleep", "120"});
  auto r = Collect({"-p", std::to_string(sleeper.pid()), "-o", "/tmp/never"});
  EXPECT_EQ(r.exit_code, 255);
  EXPECT_NE(r.err.find("(sleep) is not a .NET process"), std::string::npos) << r.err;
  EXPECT_TRUE(sleeper.RunningAndNotStopped());
}

TEST(Collect, DiagnosticsDisabled) {
  SpawnOptions disabled;
  disabled.env["DOTNET_EnableDiagnostics"] = "0";
  auto waiter = StartWaiter(WaiterApphost("NoDiagWaiter"), disabled);
  auto r = Collect({"-p", std::to_string(waiter->pid()), "-o", "/tmp/never"});
  EXPECT_EQ(r.exit_code, 255);
  EXPECT_NE(r.err.find("diagnostics server disabled (DOTNET_EnableDiagnostics=0"),
            std::string::npos)
      << r.err;
  ExpectAlive(*waiter);
}

TEST(Collect, TargetWithAnotherTmpdir) {
  const std::string tmp = MakeTempDir("othertmp");
  SpawnOptions other;
  other.env["TMPDIR"] = tmp;
  auto waiter = StartWaiter(WaiterApphost("TmpdirWaiter"), other);
  const std::string path = MakeTempDir("othertmp-out") + "/core";
  auto r = Collect({"-p", std::to_string(waiter->pid()), "-o", path, "--type", "Mini"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(dump::CheckElfCore(path).ok());
}

TEST(Collect, SocketPathTooLongForUnixSockets) {
  // A TMPDIR this long leaves the runtime no room for its socket name.
  std::string tmp = MakeTempDir("long");
  while (tmp.size() < 120) tmp += "/" + std::string(40, 'd');
  fs::create_directories(tmp);
  SpawnOptions long_tmp;
  long_tmp.env["TMPDIR"] = tmp;
  auto waiter = StartWaiter(WaiterApphost("LongTmpWaiter"), long_tmp);
  auto r = Collect({"-p", std::to_string(waiter->pid()), "-o", "/tmp/never"});
  EXPECT_EQ(r.exit_code, 255);
  EXPECT_NE(r.err.find("over the 107-byte limit of Unix sockets"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("shorter TMPDIR"), std::string::npos) << r.err;
}

TEST(Collect, DiagnosticPortInConnectMode) {
  auto waiter = StartWaiter(WaiterApphost("PortWaiter"));
  auto socket = ipc::ResolveProcessSocket(waiter->pid());
  ASSERT_TRUE(socket.ok()) << socket.error().message;
  const std::string path = MakeTempDir("dport") + "/core";
  auto r = Collect({"--dport", *socket + ",connect", "-o", path, "--type", "Mini"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(dump::CheckElfCore(path).ok());
  auto listen = Collect({"--dport", *socket, "-o", path});
  EXPECT_EQ(listen.exit_code, 255);
  EXPECT_EQ(listen.out,
            "Writing full to " + path + "\ndotnet-dump only supports connect mode to a runtime.\n");
}

TEST(Collect, OutputDirectoryTheTargetCannotWrite) {
  CLRDUMP_REQUIRE(IsRoot(), "running a debuggee as another user needs root");
  auto waiter = StartWaiter(WaiterApphost("NobodyWaiter"), AsNobody("nobody"));
  const std::string dir = RootOnlyDir("rootonly");
  auto r = Collect({"-p", std::to_string(waiter->pid()), "-o", dir + "/core"});
  EXPECT_EQ(r.exit_code, 255);
  EXPECT_NE(r.err.find("runs as nobody (uid 65534) and cannot write to " + dir),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(dir + "/core"));
  ExpectAlive(*waiter);
}

TEST(Collect, TargetOfAnotherUser) {
  CLRDUMP_REQUIRE(IsRoot(), "running clrdump as another user needs root");
  auto waiter = StartWaiter(WaiterApphost("RootWaiter"));
  auto r = Collect({"-p", std::to_string(waiter->pid()), "-o", "/tmp/never"}, AsNobody("tool"));
  EXPECT_EQ(r.exit_code, 255);
  EXPECT_NE(r.err.find("runs as root (uid 0), but clrdump runs as nobody"), std::string::npos)
      << r.err;
  ExpectAlive(*waiter);
}

TEST(Collect, UsageErrors) {
  auto none = Collect({});
  EXPECT_EQ(none.exit_code, 255);
  EXPECT_EQ(none.err,
            "[ERROR] Must specify either --process-id, --name, --diagnostic-port, or --dsrouter.\n");
  auto negative = Collect({"-p", "-5"});
  EXPECT_EQ(negative.exit_code, 255);
  EXPECT_EQ(negative.err, "[ERROR] -5 is not a valid process ID\n");
  auto both = Collect({"-p", "1", "-n", "x"});
  EXPECT_EQ(both.err,
            "[ERROR] Only one of the --name, --process-id, --diagnostic-port, or --dsrouter "
            "options may be specified.\n");
  auto bad_type = Collect({"-p", "1", "--type", "bogus"});
  EXPECT_EQ(bad_type.exit_code, 1);
  EXPECT_NE(bad_type.err.find("bogus"), std::string::npos);
}

TEST(ProcessInfo, RealRuntimeAnswers) {
  auto waiter = StartWaiter(WaiterViaDotnet());
  auto socket = ipc::ResolveProcessSocket(waiter->pid());
  ASSERT_TRUE(socket.ok()) << socket.error().message;
  auto info = ipc::DiagnosticsClient(*socket).GetProcessInfo();
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->pid, static_cast<uint64_t>(waiter->pid()));
  EXPECT_EQ(info->os, "Linux");
  EXPECT_EQ(info->arch, "x64");
  EXPECT_NE(info->command_line.find("Waiter.dll"), std::string::npos) << info->command_line;
  EXPECT_EQ(info->clr_version.rfind("10.", 0), 0u) << info->clr_version;
  EXPECT_EQ(info->runtime_identifier, "linux-x64");
}

}  // namespace
}  // namespace clrdump::test
