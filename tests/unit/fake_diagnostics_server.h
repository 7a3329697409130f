// A stand-in for a .NET runtime's diagnostics server: a real listening Unix
// socket whose answers are scripted per connection, so the client can be
// driven through replies a healthy runtime would never send (truncated,
// garbled, missing) without a runtime installed.
#pragma once

#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "base/unique_fd.h"

struct ScriptedReply {
  enum class Action {
    kSend,         // read the request, send `bytes` (maybe none), close
    kHold,         // read the request, answer nothing, close when the peer does
    kCloseUnread,  // close as soon as accepted, leaving the request unread
  };
  Action action = Action::kSend;
  std::vector<uint8_t> bytes;

  static ScriptedReply Send(std::vector<uint8_t> bytes) {
    return {Action::kSend, std::move(bytes)};
  }
  static ScriptedReply Hold() { return {Action::kHold, {}}; }
  static ScriptedReply CloseUnread() { return {Action::kCloseUnread, {}}; }
};

class FakeDiagnosticsServer {
 public:
  // Listens on `socket_path` before returning, so a client may connect at
  // once. Connection i gets script[i]; any further connection has its
  // request read and is closed without a reply.
  FakeDiagnosticsServer(std::string socket_path, std::vector<ScriptedReply> script);
  ~FakeDiagnosticsServer();
  FakeDiagnosticsServer(const FakeDiagnosticsServer&) = delete;
  FakeDiagnosticsServer& operator=(const FakeDiagnosticsServer&) = delete;

  // Stops accepting and joins the server thread. Idempotent.
  void Stop();

  // Valid after Stop(): the bytes of each accepted connection's request
  // (header and the payload its size field announced), in order. An
  // unread request (kCloseUnread) is recorded as empty.
  const std::vector<std::vector<uint8_t>>& requests() const { return requests_; }

 private:
  void Serve();
  void Handle(int fd, const ScriptedReply& reply);
  // Waits until `fd` is readable; false when stopping or after 10 s, which
  // only a broken test reaches.
  bool WaitReadable(int fd) const;
  bool ReadExact(int fd, std::vector<uint8_t>& out, size_t count) const;

  std::string socket_path_;
  std::vector<ScriptedReply> script_;
  clrdump::UniqueFd listener_;
  clrdump::UniqueFd stop_read_;
  clrdump::UniqueFd stop_write_;
  std::vector<std::vector<uint8_t>> requests_;
  std::thread thread_;
};
