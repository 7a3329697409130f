// The diagnostics IPC wire format spoken by the .NET runtime's diagnostics
// server (dotnet/diagnostics documentation/design-docs/ipc-protocol.md):
// a 20-byte little-endian header followed by a command-specific payload.
#pragma once

#include <array>
#include <cstdint>

namespace clrdump::ipc {

inline constexpr std::array<uint8_t, 14> kMagic = {'D', 'O', 'T', 'N', 'E', 'T', '_',
                                                   'I', 'P', 'C', '_', 'V', '1', 0};
inline constexpr size_t kHeaderSize = 20;
inline constexpr size_t kMaxMessageSize = 0xFFFF;  // the size field is a uint16

enum class CommandSet : uint8_t {
  kDump = 0x01,
  kEventPipe = 0x02,
  kProfiler = 0x03,
  kProcess = 0x04,
  kServer = 0xFF,
};

namespace dump_cmd {
inline constexpr uint8_t kGenerateCoreDump = 0x01;
inline constexpr uint8_t kGenerateCoreDump2 = 0x02;
inline constexpr uint8_t kGenerateCoreDump3 = 0x03;
}  // namespace dump_cmd

namespace process_cmd {
inline constexpr uint8_t kProcessInfo = 0x00;
inline constexpr uint8_t kProcessInfo2 = 0x04;
inline constexpr uint8_t kProcessInfo3 = 0x08;
}  // namespace process_cmd

namespace server_reply {
inline constexpr uint8_t kOk = 0x00;
inline constexpr uint8_t kError = 0xFF;
}  // namespace server_reply

// HRESULTs the runtime's diagnostics server returns.
namespace hr {
inline constexpr uint32_t kBadEncoding = 0x80131384;
inline constexpr uint32_t kUnknownCommand = 0x80131385;
inline constexpr uint32_t kUnknownMagic = 0x80131386;
inline constexpr uint32_t kNotSupported = 0x80131515;
inline constexpr uint32_t kInvalidArg = 0x80070057;
}  // namespace hr

// The dump kinds createdump understands, numbered as on the wire.
enum class DumpType : uint32_t { kMini = 1, kHeap = 2, kTriage = 3, kFull = 4 };

// GenerateCoreDump2/3 flags.
namespace dump_flags {
inline constexpr uint32_t kLoggingEnabled = 0x01;
inline constexpr uint32_t kVerboseLoggingEnabled = 0x02;
inline constexpr uint32_t kCrashReportEnabled = 0x04;
}  // namespace dump_flags

struct Header {
  uint16_t size = 0;  // header + payload
  uint8_t command_set = 0;
  uint8_t command_id = 0;
  uint16_t reserved = 0;
};

}  // namespace clrdump::ipc
