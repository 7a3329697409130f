#include "ipc/client.h"

#include <fmt/format.h>

#include <optional>

#include "base/strings.h"
#include "ipc/message.h"
#include "ipc/transport.h"

namespace clrdump::ipc {
namespace {

constexpr const char* kWriteDump = "Write dump";

// What an error reply means for the request that got it. nullopt: the
// runtime does not know the command and the caller may fall back.
std::optional<Error> InterpretError(const std::vector<uint8_t>& payload, bool may_fall_back,
                                    bool has_message, const char* operation) {
  PayloadReader reader(payload);
  auto hresult = reader.U32("HRESULT");
  if (!hresult) {
    return MakeError(ErrorCode::kMalformedInput,
                     fmt::format("{} failed - error reply without an HRESULT: {}", operation,
                                 hresult.error().message));
  }
  switch (*hresult) {
    case hr::kUnknownCommand:
      if (may_fall_back) return std::nullopt;
      return MakeError(ErrorCode::kUnsupported,
                       fmt::format("{} failed - Command is not supported.", operation));
    case hr::kNotSupported:
      return MakeError(ErrorCode::kUnsupported,
                       fmt::format("{} - Not supported by this runtime.", operation));
    case hr::kInvalidArg:
      return MakeError(ErrorCode::kIpc,
                       fmt::format("{} failed - Invalid command argument.", operation));
    case hr::kBadEncoding:
      return MakeError(
          ErrorCode::kIpc,
          fmt::format("{} failed - the target runtime rejected the request as invalid (bad "
                      "encoding), likely because it does not support one or more of the "
                      "configured options. Retry with options supported by the target "
                      "runtime's version.",
                      operation));
    default:
      break;
  }
  std::string message;
  if (has_message && reader.remaining() >= 4) {
    if (auto text = reader.String("error message")) message = *text;
  }
  if (TrimWhitespace(message).empty()) {
    message = fmt::format("{} failed - HRESULT: 0x{:08X}.", operation, *hresult);
  }
  return MakeError(ErrorCode::kIpc, message);
}

Error UnknownResponse(const char* operation) {
  return MakeError(ErrorCode::kIpc,
                   fmt::format("{} failed - Server responded with unknown response.", operation));
}

}  // namespace

Result<DiagnosticsClient::Reply> DiagnosticsClient::Exchange(CommandSet set, uint8_t id,
                                                             const std::vector<uint8_t>& payload,
                                                             std::chrono::milliseconds timeout) {
  auto message = EncodeMessage(set, id, payload);
  if (!message) return message.error();
  auto stream = UnixStream::Connect(socket_path_, options_.connect_timeout);
  if (!stream) {
    return MakeError(stream.error().code,
                     "Unable to connect to the server. " + stream.error().message);
  }
  const auto deadline = Clock::now() + timeout;
  if (auto sent = stream->SendAll(*message, deadline); !sent) {
    return MakeError(sent.error().code, "Failed to send the request to the runtime: " +
                                            sent.error().message);
  }
  auto header_bytes = stream->ReceiveExact(kHeaderSize, deadline, "reply header");
  if (!header_bytes) return header_bytes.error();
  auto header = DecodeHeader(*header_bytes);
  if (!header) return header.error();
  auto body = stream->ReceiveExact(header->size - kHeaderSize, deadline, "reply payload");
  if (!body) return body.error();
  return Reply{*header, std::move(*body)};
}

Status DiagnosticsClient::WriteDump(DumpType type, const std::string& path, uint32_t flags) {
  const uint8_t commands[] = {dump_cmd::kGenerateCoreDump3, dump_cmd::kGenerateCoreDump2,
                              dump_cmd::kGenerateCoreDump};
  for (uint8_t id : commands) {
    if (id == dump_cmd::kGenerateCoreDump && (flags & ~dump_flags::kLoggingEnabled) != 0) {
      // Version 1 only has a logging switch; dotnet-dump refuses the same way.
      return MakeError(ErrorCode::kUnsupported,
                       "Only LoggingEnabled flag is supported by this runtime version "
                       "(Parameter 'flags')");
    }
    PayloadWriter writer;
    writer.String(path);
    writer.U32(static_cast<uint32_t>(type));
    writer.U32(id == dump_cmd::kGenerateCoreDump ? (flags & dump_flags::kLoggingEnabled) : flags);
    auto reply = Exchange(CommandSet::kDump, id, writer.bytes(), options_.dump_timeout);
    if (!reply) return reply.error();
    if (reply->header.command_set != static_cast<uint8_t>(CommandSet::kServer)) {
      return UnknownResponse(kWriteDump);
    }
    if (reply->header.command_id == server_reply::kOk) return Ok{};
    if (reply->header.command_id != server_reply::kError) return UnknownResponse(kWriteDump);
    auto error = InterpretError(reply->payload, id != dump_cmd::kGenerateCoreDump,
                                id == dump_cmd::kGenerateCoreDump3, kWriteDump);
    if (error) return *error;
  }
  return UnknownResponse(kWriteDump);  // unreachable: v1 never falls back
}

namespace {

Result<ProcessInfo> ParseProcessInfo(const std::vector<uint8_t>& payload, uint8_t id) {
  PayloadReader r(payload);
  ProcessInfo info;
  uint32_t version = 0;
  if (id == process_cmd::kProcessInfo3) {
    auto v = r.U32("version");
    if (!v) return v.error();
    version = *v;
  }
  auto pid = r.U64("processId");
  if (!pid) return pid.error();
  info.pid = *pid;
  auto cookie = r.Bytes("runtimeCookie", 16);
  if (!cookie) return cookie.error();
  info.runtime_cookie = std::move(*cookie);
  std::string* strings[] = {&info.command_line, &info.os, &info.arch};
  const char* names[] = {"commandLine", "OS", "arch"};
  for (size_t i = 0; i < 3; ++i) {
    auto s = r.String(names[i]);
    if (!s) return s.error();
    *strings[i] = std::move(*s);
  }
  if (id == process_cmd::kProcessInfo) return info;
  auto entry = r.String("managedEntrypointAssemblyName");
  if (!entry) return entry.error();
  info.entrypoint_assembly = std::move(*entry);
  auto clr = r.String("clrProductVersion");
  if (!clr) return clr.error();
  info.clr_version = std::move(*clr);
  if (id == process_cmd::kProcessInfo3 && version >= 1) {
    auto rid = r.String("runtimeIdentifier");
    if (!rid) return rid.error();
    info.runtime_identifier = std::move(*rid);
  }
  return info;
}

}  // namespace

Result<ProcessInfo> DiagnosticsClient::GetProcessInfo() {
  constexpr const char* kOperation = "Process info";
  for (uint8_t id : {process_cmd::kProcessInfo3, process_cmd::kProcessInfo2,
                     process_cmd::kProcessInfo}) {
    auto reply = Exchange(CommandSet::kProcess, id, {}, options_.info_timeout);
    if (!reply) return reply.error();
    if (reply->header.command_set != static_cast<uint8_t>(CommandSet::kServer)) {
      return UnknownResponse(kOperation);
    }
    if (reply->header.command_id == server_reply::kOk) {
      return ParseProcessInfo(reply->payload, id);
    }
    if (reply->header.command_id != server_reply::kError) return UnknownResponse(kOperation);
    auto error = InterpretError(reply->payload, id != process_cmd::kProcessInfo, false,
                                kOperation);
    if (error) return *error;
  }
  return UnknownResponse(kOperation);
}

}  // namespace clrdump::ipc
