// Diagnostics IPC client: one connection per request, as the runtime
// expects. Errors carry the same messages dotnet-dump prints.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "ipc/protocol.h"

namespace clrdump::ipc {

struct ProcessInfo {
  uint64_t pid = 0;
  std::vector<uint8_t> runtime_cookie;  // 16 bytes
  std::string command_line;
  std::string os;
  std::string arch;
  std::string entrypoint_assembly;  // ProcessInfo2+
  std::string clr_version;          // ProcessInfo2+
  std::string runtime_identifier;   // ProcessInfo3 version >= 1
};

struct ClientOptions {
  std::chrono::milliseconds connect_timeout{30000};
  // A dump request blocks until createdump exits, which for a Full dump of
  // a large process takes minutes; the limit only guards against a hung peer.
  std::chrono::milliseconds dump_timeout{std::chrono::minutes(30)};
  std::chrono::milliseconds info_timeout{10000};
};

class DiagnosticsClient {
 public:
  explicit DiagnosticsClient(std::string socket_path, ClientOptions options = {})
      : socket_path_(std::move(socket_path)), options_(options) {}

  // GenerateCoreDump3, falling back to 2 and then 1 while the runtime
  // answers UNKNOWN_COMMAND.
  Status WriteDump(DumpType type, const std::string& path, uint32_t flags);
  // ProcessInfo3, falling back to 2 and then 1.
  Result<ProcessInfo> GetProcessInfo();

 private:
  struct Reply {
    Header header;
    std::vector<uint8_t> payload;
  };
  Result<Reply> Exchange(CommandSet set, uint8_t id, const std::vector<uint8_t>& payload,
                         std::chrono::milliseconds timeout);

  std::string socket_path_;
  ClientOptions options_;
};

}  // namespace clrdump::ipc
