// DiagnosticsClient against a scripted server on a real Unix socket. A
// runtime that misbehaves (old version, crash mid-reply, hang) must produce
// dotnet-dump's message or one that says what went wrong, never a hang.

#include "ipc/client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <chrono>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "base/unique_fd.h"
#include "fake_diagnostics_server.h"
#include "ipc/protocol.h"
#include "test_support.h"

using clrdump::ErrorCode;
using clrdump::ipc::ClientOptions;
using clrdump::ipc::DiagnosticsClient;
using clrdump::ipc::DumpType;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using namespace std::chrono_literals;

static constexpr uint32_t kEFail = 0x80004005;
static constexpr uint32_t kUnknownCommand = 0x80131385;
static constexpr uint32_t kLogging = clrdump::ipc::dump_flags::kLoggingEnabled;
static constexpr uint32_t kCrashReport = clrdump::ipc::dump_flags::kCrashReportEnabled;

static std::vector<uint8_t> OkReply() { return IpcMessageBytes(0xFF, 0x00, WireBytes().U32(0)); }

static std::vector<uint8_t> ErrorReply(uint32_t hresult) {
  return IpcMessageBytes(0xFF, 0xFF, WireBytes().U32(hresult));
}

static std::vector<uint8_t> ErrorReply(uint32_t hresult, std::u16string_view message) {
  return IpcMessageBytes(0xFF, 0xFF, WireBytes().U32(hresult).String(message));
}

// What a request for GenerateCoreDump<id> must look like on the wire.
static std::vector<uint8_t> DumpRequest(uint8_t id, std::u16string_view path, uint32_t type,
                                        uint32_t flags) {
  return IpcMessageBytes(0x01, id, WireBytes().String(path).U32(type).U32(flags));
}

static std::vector<uint8_t> Head(std::vector<uint8_t> bytes, size_t count) {
  bytes.resize(count);
  return bytes;
}

class DiagnosticsClientTest : public ::testing::Test {
 protected:
  std::string SocketPath() const { return dir_.File("diag.sock"); }

  // Every wait is bounded well below the test timeout, so a client that
  // ignores a reply fails the test instead of hanging it.
  DiagnosticsClient Client(std::chrono::milliseconds timeout = 5s) const {
    ClientOptions options;
    options.connect_timeout = timeout;
    options.dump_timeout = timeout;
    options.info_timeout = timeout;
    return DiagnosticsClient(SocketPath(), options);
  }

  // Runs a Full dump request of /tmp/core_x against `script`. Returns the
  // error message, "" on success; leaves the error code in code_ and what
  // the server received in requests_.
  std::string WriteDumpAgainst(std::vector<ScriptedReply> script, uint32_t flags = 0) {
    FakeDiagnosticsServer server(SocketPath(), std::move(script));
    auto status = Client().WriteDump(DumpType::kFull, "/tmp/core_x", flags);
    server.Stop();
    requests_ = server.requests();
    code_ = status.ok() ? std::nullopt : std::optional<ErrorCode>(status.error().code);
    return status.ok() ? "" : status.error().message;
  }

  ScratchDir dir_;
  std::optional<ErrorCode> code_;
  std::vector<std::vector<uint8_t>> requests_;
};

TEST_F(DiagnosticsClientTest, WriteDumpSucceedsOnOkAndSendsTheExactV3Request) {
  EXPECT_EQ(WriteDumpAgainst({ScriptedReply::Send(OkReply())}), "");
  ASSERT_EQ(requests_.size(), 1u);
  const auto& request = requests_[0];
  ASSERT_EQ(request.size(), 56u);
  EXPECT_EQ(request[16], 0x01);  // command set Dump
  EXPECT_EQ(request[17], 0x03);  // GenerateCoreDump3
  EXPECT_THAT(request, ElementsAreArray(DumpRequest(3, u"/tmp/core_x", 4, 0)));
}

TEST_F(DiagnosticsClientTest, ErrorWithOnlyAnHresultReportsItInHex) {
  EXPECT_EQ(WriteDumpAgainst({ScriptedReply::Send(ErrorReply(kEFail))}),
            "Write dump failed - HRESULT: 0x80004005.");
  EXPECT_EQ(code_, ErrorCode::kIpc);
}

TEST_F(DiagnosticsClientTest, V3ErrorMessageFromTheRuntimeIsRelayedVerbatim) {
  EXPECT_EQ(
      WriteDumpAgainst({ScriptedReply::Send(ErrorReply(kEFail, u"createdump failed: disk full"))}),
      "createdump failed: disk full");
}

TEST_F(DiagnosticsClientTest, BlankOrUnreadableErrorMessageFallsBackToTheHresult) {
  EXPECT_EQ(WriteDumpAgainst({ScriptedReply::Send(ErrorReply(kEFail, u" \t "))}),
            "Write dump failed - HRESULT: 0x80004005.");
  // The message count claims more than the payload holds.
  const auto lying = IpcMessageBytes(0xFF, 0xFF, WireBytes().U32(kEFail).U32(100).Utf16(u"x"));
  EXPECT_EQ(WriteDumpAgainst({ScriptedReply::Send(lying)}),
            "Write dump failed - HRESULT: 0x80004005.");
}

TEST_F(DiagnosticsClientTest, ErrorReplyWithoutAnHresultIsMalformed) {
  EXPECT_EQ(WriteDumpAgainst({ScriptedReply::Send(IpcMessageBytes(0xFF, 0xFF, {}))}),
            "Write dump failed - error reply without an HRESULT: reply field 'HRESULT' at "
            "payload offset 0 needs 4 bytes, but only 0 remain");
  EXPECT_EQ(code_, ErrorCode::kMalformedInput);
}

TEST_F(DiagnosticsClientTest, UnknownCommandFallsBackToV2WithFlagsUnchanged) {
  const uint32_t flags = kLogging | kCrashReport;
  EXPECT_EQ(WriteDumpAgainst(
                {ScriptedReply::Send(ErrorReply(kUnknownCommand)), ScriptedReply::Send(OkReply())},
                flags),
            "");
  ASSERT_EQ(requests_.size(), 2u);
  EXPECT_EQ(requests_[0][17], 0x03);
  EXPECT_EQ(requests_[1][17], 0x02);
  EXPECT_THAT(requests_[1], ElementsAreArray(DumpRequest(2, u"/tmp/core_x", 4, flags)));
}

TEST_F(DiagnosticsClientTest, OnlyV3ErrorRepliesCarryAMessage) {
  // Older runtimes put nothing after the HRESULT; bytes there are not text.
  EXPECT_EQ(WriteDumpAgainst({ScriptedReply::Send(ErrorReply(kUnknownCommand)),
                              ScriptedReply::Send(ErrorReply(kEFail, u"not for v2"))}),
            "Write dump failed - HRESULT: 0x80004005.");
}

TEST_F(DiagnosticsClientTest, FallsBackToV1WhichTakesOnlyTheLoggingSwitch) {
  EXPECT_EQ(WriteDumpAgainst(
                {ScriptedReply::Send(ErrorReply(kUnknownCommand)),
                 ScriptedReply::Send(ErrorReply(kUnknownCommand)), ScriptedReply::Send(OkReply())},
                kLogging),
            "");
  ASSERT_EQ(requests_.size(), 3u);
  EXPECT_EQ(requests_[2][17], 0x01);
  // Version 1's third field is the bool "log dump generation" as a u32.
  EXPECT_THAT(requests_[2], ElementsAreArray(DumpRequest(1, u"/tmp/core_x", 4, 1)));
}

TEST_F(DiagnosticsClientTest, UnknownCommandToAllVersionsIsNotSupported) {
  EXPECT_EQ(WriteDumpAgainst({ScriptedReply::Send(ErrorReply(kUnknownCommand)),
                              ScriptedReply::Send(ErrorReply(kUnknownCommand)),
                              ScriptedReply::Send(ErrorReply(kUnknownCommand))},
                             0),
            "Write dump failed - Command is not supported.");
  EXPECT_EQ(code_, ErrorCode::kUnsupported);
  EXPECT_EQ(requests_.size(), 3u);
}

TEST_F(DiagnosticsClientTest, FlagsV1CannotExpressAreRefusedWithoutAskingV1) {
  for (uint32_t flags :
       {kCrashReport, kLogging | clrdump::ipc::dump_flags::kVerboseLoggingEnabled}) {
    EXPECT_EQ(WriteDumpAgainst({ScriptedReply::Send(ErrorReply(kUnknownCommand)),
                                ScriptedReply::Send(ErrorReply(kUnknownCommand)),
                                ScriptedReply::Send(OkReply())},
                               flags),
              "Only LoggingEnabled flag is supported by this runtime version (Parameter 'flags')")
        << flags;
    EXPECT_EQ(code_, ErrorCode::kUnsupported);
    EXPECT_EQ(requests_.size(), 2u) << "no third connection for flags " << flags;
  }
}

TEST_F(DiagnosticsClientTest, KnownHresultsGetDotnetDumpMessagesAndDoNotFallBack) {
  EXPECT_EQ(WriteDumpAgainst({ScriptedReply::Send(ErrorReply(0x80131515))}),
            "Write dump - Not supported by this runtime.");
  EXPECT_EQ(requests_.size(), 1u);
  EXPECT_EQ(WriteDumpAgainst({ScriptedReply::Send(ErrorReply(0x80070057))}),
            "Write dump failed - Invalid command argument.");
  EXPECT_THAT(WriteDumpAgainst({ScriptedReply::Send(ErrorReply(0x80131384))}),
              StartsWith("Write dump failed - the target runtime rejected the request as "
                         "invalid (bad encoding)"));
  EXPECT_EQ(requests_.size(), 1u);
}

TEST_F(DiagnosticsClientTest, ReplyCutInsideTheHeaderSaysSo) {
  const std::string message = WriteDumpAgainst({ScriptedReply::Send(Head(OkReply(), 12))});
  EXPECT_EQ(message,
            "the runtime closed the connection after 12 of the 20 bytes of the reply header");
  EXPECT_EQ(code_, ErrorCode::kMalformedInput);
}

TEST_F(DiagnosticsClientTest, ConnectionClosedWithoutAReplySaysSo) {
  EXPECT_EQ(WriteDumpAgainst({ScriptedReply::Send({})}),
            "the runtime closed the connection after 0 of the 20 bytes of the reply header");
  ASSERT_EQ(requests_.size(), 1u);
  EXPECT_EQ(requests_[0].size(), 56u) << "the request was sent before the close";
}

TEST_F(DiagnosticsClientTest, ConnectionResetBeforeTheRequestWasReadIsAnError) {
  const std::string message = WriteDumpAgainst({ScriptedReply::CloseUnread()});
  EXPECT_FALSE(message.empty());
  EXPECT_EQ(code_, ErrorCode::kIo) << message;
}

TEST_F(DiagnosticsClientTest, WrongMagicInTheReplyIsReported) {
  auto reply = OkReply();
  std::memcpy(reply.data(), "HTTP/1.1 200 ", 13);
  EXPECT_THAT(WriteDumpAgainst({ScriptedReply::Send(reply)}), HasSubstr("magic"));
  EXPECT_EQ(code_, ErrorCode::kMalformedInput);
}

TEST_F(DiagnosticsClientTest, PayloadShorterThanTheSizeFieldSaysSo) {
  auto reply = OkReply();  // 24 bytes
  reply[14] = 40;
  EXPECT_EQ(WriteDumpAgainst({ScriptedReply::Send(reply)}),
            "the runtime closed the connection after 4 of the 20 bytes of the reply payload");
}

TEST_F(DiagnosticsClientTest, ReplyOutsideTheServerCommandSetIsUnknown) {
  const std::string unknown = "Write dump failed - Server responded with unknown response.";
  EXPECT_EQ(
      WriteDumpAgainst({ScriptedReply::Send(IpcMessageBytes(0x01, 0x00, WireBytes().U32(0)))}),
      unknown);
  // Right set, but neither OK nor Error.
  EXPECT_EQ(
      WriteDumpAgainst({ScriptedReply::Send(IpcMessageBytes(0xFF, 0x42, WireBytes().U32(0)))}),
      unknown);
}

TEST_F(DiagnosticsClientTest, SilentServerTimesOutInsteadOfHanging) {
  FakeDiagnosticsServer server(SocketPath(), {ScriptedReply::Hold()});
  const auto start = std::chrono::steady_clock::now();
  auto status = Client(500ms).WriteDump(DumpType::kFull, "/tmp/core_x", 0);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kTimeout);
  EXPECT_EQ(status.error().message,
            "timed out waiting for the reply header (0 of 20 bytes received)");
  EXPECT_GE(elapsed, 450ms);
  EXPECT_LT(elapsed, 5s);
}

TEST_F(DiagnosticsClientTest, NoSocketFileCannotConnect) {
  auto status = Client().WriteDump(DumpType::kFull, "/tmp/core_x", 0);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(status.error().message, "Unable to connect to the server. No such file or directory");
}

TEST_F(DiagnosticsClientTest, StaleSocketFileCannotConnect) {
  // A runtime that died leaves its socket file behind with nobody listening.
  {
    clrdump::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM, 0));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, SocketPath().c_str(), sizeof addr.sun_path - 1);
    ASSERT_EQ(::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr), 0);
  }
  auto status = Client().WriteDump(DumpType::kFull, "/tmp/core_x", 0);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(status.error().message, "Unable to connect to the server. Connection refused");
}

TEST_F(DiagnosticsClientTest, SocketPathOverTheUnixLimitIsRejected) {
  const std::string path = "/tmp/" + std::string(110, 'x');
  auto status = DiagnosticsClient(path).WriteDump(DumpType::kFull, "/tmp/core_x", 0);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(status.error().message,
            "Unable to connect to the server. socket path is 115 bytes, over the 107-byte "
            "limit of AF_UNIX");
}

// ProcessInfo payloads: version (v3 only), pid, cookie, then strings.
static WireBytes ProcessInfoPayload(std::optional<uint32_t> v3_version, bool v2_fields) {
  WireBytes payload;
  if (v3_version) payload.U32(*v3_version);
  payload.U64(4242).Raw(
      std::string_view("\x00\x01\x02\x03\x04\x05\x06\x07"
                       "\x08\x09\x0A\x0B\x0C\x0D\x0E\x0F",
                       16));
  payload.String(u"/usr/bin/dotnet app.dll").String(u"Linux").String(u"x64");
  if (v2_fields) payload.String(u"app").String(u"9.0.0");
  if (v3_version && *v3_version >= 1) payload.String(u"linux-x64");
  return payload;
}

TEST_F(DiagnosticsClientTest, ProcessInfo3ParsesEveryField) {
  FakeDiagnosticsServer server(
      SocketPath(),
      {ScriptedReply::Send(IpcMessageBytes(0xFF, 0x00, ProcessInfoPayload(1, true)))});
  auto info = Client().GetProcessInfo();
  server.Stop();
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->pid, 4242u);
  EXPECT_THAT(info->runtime_cookie,
              ElementsAre(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
  EXPECT_EQ(info->command_line, "/usr/bin/dotnet app.dll");
  EXPECT_EQ(info->os, "Linux");
  EXPECT_EQ(info->arch, "x64");
  EXPECT_EQ(info->entrypoint_assembly, "app");
  EXPECT_EQ(info->clr_version, "9.0.0");
  EXPECT_EQ(info->runtime_identifier, "linux-x64");
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0], IpcMessageBytes(0x04, 0x08, {}));
}

TEST_F(DiagnosticsClientTest, ProcessInfo3VersionZeroHasNoRuntimeIdentifier) {
  FakeDiagnosticsServer server(
      SocketPath(),
      {ScriptedReply::Send(IpcMessageBytes(0xFF, 0x00, ProcessInfoPayload(0, true)))});
  auto info = Client().GetProcessInfo();
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->clr_version, "9.0.0");
  EXPECT_EQ(info->runtime_identifier, "");
}

TEST_F(DiagnosticsClientTest, ProcessInfoFallsBackToV2) {
  FakeDiagnosticsServer server(
      SocketPath(),
      {ScriptedReply::Send(ErrorReply(kUnknownCommand)),
       ScriptedReply::Send(IpcMessageBytes(0xFF, 0x00, ProcessInfoPayload(std::nullopt, true)))});
  auto info = Client().GetProcessInfo();
  server.Stop();
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->pid, 4242u);
  EXPECT_EQ(info->command_line, "/usr/bin/dotnet app.dll");
  EXPECT_EQ(info->entrypoint_assembly, "app");
  EXPECT_EQ(info->clr_version, "9.0.0");
  EXPECT_EQ(info->runtime_identifier, "");
  ASSERT_EQ(server.requests().size(), 2u);
  EXPECT_EQ(server.requests()[1], IpcMessageBytes(0x04, 0x04, {}));
}

TEST_F(DiagnosticsClientTest, ProcessInfoFallsBackToV1) {
  FakeDiagnosticsServer server(
      SocketPath(),
      {ScriptedReply::Send(ErrorReply(kUnknownCommand)),
       ScriptedReply::Send(ErrorReply(kUnknownCommand)),
       ScriptedReply::Send(IpcMessageBytes(0xFF, 0x00, ProcessInfoPayload(std::nullopt, false)))});
  auto info = Client().GetProcessInfo();
  server.Stop();
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->arch, "x64");
  EXPECT_EQ(info->entrypoint_assembly, "");
  ASSERT_EQ(server.requests().size(), 3u);
  EXPECT_EQ(server.requests()[2], IpcMessageBytes(0x04, 0x00, {}));
}

TEST_F(DiagnosticsClientTest, ProcessInfoUnknownEverywhereIsNotSupported) {
  FakeDiagnosticsServer server(SocketPath(), {ScriptedReply::Send(ErrorReply(kUnknownCommand)),
                                              ScriptedReply::Send(ErrorReply(kUnknownCommand)),
                                              ScriptedReply::Send(ErrorReply(kUnknownCommand))});
  auto info = Client().GetProcessInfo();
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.error().message, "Process info failed - Command is not supported.");
}

TEST_F(DiagnosticsClientTest, ProcessInfoStringCountBeyondThePayloadIsMalformed) {
  // version, pid, cookie (28 bytes), then a commandLine claiming 1000 units.
  const std::vector<uint8_t> payload =
      WireBytes().U32(1).U64(1).Raw(std::string(16, '\0')).U32(1000).Utf16(u"short");
  FakeDiagnosticsServer server(SocketPath(),
                               {ScriptedReply::Send(IpcMessageBytes(0xFF, 0x00, payload))});
  auto info = Client().GetProcessInfo();
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.error().code, ErrorCode::kMalformedInput);
  EXPECT_EQ(info.error().message,
            "reply string 'commandLine' at payload offset 28 claims 1000 UTF-16 units, but only "
            "10 bytes remain");
}

TEST_F(DiagnosticsClientTest, ProcessInfoWithATruncatedCookieIsMalformed) {
  const std::vector<uint8_t> payload = WireBytes().U32(1).U64(1).Raw(std::string(5, '\0'));
  FakeDiagnosticsServer server(SocketPath(),
                               {ScriptedReply::Send(IpcMessageBytes(0xFF, 0x00, payload))});
  auto info = Client().GetProcessInfo();
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.error().code, ErrorCode::kMalformedInput);
  EXPECT_EQ(info.error().message,
            "reply field 'runtimeCookie' at payload offset 12 needs 16 bytes, but only 5 remain");
}
