// Result<T>: the one error vocabulary of clrdump. Every layer returns it
// instead of throwing; an Error carries a category and a message that names
// the offending path, offset or size so the CLI can print it as one line.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace clrdump {

enum class ErrorCode {
  kMalformedInput,  // bytes on disk or on the wire break the format
  kNotFound,        // a file, process, socket or symbol is absent
  kUnsupported,     // the peer or the input uses something we do not handle
  kIo,              // an OS call failed
  kIpc,             // the diagnostics server answered with an error
  kPermission,      // access denied by the OS or by the target's user
  kTimeout,
  kInvalidArgument,  // the user's input is wrong
};

struct Error {
  ErrorCode code;
  std::string message;
  // The failing call's own status code (an HRESULT from the DAC), for the
  // commands that print it as SOS does; 0 when there is none.
  uint32_t status = 0;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

struct Ok {};
using Status = Result<Ok>;

inline Error MakeError(ErrorCode code, std::string message) {
  return Error{code, std::move(message)};
}

}  // namespace clrdump
