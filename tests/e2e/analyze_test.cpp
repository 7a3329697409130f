// End-to-end tests of `clrdump analyze` on real dumps and on bad input:
// every bad input is one clear line and a non-zero exit, never a crash.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "harness/env.h"
#include "harness/subprocess.h"

namespace clrdump::test {
namespace {

namespace fs = std::filesystem;

RunResult Analyze(const std::string& path, const std::vector<std::string>& commands) {
  std::vector<std::string> argv = {ClrdumpPath(), "analyze", path};
  for (const auto& c : commands) {
    argv.push_back("-c");
    argv.push_back(c);
  }
  return Run(argv, {}, std::chrono::seconds(120));
}

// The dump is rejected after the "Loading" line with exactly one line
// that contains `reason`.
void ExpectRejected(const std::string& path, const std::string& reason) {
  auto r = Analyze(path, {"threads", "exit"});
  EXPECT_EQ(r.exit_code, 1) << path << "\n" << r.out << r.err;
  const std::string loading = "Loading core dump: " + path + " ...\n";
  ASSERT_EQ(r.out.rfind(loading, 0), 0u) << r.out;
  const std::string rest = r.out.substr(loading.size());
  EXPECT_EQ(std::count(rest.begin(), rest.end(), '\n'), 1) << rest;
  EXPECT_NE(rest.find(reason), std::string::npos) << rest;
}

std::string WriteFile(const std::string& name, const std::string& bytes) {
  const std::string path = MakeTempDir("badinput") + "/" + name;
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

std::string Truncated(const std::string& source, double fraction) {
  std::ifstream in(source, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  bytes.resize(static_cast<size_t>(static_cast<double>(bytes.size()) * fraction));
  return WriteFile("truncated", bytes);
}

TEST(AnalyzeBadInput, MissingPath) {
  auto r = Analyze("/nonexistent/core", {"exit"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "File does not exist: '/nonexistent/core'.\n");
}

TEST(AnalyzeBadInput, Directory) { ExpectRejected(MakeTempDir("dir"), "is a directory"); }

TEST(AnalyzeBadInput, EmptyFile) { ExpectRejected(WriteFile("empty", ""), "the file is empty"); }

TEST(AnalyzeBadInput, NotElf) { ExpectRejected(WriteFile("text", "hello\n"), "not an ELF file"); }

TEST(AnalyzeBadInput, ElfExecutable) { ExpectRejected("/bin/ls", "not a core file"); }

TEST(AnalyzeBadInput, TruncatedCores) {
  const std::string dump = SharedDump("waiter.Heap");
  CLRDUMP_REQUIRE(fs::exists(dump), "no dump at " + dump);
  ExpectRejected(Truncated(dump, 0.10), "the dump is truncated");
  ExpectRejected(Truncated(dump, 0.50), "the dump is truncated");
  ExpectRejected(Truncated(dump, 0.99), "the dump is truncated");
}

TEST(AnalyzeBadInput, HeaderOnly) {
  const std::string dump = SharedDump("waiter.Mini");
  CLRDUMP_REQUIRE(fs::exists(dump), "no dump at " + dump);
  ExpectRejected(Truncated(dump, 64.0 / static_cast<double>(fs::file_size(dump))),
                 "the dump is truncated");
}

TEST(Analyze, CoreOfANonDotnetProcessStillAnswersNativeCommands) {
  CLRDUMP_REQUIRE(::access("/usr/bin/gcore", X_OK) == 0, "gdb's gcore is not installed");
  Debuggee sleeper({"sleep", "120"});
  const std::string prefix = MakeTempDir("gcore") + "/core";
  auto made = ::clrdump::test::Run({"/usr/bin/gcore", "-o", prefix, std::to_string(sleeper.pid())});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const std::string core = prefix + "." + std::to_string(sleeper.pid());
  auto r = Analyze(core, {"threads", "registers", "exit"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("*0 0x"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(" + std::to_string(sleeper.pid()) + ")"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("rip = 0x"), std::string::npos) << r.out;
  // gdb's cores lack createdump's marker region: dotnet-dump's warning.
  EXPECT_NE(r.out.find("WARNING: This dump doesn't contain memory"), std::string::npos);
}

TEST(Analyze, DashCStopsAtTheFirstFailure) {
  const std::string dump = SharedDump("waiter.Mini");
  CLRDUMP_REQUIRE(fs::exists(dump), "no dump at " + dump);
  auto r = Analyze(dump, {"bogus", "threads", "exit"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "Loading core dump: " + dump + " ...\nUnrecognized SOS command 'bogus'\n");
}

TEST(Analyze, RedirectedStdoutWithoutExitDoesNotWaitForInput) {
  const std::string dump = SharedDump("waiter.Mini");
  CLRDUMP_REQUIRE(fs::exists(dump), "no dump at " + dump);
  // stdin is /dev/null (not a terminal): the REPL reads EOF and ends.
  auto r = Analyze(dump, {"threads"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_FALSE(r.timed_out);
  EXPECT_NE(r.out.find("<END_COMMAND_OUTPUT>"), std::string::npos);
}

}  // namespace
}  // namespace clrdump::test

namespace clrdump::test {
namespace {

// The DAC must come from the build of the runtime that made the dump: a
// directory whose libcoreclr.so is another build is refused, naming both.
TEST(Analyze, DacBesideAnotherRuntimeBuildIsRefused) {
  const std::string dump = SharedDump("waiter.Mini");
  CLRDUMP_REQUIRE(fs::exists(dump), "no dump at " + dump);
  auto modules = Analyze(dump, {"lm -n ^libcoreclr\\.so$", "exit"});
  const size_t at = modules.out.find(" /", modules.out.find('\n')) + 1;
  ASSERT_NE(at, 0u) << modules.out;
  const std::string coreclr = modules.out.substr(at, modules.out.find('\n', at) - at);
  const fs::path runtime_dir = fs::path(coreclr).parent_path();
  const std::string fake = MakeTempDir("fake-runtime");
  fs::copy_file(runtime_dir / "libmscordaccore.so", fs::path(fake) / "libmscordaccore.so");
  // Any other ELF library has another build-id.
  fs::copy_file(runtime_dir / "libclrjit.so", fs::path(fake) / "libcoreclr.so");
  auto r = Analyze(dump, {"setclrpath " + fake, "clrthreads", "exit"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("The runtime in " + fake + " is build "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("but the dump was made by build "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("setclrpath"), std::string::npos) << r.out;
}

TEST(Analyze, MissingDacIsAClearError) {
  const std::string dump = SharedDump("waiter.Mini");
  CLRDUMP_REQUIRE(fs::exists(dump), "no dump at " + dump);
  const std::string empty = MakeTempDir("no-dac");
  auto r = Analyze(dump, {"setclrpath " + empty, "clrthreads", "exit"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("the DAC " + empty + "/libmscordaccore.so does not exist"),
            std::string::npos)
      << r.out;
}

}  // namespace
}  // namespace clrdump::test

namespace clrdump::test {
namespace {

// The interactive REPL on a real terminal (tmux): completion, history,
// and Ctrl-C dropping the line being typed instead of ending the session.
class InteractiveRepl : public ::testing::Test {
 protected:
  void SetUp() override {
    CLRDUMP_REQUIRE(::access("/usr/bin/tmux", X_OK) == 0, "tmux is not installed");
    dump_ = SharedDump("threads.Heap");
    CLRDUMP_REQUIRE(fs::exists(dump_), "no dump at " + dump_);
    session_ = "clrdump-test-" + std::to_string(::getpid());
    auto started = Tmux({"new-session", "-d", "-s", session_, "-x", "160", "-y", "50",
                         ClrdumpPath() + " analyze " + dump_ + "; echo EXITED; sleep 60"});
    ASSERT_EQ(started.exit_code, 0) << started.err;
    ASSERT_TRUE(WaitFor("Type 'quit' or 'exit'"));
  }
  void TearDown() override { Tmux({"kill-session", "-t", session_}); }

  RunResult Tmux(std::vector<std::string> args) {
    args.insert(args.begin(), "/usr/bin/tmux");
    return ::clrdump::test::Run(args, {}, std::chrono::seconds(20));
  }
  void Keys(const std::vector<std::string>& keys) {
    std::vector<std::string> args = {"send-keys", "-t", session_};
    args.insert(args.end(), keys.begin(), keys.end());
    Tmux(args);
  }
  // The pane with its scrollback.
  std::string Screen() { return Tmux({"capture-pane", "-p", "-S", "-2000", "-t", session_}).out; }
  bool WaitFor(const std::string& text) {
    for (int i = 0; i < 100; ++i) {
      if (Screen().find(text) != std::string::npos) return true;
      ::usleep(100 * 1000);
    }
    return false;
  }

  std::string dump_;
  std::string session_;
};

TEST_F(InteractiveRepl, CompletionHistoryAndCtrlC) {
  Keys({"clrthr", "Tab", "Enter"});
  ASSERT_TRUE(WaitFor("ThreadCount:")) << Screen();
  Keys({"threa", "C-c"});
  Keys({"registers", "Enter"});
  ASSERT_TRUE(WaitFor("rip = 0x")) << Screen();
  EXPECT_EQ(Screen().find("threaregisters"), std::string::npos) << Screen();
  Keys({"Up", "Up", "Enter"});  // history: clrthreads again
  bool twice = false;
  for (int i = 0; i < 100 && !twice; ++i, ::usleep(100 * 1000)) {
    const std::string screen = Screen();
    const size_t first = screen.find("ThreadCount:");
    twice = first != std::string::npos && screen.find("ThreadCount:", first + 1) != std::string::npos;
  }
  EXPECT_TRUE(twice) << Screen();
  Keys({"q", "Enter"});
  EXPECT_TRUE(WaitFor("EXITED")) << Screen();
}

}  // namespace
}  // namespace clrdump::test
