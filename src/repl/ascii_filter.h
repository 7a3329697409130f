// dotnet-dump's console drops '\r' and every character outside TAB and
// 0x20-0x7F; scripts that parse its output rely on that, so all REPL output
// passes through this filter.
#pragma once

#include <ostream>
#include <streambuf>

namespace clrdump::repl {

class AsciiFilterBuf : public std::streambuf {
 public:
  explicit AsciiFilterBuf(std::streambuf* sink) : sink_(sink) {}

 protected:
  int_type overflow(int_type ch) override;
  std::streamsize xsputn(const char* s, std::streamsize n) override;
  int sync() override { return sink_->pubsync(); }

 private:
  std::streambuf* sink_;
};

// An ostream writing through AsciiFilterBuf to `sink`.
class AsciiFilterStream : public std::ostream {
 public:
  explicit AsciiFilterStream(std::ostream& sink) : std::ostream(&buf_), buf_(sink.rdbuf()) {}

 private:
  AsciiFilterBuf buf_;
};

}  // namespace clrdump::repl
