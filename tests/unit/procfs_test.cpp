// /proc readers, checked on this process and on children whose argv and
// environment the test chose, so every expected value is known exactly.

#include "base/procfs.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include "test_support.h"

namespace proc = clrdump::proc;
using clrdump::ErrorCode;
using ::testing::ElementsAre;
using ::testing::EndsWith;
using ::testing::Optional;

TEST(ProcfsTest, CmdlineOfThisProcessEndsWithTheTrailingEmptyPart) {
  auto parts = proc::ReadCmdlineParts(::getpid());
  ASSERT_TRUE(parts.ok()) << parts.error().message;
  ASSERT_GE(parts->size(), 2u);
  EXPECT_THAT(parts->front(), EndsWith("unit_tests"));
  EXPECT_EQ(parts->back(), "");
}

TEST(ProcfsTest, CmdlineOfAChildIsItsArgv) {
  SpawnedChild child({});
  auto parts = proc::ReadCmdlineParts(child.pid());
  ASSERT_TRUE(parts.ok()) << parts.error().message;
  EXPECT_THAT(*parts, ElementsAre("sleep", "30", ""));
}

TEST(ProcfsTest, NsPidsOfThisProcessAreItsOwnPid) {
  auto pids = proc::ReadNsPids(::getpid());
  ASSERT_TRUE(pids.ok()) << pids.error().message;
  ASSERT_FALSE(pids->empty());
  // Outermost as /proc sees it, innermost as the process sees itself;
  // both are getpid() for a process in /proc's own namespace.
  EXPECT_EQ(pids->front(), ::getpid());
  EXPECT_EQ(pids->back(), ::getpid());
}

TEST(ProcfsTest, CredentialsAreTheEffectiveIds) {
  auto creds = proc::ReadCredentials(::getpid());
  ASSERT_TRUE(creds.ok()) << creds.error().message;
  EXPECT_EQ(creds->uid, ::geteuid());
  EXPECT_EQ(creds->gid, ::getegid());
}

TEST(ProcfsTest, StartTimeIsPositiveAndLaterForAChild) {
  auto mine = proc::ReadStartTime(::getpid());
  ASSERT_TRUE(mine.ok()) << mine.error().message;
  EXPECT_GT(*mine, 0u);
  SpawnedChild child({});
  auto theirs = proc::ReadStartTime(child.pid());
  ASSERT_TRUE(theirs.ok()) << theirs.error().message;
  EXPECT_GE(*theirs, *mine);
}

TEST(ProcfsTest, ProcessExistsOnlyForLivePids) {
  EXPECT_TRUE(proc::ProcessExists(::getpid()));
  EXPECT_TRUE(proc::ProcessExists(1));  // init: EPERM for others still means "exists"
  EXPECT_FALSE(proc::ProcessExists(ReapedChildPid()));
  EXPECT_FALSE(proc::ProcessExists(0));
  EXPECT_FALSE(proc::ProcessExists(-1));
}

TEST(ProcfsTest, ReadersReportAVanishedProcessAsNotFound) {
  const pid_t gone = ReapedChildPid();
  auto cmdline = proc::ReadCmdlineParts(gone);
  ASSERT_FALSE(cmdline.ok());
  EXPECT_EQ(cmdline.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(cmdline.error().message,
            "/proc/" + std::to_string(gone) + "/cmdline: No such file or directory");
  auto creds = proc::ReadCredentials(gone);
  ASSERT_FALSE(creds.ok());
  EXPECT_EQ(creds.error().code, ErrorCode::kNotFound);
}

TEST(ProcfsTest, EnvironVarIsReadFromTheTargetNotFromUs) {
  SpawnedChild child({"CLRDUMP_UNIT_VAR=hello world", "CLRDUMP_UNIT_EMPTY="});
  EXPECT_THAT(*proc::ReadEnvironVar(child.pid(), "CLRDUMP_UNIT_VAR"),
              Optional(std::string("hello world")));
  // Set but empty is not the same as unset (TMPDIR= means "/tmp/").
  EXPECT_THAT(*proc::ReadEnvironVar(child.pid(), "CLRDUMP_UNIT_EMPTY"), Optional(std::string("")));
  EXPECT_EQ(*proc::ReadEnvironVar(child.pid(), "PATH"), std::nullopt);
}

TEST(ProcfsTest, EnvironVarMatchesWholeNamesOnly) {
  SpawnedChild child({"CLRDUMP_UNIT_VAR=1"});
  EXPECT_EQ(*proc::ReadEnvironVar(child.pid(), "CLRDUMP_UNIT"), std::nullopt);
  EXPECT_EQ(*proc::ReadEnvironVar(child.pid(), "CLRDUMP_UNIT_VARX"), std::nullopt);
}

TEST(ProcfsTest, EnvironVarLastAssignmentWins) {
  SpawnedChild child({"DUP=first", "DUP=second"});
  EXPECT_THAT(*proc::ReadEnvironVar(child.pid(), "DUP"), Optional(std::string("second")));
}

TEST(ProcfsTest, CommAndExeOfAChild) {
  SpawnedChild child({});
  auto comm = proc::ReadComm(child.pid());
  ASSERT_TRUE(comm.ok());
  EXPECT_EQ(*comm, "sleep");
  auto exe = proc::ReadExePath(child.pid());
  ASSERT_TRUE(exe.ok());
  EXPECT_EQ(*exe, "/usr/bin/sleep");
}

TEST(ProcfsTest, ProcessNameIsLengthenedFromArgvZeroLikeDotnet) {
  // The kernel keeps 15 characters of the name in comm; .NET restores the
  // full name from argv[0] when it starts with them.
  ScratchDir dir;
  const std::string long_name = "clrdump_unit_long_sleeper";
  const std::string link = dir.File(long_name);
  std::filesystem::create_symlink("/usr/bin/sleep", link);
  SpawnedChild child({}, link, link);
  auto comm = proc::ReadComm(child.pid());
  ASSERT_TRUE(comm.ok());
  EXPECT_EQ(*comm, long_name.substr(0, 15));
  auto name = proc::DotnetProcessName(child.pid());
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(*name, long_name);
}

TEST(ProcfsTest, ProcessNameStaysTruncatedWhenArgvZeroDisagrees) {
  ScratchDir dir;
  const std::string link = dir.File("clrdump_unit_long_sleeper");
  std::filesystem::create_symlink("/usr/bin/sleep", link);
  SpawnedChild child({}, link, "renamed");
  auto name = proc::DotnetProcessName(child.pid());
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(*name, "clrdump_unit_lo");
}

TEST(ProcfsTest, ReadSmallFileHonoursTheLimit) {
  ScratchDir dir;
  WriteFileText(dir.File("f"), std::string(100, 'a') + std::string(100, 'b'));
  auto head = proc::ReadSmallFile(dir.File("f"), 150);
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(*head, std::string(100, 'a') + std::string(50, 'b'));
  auto missing = proc::ReadSmallFile(dir.File("absent"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST(ProcfsTest, ListPidsIsSortedAndIncludesUs) {
  const auto pids = proc::ListPids();
  EXPECT_TRUE(std::is_sorted(pids.begin(), pids.end()));
  EXPECT_TRUE(std::binary_search(pids.begin(), pids.end(), ::getpid()));
}

TEST(ProcfsTest, UserNameFallsBackToTheNumber) {
  EXPECT_EQ(proc::UserName(0), "root");
  EXPECT_EQ(proc::UserName(3999999), "3999999");
}

TEST(ProcfsTest, TempPathFromMatchesDotnetGetTempPath) {
  EXPECT_EQ(proc::TempPathFrom(""), "/tmp/");
  EXPECT_EQ(proc::TempPathFrom("/x"), "/x/");
  EXPECT_EQ(proc::TempPathFrom("/x/"), "/x/");
}

TEST(ProcfsTest, OwnTempPathReadsTmpdir) {
  {
    ScopedEnv tmpdir("TMPDIR", std::string("/var/tmp"));
    EXPECT_EQ(proc::OwnTempPath(), "/var/tmp/");
  }
  ScopedEnv unset("TMPDIR", std::nullopt);
  EXPECT_EQ(proc::OwnTempPath(), "/tmp/");
}
