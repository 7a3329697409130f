// Finding a runtime's diagnostics socket. A restarted diagnostics server
// leaves older socket files behind, so "newest wins" decides whether we
// talk to the live one; dsrouter's socket takes precedence as in
// dotnet-dump.

#include "ipc/endpoint.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stdexcept>
#include <string>

#include "test_support.h"

using clrdump::ErrorCode;
using clrdump::ipc::FindSocketInDir;
using clrdump::ipc::ResolveProcessSocket;
using ::testing::Optional;

class FindSocketInDirTest : public ::testing::Test {
 protected:
  // Socket files are only stat'ed by name and mtime, so plain files do.
  std::string Touch(const std::string& name, time_t mtime) {
    const std::string path = dir_.File(name);
    WriteFileText(path, "");
    const timespec times[2] = {{mtime, 0}, {mtime, 0}};
    if (::utimensat(AT_FDCWD, path.c_str(), times, 0) != 0) throw std::runtime_error("utimensat");
    return path;
  }
  std::string Dir() const { return dir_.path() + "/"; }

  static constexpr time_t kOld = 1000000000;
  static constexpr time_t kNew = 1000000100;
  ScratchDir dir_;
};

TEST_F(FindSocketInDirTest, NoSocketIsNullopt) {
  Touch("unrelated", kNew);
  EXPECT_EQ(FindSocketInDir(Dir(), 1234), std::nullopt);
}

TEST_F(FindSocketInDirTest, PicksTheNewestOfSeveralSockets) {
  const std::string first = Touch("dotnet-diagnostic-1234-1-socket", kOld);
  const std::string second = Touch("dotnet-diagnostic-1234-2-socket", kNew);
  EXPECT_THAT(FindSocketInDir(Dir(), 1234), Optional(second));
  // Only the mtime decides, not the name.
  Touch("dotnet-diagnostic-1234-1-socket", kNew + 1);
  EXPECT_THAT(FindSocketInDir(Dir(), 1234), Optional(first));
}

TEST_F(FindSocketInDirTest, PidMustMatchExactly) {
  Touch("dotnet-diagnostic-12345-1-socket", kNew);
  Touch("dotnet-diagnostic-123-1-socket-old", kNew);
  EXPECT_EQ(FindSocketInDir(Dir(), 1234), std::nullopt);
  EXPECT_EQ(FindSocketInDir(Dir(), 123), std::nullopt);
}

TEST_F(FindSocketInDirTest, DsrouterSocketWinsWhenAtLeastAsNew) {
  Touch("dotnet-diagnostic-1234-1-socket", kOld);
  Touch("dotnet-diagnostic-1234-2-socket", kNew);
  const std::string router = Touch("dotnet-diagnostic-dsrouter-1234-3-socket", kNew);
  EXPECT_THAT(FindSocketInDir(Dir(), 1234), Optional(router));
}

TEST_F(FindSocketInDirTest, OlderDsrouterSocketLosesToTheRuntimes) {
  const std::string runtime = Touch("dotnet-diagnostic-1234-2-socket", kNew);
  Touch("dotnet-diagnostic-dsrouter-1234-3-socket", kOld);
  EXPECT_THAT(FindSocketInDir(Dir(), 1234), Optional(runtime));
}

TEST_F(FindSocketInDirTest, DsrouterSocketAloneIsFound) {
  const std::string router = Touch("dotnet-diagnostic-dsrouter-1234-3-socket", kOld);
  EXPECT_THAT(FindSocketInDir(Dir(), 1234), Optional(router));
}

TEST(ResolveProcessSocketTest, DeadProcessIsNotRunning) {
  const pid_t gone = ReapedChildPid();
  auto socket = ResolveProcessSocket(gone);
  ASSERT_FALSE(socket.ok());
  EXPECT_EQ(socket.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(socket.error().message, "Process " + std::to_string(gone) + " is not running.");
}

TEST(ResolveProcessSocketTest, LooksInTheTargetsTmpdir) {
  // The target's TMPDIR comes from its environment, not ours.
  ScratchDir dir;
  SpawnedChild child({"TMPDIR=" + dir.path()});
  const std::string path =
      dir.File("dotnet-diagnostic-" + std::to_string(child.pid()) + "-99-socket");
  WriteFileText(path, "");
  auto socket = ResolveProcessSocket(child.pid());
  ASSERT_TRUE(socket.ok()) << socket.error().message;
  EXPECT_EQ(*socket, path);
}

TEST(ResolveProcessSocketTest, DisabledDiagnosticsAreNamed) {
  SpawnedChild child({"DOTNET_EnableDiagnostics=0"});
  auto socket = ResolveProcessSocket(child.pid());
  ASSERT_FALSE(socket.ok());
  EXPECT_EQ(socket.error().code, ErrorCode::kUnsupported);
  EXPECT_EQ(socket.error().message,
            "Process " + std::to_string(child.pid()) +
                " (sleep) has its diagnostics server disabled (DOTNET_EnableDiagnostics=0 in its "
                "environment); restart it without that setting to collect a dump.");
}

TEST(ResolveProcessSocketTest, NonDotnetProcessIsExplained) {
  SpawnedChild child({});
  auto socket = ResolveProcessSocket(child.pid());
  ASSERT_FALSE(socket.ok());
  EXPECT_EQ(socket.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(socket.error().message,
            "Process " + std::to_string(child.pid()) +
                " (sleep) is not a .NET process: it has not loaded libcoreclr.so and publishes no "
                "diagnostics socket.");
}
