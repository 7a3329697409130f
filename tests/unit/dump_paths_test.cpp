// Where a dump lands: the default name, .NET's GetFullPath semantics, and
// createdump's name template. A wrong prediction here makes `collect`
// check (or report) a file the runtime never wrote.

#include "cli/dump_paths.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <time.h>

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include "test_support.h"

using clrdump::ErrorCode;
using clrdump::cli::DefaultDumpName;
using clrdump::cli::ExpandDumpTemplate;
using clrdump::cli::FullPath;
using clrdump::cli::NewestMatch;
using clrdump::cli::TemplateValues;
using ::testing::StartsWith;

class DefaultDumpNameTest : public ::testing::Test {
 protected:
  // localtime_r reads TZ only through tzset(); the zone is put back for
  // the tests that follow.
  void SetUp() override { tz_ = std::make_unique<ScopedEnv>("TZ", std::string("UTC")); }
  void TearDown() override {
    tz_.reset();
    ::tzset();
  }
  static void UseZone(const char* tz) {
    ::setenv("TZ", tz, 1);
    ::tzset();
  }

  static constexpr std::time_t kFixedTime = 1700000000;  // 2023-11-14 22:13:20 UTC
  std::unique_ptr<ScopedEnv> tz_;
};

TEST_F(DefaultDumpNameTest, FormatsAsCoreDateUnderscoreTime) {
  UseZone("UTC");
  EXPECT_EQ(DefaultDumpName(kFixedTime), "core_20231114_221320");
  EXPECT_EQ(DefaultDumpName(0), "core_19700101_000000");
}

TEST_F(DefaultDumpNameTest, UsesLocalTimeLikeDateTimeNow) {
  // POSIX "UTC-2" is two hours east of UTC, which crosses midnight here.
  UseZone("UTC-2");
  EXPECT_EQ(DefaultDumpName(kFixedTime), "core_20231115_001320");
}

TEST(FullPathTest, JoinsRelativePathsToTheWorkingDirectory) {
  EXPECT_EQ(FullPath("core", "/home/u"), "/home/u/core");
  EXPECT_EQ(FullPath("x", "/"), "/x");
  EXPECT_EQ(FullPath("/abs/core", "/home/u"), "/abs/core");
}

TEST(FullPathTest, ResolvesDotAndDotDotLexically) {
  EXPECT_EQ(FullPath("./x", "/a"), "/a/x");
  EXPECT_EQ(FullPath(".", "/a"), "/a");
  EXPECT_EQ(FullPath("../x", "/a/b"), "/a/x");
  EXPECT_EQ(FullPath("..", "/a/b"), "/a");
  EXPECT_EQ(FullPath("/a//b/./c/../d", "/"), "/a/b/d");
}

TEST(FullPathTest, DotDotStopsAtTheRoot) {
  EXPECT_EQ(FullPath("../../../x", "/a"), "/x");
  EXPECT_EQ(FullPath("..", "/"), "/");
}

TEST(FullPathTest, KeepsATrailingSlash) {
  // A trailing separator makes createdump treat the name as a directory.
  EXPECT_EQ(FullPath("/a/b/", "/cwd"), "/a/b/");
  EXPECT_EQ(FullPath("out/", "/a"), "/a/out/");
  EXPECT_EQ(FullPath("/", "/a"), "/");
}

static TemplateValues Values() { return TemplateValues{42, "Waiter", "box"}; }

TEST(ExpandDumpTemplateTest, ExpandsEverySupportedSpecifier) {
  auto name = ExpandDumpTemplate("/tmp/core_%p_%d_%e_%h_%%", Values());
  ASSERT_TRUE(name.ok()) << name.error().message;
  EXPECT_EQ(name->path, "/tmp/core_42_42_Waiter_box_%");
  EXPECT_EQ(name->pattern, "/tmp/core_42_42_Waiter_box_%");
  EXPECT_FALSE(name->has_time);
}

TEST(ExpandDumpTemplateTest, TimeIsOnlyKnownAsAWildcard) {
  // createdump substitutes its own clock for %t, so only a pattern can
  // find the file afterwards.
  auto name = ExpandDumpTemplate("/tmp/core_%t_%p", Values());
  ASSERT_TRUE(name.ok());
  EXPECT_TRUE(name->has_time);
  EXPECT_EQ(name->pattern, "/tmp/core_*_42");
}

TEST(ExpandDumpTemplateTest, EscapesWildcardsInLiteralParts) {
  // Literal '*' in the name, or in the exe name, must match only itself.
  TemplateValues values = Values();
  values.exe_name = "a*b";
  auto name = ExpandDumpTemplate("/tmp/c*re?[x]\\_%e_%t", values);
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(name->path, "/tmp/c*re?[x]\\_a*b_");
  EXPECT_EQ(name->pattern, "/tmp/c\\*re\\?\\[x]\\\\_a\\*b_*");
}

TEST(ExpandDumpTemplateTest, RejectsUnsupportedSpecifiersLikeCreatedump) {
  for (char c : {'x', 'E', 's', 'u'}) {
    auto name = ExpandDumpTemplate(std::string("/tmp/core_%") + c, Values());
    ASSERT_FALSE(name.ok()) << c;
    EXPECT_EQ(name.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(name.error().message, std::string("Invalid dump name format char '") + c + "'");
  }
}

TEST(ExpandDumpTemplateTest, RejectsLeadingPipeOnly) {
  auto piped = ExpandDumpTemplate("|/usr/bin/handler %p", Values());
  ASSERT_FALSE(piped.ok());
  EXPECT_EQ(piped.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(piped.error().message, "Pipe syntax in dump name not supported");
  auto inner = ExpandDumpTemplate("/tmp/a|b", Values());
  ASSERT_TRUE(inner.ok());
  EXPECT_EQ(inner->path, "/tmp/a|b");
}

TEST(ExpandDumpTemplateTest, TrailingPercentEndsTheName) {
  // createdump's loop returns at "%\0" without error.
  auto name = ExpandDumpTemplate("/tmp/core%", Values());
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(name->path, "/tmp/core");
}

static void SetMtime(const std::string& path, time_t seconds) {
  const timespec times[2] = {{seconds, 0}, {seconds, 0}};
  if (::utimensat(AT_FDCWD, path.c_str(), times, 0) != 0) throw std::runtime_error("utimensat");
}

TEST(NewestMatchTest, PicksTheNewestMatchingRegularFile) {
  ScratchDir dir;
  WriteFileText(dir.File("core_100"), "old");
  WriteFileText(dir.File("core_200"), "new");
  WriteFileText(dir.File("other_300"), "newest but not matching");
  std::filesystem::create_directory(dir.File("core_dir"));
  SetMtime(dir.File("core_100"), 1000000000);
  SetMtime(dir.File("core_200"), 1000000100);
  SetMtime(dir.File("other_300"), 1000000200);
  SetMtime(dir.File("core_dir"), 1000000300);
  auto found = NewestMatch(dir.File("core_*"));
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(*found, dir.File("core_200"));
}

TEST(NewestMatchTest, EscapedPatternFromATemplateMatchesOnlyTheLiteral) {
  ScratchDir dir;
  auto name = ExpandDumpTemplate(dir.path() + "/dump*_%t", Values());
  ASSERT_TRUE(name.ok());
  WriteFileText(dir.File("dump*_123"), "the real one");
  WriteFileText(dir.File("dumpX_456"), "a look-alike");
  SetMtime(dir.File("dump*_123"), 1000000000);
  SetMtime(dir.File("dumpX_456"), 1000000100);
  auto found = NewestMatch(name->pattern);
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(*found, dir.File("dump*_123"));
}

TEST(NewestMatchTest, NoMatchIsNotFound) {
  ScratchDir dir;
  auto found = NewestMatch(dir.File("core_*"));
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(found.error().message, "no file matches " + dir.File("core_*"));
  auto missing_dir = NewestMatch(dir.File("absent/core_*"));
  ASSERT_FALSE(missing_dir.ok());
  EXPECT_EQ(missing_dir.error().code, ErrorCode::kNotFound);
  EXPECT_THAT(missing_dir.error().message, StartsWith(dir.File("absent") + ": "));
}
