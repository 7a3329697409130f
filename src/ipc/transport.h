// A connected AF_UNIX stream socket with deadline-bounded I/O, so that no
// peer (a hung runtime, a fake server) can block a command forever.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"

namespace clrdump::ipc {

using Clock = std::chrono::steady_clock;

class UnixStream {
 public:
  // kNotFound (no such socket file), kPermission, kIo or kTimeout; the
  // message is the OS's reason only, callers add context.
  static Result<UnixStream> Connect(const std::string& path, std::chrono::milliseconds timeout);

  Status SendAll(std::span<const uint8_t> bytes, Clock::time_point deadline);
  // Exactly `count` bytes; an early EOF is kMalformedInput naming how many
  // bytes arrived.
  Result<std::vector<uint8_t>> ReceiveExact(size_t count, Clock::time_point deadline,
                                            const char* what);

 private:
  explicit UnixStream(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

}  // namespace clrdump::ipc
