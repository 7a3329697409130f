// Command-line inputs of `collect` (--diagnostic-port, --type) and the
// checks it makes on the target before asking for a dump. Messages for
// --diagnostic-port mirror dotnet-dump's IpcEndpointConfig parser.

#include "cli/target_checks.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <string>

#include "cli/collect_verb.h"
#include "test_support.h"

using clrdump::ErrorCode;
using clrdump::cli::CheckTargetCanWrite;
using clrdump::cli::ExplainAccessDenied;
using clrdump::cli::ParseConnectPort;
using clrdump::cli::ParseDumpType;
using clrdump::cli::TargetRootPrefix;
using clrdump::cli::TargetTemplateValues;
using clrdump::ipc::DumpType;
using ::testing::HasSubstr;

TEST(ParseConnectPortTest, BareAddressListens) {
  auto port = ParseConnectPort("/tmp/port.sock");
  ASSERT_TRUE(port.ok()) << port.error().message;
  EXPECT_EQ(port->address, "/tmp/port.sock");
  EXPECT_FALSE(port->connect);
}

TEST(ParseConnectPortTest, KeywordsAreCaseInsensitive) {
  for (const char* config : {"/x,connect", "/x,CONNECT", "/x,Connect"}) {
    auto port = ParseConnectPort(config);
    ASSERT_TRUE(port.ok()) << config;
    EXPECT_EQ(port->address, "/x");
    EXPECT_TRUE(port->connect) << config;
  }
  auto listen = ParseConnectPort("/x,LISTEN");
  ASSERT_TRUE(listen.ok());
  EXPECT_FALSE(listen->connect);
}

TEST(ParseConnectPortTest, UnknownKeywordIsNamed) {
  auto port = ParseConnectPort("/x,foo");
  ASSERT_FALSE(port.ok());
  EXPECT_EQ(port.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(port.error().message, "Unknown IPC endpoint config keyword, foo in /x,foo.");
}

TEST(ParseConnectPortTest, MoreThanTwoPartsIsAnUnknownFormat) {
  auto port = ParseConnectPort("a,b,c");
  ASSERT_FALSE(port.ok());
  EXPECT_EQ(port.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(port.error().message, "Unknown IPC endpoint config format, a,b,c.");
}

TEST(ParseConnectPortTest, EmptyConfigIsMissing) {
  for (const char* config : {"", "   "}) {
    auto port = ParseConnectPort(config);
    ASSERT_FALSE(port.ok()) << '"' << config << '"';
    EXPECT_EQ(port.error().message, "Missing IPC endpoint config.");
  }
}

TEST(ParseConnectPortTest, UdsSchemeIsStripped) {
  auto short_form = ParseConnectPort("uds:/path/sock");
  ASSERT_TRUE(short_form.ok());
  EXPECT_EQ(short_form->address, "/path/sock");
  auto url_form = ParseConnectPort("uds:///path/sock,connect");
  ASSERT_TRUE(url_form.ok());
  EXPECT_EQ(url_form->address, "/path/sock");
  EXPECT_TRUE(url_form->connect);
}

TEST(ParseConnectPortTest, OtherSchemesAreUnsupported) {
  auto port = ParseConnectPort("tcp://127.0.0.1:9000");
  ASSERT_FALSE(port.ok());
  EXPECT_EQ(port.error().code, ErrorCode::kUnsupported);
  EXPECT_EQ(port.error().message, "tcp not supported.");
}

TEST(ParseDumpTypeTest, AcceptsEveryTypeInAnyCase) {
  EXPECT_EQ(ParseDumpType("full"), DumpType::kFull);
  EXPECT_EQ(ParseDumpType("FULL"), DumpType::kFull);
  EXPECT_EQ(ParseDumpType("Heap"), DumpType::kHeap);
  EXPECT_EQ(ParseDumpType("mini"), DumpType::kMini);
  EXPECT_EQ(ParseDumpType("tRiAgE"), DumpType::kTriage);
}

TEST(ParseDumpTypeTest, RejectsAnythingElse) {
  EXPECT_EQ(ParseDumpType(""), std::nullopt);
  EXPECT_EQ(ParseDumpType("normal"), std::nullopt);
  EXPECT_EQ(ParseDumpType("full "), std::nullopt);
  EXPECT_EQ(ParseDumpType("4"), std::nullopt);
}

TEST(TargetTemplateValuesTest, DescribesTheTargetAsCreatedumpWould) {
  const auto values = TargetTemplateValues(::getpid());
  EXPECT_EQ(values.pid, ::getpid());
  EXPECT_EQ(values.exe_name, "unit_tests");
  char host[256] = {};
  ASSERT_EQ(::gethostname(host, sizeof host - 1), 0);
  EXPECT_EQ(values.host_name, host);
}

TEST(TargetRootPrefixTest, SameMountNamespaceNeedsNoPrefix) {
  EXPECT_EQ(TargetRootPrefix(::getpid()), "");
}

TEST(CheckTargetCanWriteTest, WritableDirectoryPasses) {
  ScratchDir dir;
  auto status = CheckTargetCanWrite(::getpid(), dir.File("core_1"));
  EXPECT_TRUE(status.ok()) << status.error().message;
}

TEST(CheckTargetCanWriteTest, MissingDirectoryIsReported) {
  ScratchDir dir;
  const std::string missing = dir.File("no/such");
  auto status = CheckTargetCanWrite(::getpid(), missing + "/core_1");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(status.error().message,
            "Cannot write the dump: the output directory " + missing + " does not exist.");
}

TEST(CheckTargetCanWriteTest, FileInPlaceOfTheDirectoryIsReported) {
  ScratchDir dir;
  const std::string file = dir.File("plain");
  WriteFileText(file, "x");
  auto status = CheckTargetCanWrite(::getpid(), file + "/core_1");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(status.error().message, "Cannot write the dump: " + file + " is not a directory.");
}

TEST(CheckTargetCanWriteTest, ReadOnlyModeStopsEveryoneButRoot) {
  ScratchDir dir;
  const std::string locked = dir.File("locked");
  ASSERT_EQ(::mkdir(locked.c_str(), 0555), 0);
  auto status = CheckTargetCanWrite(::getpid(), locked + "/core_1");
  if (::geteuid() == 0) {
    EXPECT_TRUE(status.ok()) << "root ignores directory modes: " << status.error().message;
  } else {
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, ErrorCode::kPermission);
    EXPECT_THAT(status.error().message, HasSubstr("cannot write to " + locked));
    EXPECT_THAT(status.error().message, HasSubstr("mode 0555"));
  }
}

TEST(ExplainAccessDeniedTest, SameUserKeepsTheOriginalError) {
  const clrdump::Error original{ErrorCode::kPermission, "Unable to connect to the server."};
  const clrdump::Error explained = ExplainAccessDenied(::getpid(), original);
  EXPECT_EQ(explained.code, original.code);
  EXPECT_EQ(explained.message, original.message);
}
