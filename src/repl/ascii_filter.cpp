#include "repl/ascii_filter.h"

namespace clrdump::repl {
namespace {

bool Keep(unsigned char c) { return c == '\n' || c == '\t' || (c >= 0x20 && c <= 0x7F); }

}  // namespace

AsciiFilterBuf::int_type AsciiFilterBuf::overflow(int_type ch) {
  if (traits_type::eq_int_type(ch, traits_type::eof())) return traits_type::not_eof(ch);
  const auto c = static_cast<unsigned char>(ch);
  if (Keep(c)) return sink_->sputc(static_cast<char>(c));
  return ch;
}

std::streamsize AsciiFilterBuf::xsputn(const char* s, std::streamsize n) {
  std::streamsize start = 0;
  for (std::streamsize i = 0; i < n; ++i) {
    if (Keep(static_cast<unsigned char>(s[i]))) continue;
    if (i > start) sink_->sputn(s + start, i - start);
    start = i + 1;
  }
  if (n > start) sink_->sputn(s + start, n - start);
  return n;
}

}  // namespace clrdump::repl
