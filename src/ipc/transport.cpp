#include "ipc/transport.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "base/strings.h"

namespace clrdump::ipc {
namespace {

Error SocketError(int err) {
  ErrorCode code = ErrorCode::kIo;
  if (err == ENOENT || err == ECONNREFUSED) code = ErrorCode::kNotFound;
  if (err == EACCES || err == EPERM) code = ErrorCode::kPermission;
  return MakeError(code, ErrnoText(err));
}

// Waits for `events` until the deadline; false on timeout.
Result<bool> WaitFor(int fd, short events, Clock::time_point deadline) {
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, events, 0};
    const int timeout = left.count() > 60000 ? 60000 : static_cast<int>(left.count());
    const int rc = ::poll(&p, 1, timeout);
    if (rc > 0) return true;
    if (rc < 0 && errno != EINTR) return SocketError(errno);
  }
}

}  // namespace

Result<UnixStream> UnixStream::Connect(const std::string& path,
                                       std::chrono::milliseconds timeout) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("socket path is {} bytes, over the {}-byte limit of AF_UNIX",
                                 path.size(), sizeof addr.sun_path - 1));
  }
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd.valid()) return SocketError(errno);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    if (errno != EINPROGRESS && errno != EAGAIN) return SocketError(errno);
    auto ready = WaitFor(fd.get(), POLLOUT, Clock::now() + timeout);
    if (!ready) return ready.error();
    if (!*ready) return MakeError(ErrorCode::kTimeout, "connection timed out");
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) return SocketError(err);
  }
  return UnixStream(std::move(fd));
}

Status UnixStream::SendAll(std::span<const uint8_t> bytes, Clock::time_point deadline) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd_.get(), bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      auto ready = WaitFor(fd_.get(), POLLOUT, deadline);
      if (!ready) return ready.error();
      if (!*ready) return MakeError(ErrorCode::kTimeout, "timed out sending the request");
      continue;
    }
    return SocketError(errno);
  }
  return Ok{};
}

Result<std::vector<uint8_t>> UnixStream::ReceiveExact(size_t count, Clock::time_point deadline,
                                                      const char* what) {
  std::vector<uint8_t> out(count);
  size_t got = 0;
  while (got < count) {
    const ssize_t n = ::recv(fd_.get(), out.data() + got, count - got, 0);
    if (n > 0) {
      got += static_cast<size_t>(n);
      continue;
    }
    if (n == 0) {
      return MakeError(ErrorCode::kMalformedInput,
                       fmt::format("the runtime closed the connection after {} of the {} "
                                   "bytes of the {}",
                                   got, count, what));
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      auto ready = WaitFor(fd_.get(), POLLIN, deadline);
      if (!ready) return ready.error();
      if (!*ready) {
        return MakeError(ErrorCode::kTimeout,
                         fmt::format("timed out waiting for the {} ({} of {} bytes received)",
                                     what, got, count));
      }
      continue;
    }
    const Error error = SocketError(errno);
    return MakeError(error.code, fmt::format("reading the {} failed: {}", what, error.message));
  }
  return out;
}

}  // namespace clrdump::ipc
