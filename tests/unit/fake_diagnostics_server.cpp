#include "fake_diagnostics_server.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

static constexpr int kSafetyTimeoutMs = 10000;
static constexpr size_t kHeaderBytes = 20;

FakeDiagnosticsServer::FakeDiagnosticsServer(std::string socket_path,
                                             std::vector<ScriptedReply> script)
    : socket_path_(std::move(socket_path)), script_(std::move(script)) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  stop_read_.Reset(pipe_fds[0]);
  stop_write_.Reset(pipe_fds[1]);

  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path_.size() >= sizeof addr.sun_path) throw std::runtime_error("socket path too long");
  std::memcpy(addr.sun_path, socket_path_.c_str(), socket_path_.size() + 1);
  listener_.Reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!listener_.valid() ||
      ::bind(listener_.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listener_.get(), 8) != 0) {
    throw std::runtime_error("cannot listen on " + socket_path_ + ": " + std::strerror(errno));
  }
  thread_ = std::thread([this] { Serve(); });
}

FakeDiagnosticsServer::~FakeDiagnosticsServer() {
  Stop();
  ::unlink(socket_path_.c_str());
}

void FakeDiagnosticsServer::Stop() {
  if (!thread_.joinable()) return;
  const char byte = 's';
  // The pipe stays readable from here on, which every wait below polls.
  [[maybe_unused]] const ssize_t n = ::write(stop_write_.get(), &byte, 1);
  thread_.join();
}

bool FakeDiagnosticsServer::WaitReadable(int fd) const {
  pollfd fds[2] = {{fd, POLLIN, 0}, {stop_read_.get(), POLLIN, 0}};
  while (true) {
    const int rc = ::poll(fds, 2, kSafetyTimeoutMs);
    if (rc < 0 && errno == EINTR) continue;
    if (rc <= 0 || fds[1].revents != 0) return false;
    return fds[0].revents != 0;
  }
}

bool FakeDiagnosticsServer::ReadExact(int fd, std::vector<uint8_t>& out, size_t count) const {
  const size_t target = out.size() + count;
  while (out.size() < target) {
    if (!WaitReadable(fd)) return false;
    uint8_t buffer[4096];
    const size_t want = std::min(sizeof buffer, target - out.size());
    const ssize_t n = ::recv(fd, buffer, want, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    out.insert(out.end(), buffer, buffer + n);
  }
  return true;
}

void FakeDiagnosticsServer::Serve() {
  for (size_t index = 0;; ++index) {
    if (!WaitReadable(listener_.get())) return;
    clrdump::UniqueFd conn(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!conn.valid()) return;
    const ScriptedReply reply = index < script_.size() ? script_[index] : ScriptedReply::Send({});
    Handle(conn.get(), reply);
  }
}

void FakeDiagnosticsServer::Handle(int fd, const ScriptedReply& reply) {
  std::vector<uint8_t>& request = requests_.emplace_back();
  if (reply.action == ScriptedReply::Action::kCloseUnread) return;
  // The request is read in full before answering, as the runtime does:
  // closing with unread bytes would turn the client's EOF into ECONNRESET.
  if (ReadExact(fd, request, kHeaderBytes)) {
    const size_t size = static_cast<size_t>(request[14] | (request[15] << 8));
    if (size > kHeaderBytes) ReadExact(fd, request, size - kHeaderBytes);
  }
  if (reply.action == ScriptedReply::Action::kHold) {
    // Returns when the client gives up and closes, or on Stop().
    uint8_t ignored[64];
    while (WaitReadable(fd) && ::recv(fd, ignored, sizeof ignored, 0) > 0) {
    }
    return;
  }
  size_t sent = 0;
  while (sent < reply.bytes.size()) {
    const ssize_t n =
        ::send(fd, reply.bytes.data() + sent, reply.bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    sent += static_cast<size_t>(n);
  }
}
