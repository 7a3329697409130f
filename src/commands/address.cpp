#include "commands/address.h"

#include <charconv>

namespace clrdump::cmd {

std::optional<uint64_t> TryParseAddress(std::string text) {
  if (text.starts_with("0x")) text = text.substr(2);
  const size_t first = text.find_first_not_of('0');
  text = first == std::string::npos ? "" : text.substr(first);
  const size_t tick = text.find('`');
  if (tick != std::string::npos && tick + 1 < text.size()) text.erase(tick, 1);
  if (text.empty()) return std::nullopt;
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace clrdump::cmd
