#include "ipc/message.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/strings.h"

namespace clrdump::ipc {

void PayloadWriter::U32(uint32_t v) {
  for (int i = 0; i < 4; ++i) bytes_.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

void PayloadWriter::U64(uint64_t v) {
  for (int i = 0; i < 8; ++i) bytes_.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

void PayloadWriter::String(const std::string& utf8) {
  const std::u16string units = Utf8ToUtf16(utf8);
  U32(static_cast<uint32_t>(units.size() + 1));
  for (char16_t u : units) {
    bytes_.push_back(static_cast<uint8_t>(u & 0xFF));
    bytes_.push_back(static_cast<uint8_t>(u >> 8));
  }
  bytes_.push_back(0);
  bytes_.push_back(0);
}

Status PayloadReader::Need(const char* field, size_t count) const {
  if (count > remaining()) {
    return MakeError(ErrorCode::kMalformedInput,
                     fmt::format("reply field '{}' at payload offset {} needs {} bytes, "
                                 "but only {} remain",
                                 field, offset_, count, remaining()));
  }
  return Ok{};
}

Result<uint32_t> PayloadReader::U32(const char* field) {
  if (auto s = Need(field, 4); !s) return s.error();
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v |= static_cast<uint32_t>(bytes_[offset_ + i]) << (8 * i);
  offset_ += 4;
  return v;
}

Result<uint64_t> PayloadReader::U64(const char* field) {
  if (auto s = Need(field, 8); !s) return s.error();
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v |= static_cast<uint64_t>(bytes_[offset_ + i]) << (8 * i);
  offset_ += 8;
  return v;
}

Result<std::vector<uint8_t>> PayloadReader::Bytes(const char* field, size_t count) {
  if (auto s = Need(field, count); !s) return s.error();
  std::vector<uint8_t> out(bytes_.begin() + static_cast<std::ptrdiff_t>(offset_),
                           bytes_.begin() + static_cast<std::ptrdiff_t>(offset_ + count));
  offset_ += count;
  return out;
}

Result<std::string> PayloadReader::String(const char* field) {
  auto count = U32(field);
  if (!count) return count.error();
  if (*count == 0) return std::string();
  if (*count > remaining() / 2) {
    return MakeError(ErrorCode::kMalformedInput,
                     fmt::format("reply string '{}' at payload offset {} claims {} UTF-16 "
                                 "units, but only {} bytes remain",
                                 field, offset_ - 4, *count, remaining()));
  }
  std::u16string units;
  units.reserve(*count);
  for (uint32_t i = 0; i < *count; ++i) {
    units += static_cast<char16_t>(bytes_[offset_] | (bytes_[offset_ + 1] << 8));
    offset_ += 2;
  }
  // The terminator is part of the count; tolerate a sender that omits it.
  if (!units.empty() && units.back() == 0) units.pop_back();
  return Utf16ToUtf8(units);
}

Result<std::vector<uint8_t>> EncodeMessage(CommandSet set, uint8_t id,
                                           std::span<const uint8_t> payload) {
  const size_t total = kHeaderSize + payload.size();
  if (total > kMaxMessageSize) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("diagnostics message of {} bytes exceeds the protocol "
                                 "limit of {} bytes",
                                 total, kMaxMessageSize));
  }
  std::vector<uint8_t> out(kMagic.begin(), kMagic.end());
  out.push_back(static_cast<uint8_t>(total & 0xFF));
  out.push_back(static_cast<uint8_t>(total >> 8));
  out.push_back(static_cast<uint8_t>(set));
  out.push_back(id);
  out.push_back(0);
  out.push_back(0);
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

Result<Header> DecodeHeader(std::span<const uint8_t> bytes) {
  if (bytes.size() < kHeaderSize) {
    return MakeError(ErrorCode::kMalformedInput,
                     fmt::format("reply header is {} bytes, expected {}", bytes.size(),
                                 kHeaderSize));
  }
  if (!std::equal(kMagic.begin(), kMagic.end(), bytes.begin())) {
    return MakeError(ErrorCode::kMalformedInput,
                     "reply does not start with the DOTNET_IPC_V1 magic (bytes 0-13)");
  }
  Header h;
  h.size = static_cast<uint16_t>(bytes[14] | (bytes[15] << 8));
  h.command_set = bytes[16];
  h.command_id = bytes[17];
  h.reserved = static_cast<uint16_t>(bytes[18] | (bytes[19] << 8));
  if (h.size < kHeaderSize) {
    return MakeError(ErrorCode::kMalformedInput,
                     fmt::format("reply header size field (offset 14) is {}, less than the "
                                 "{}-byte header",
                                 h.size, kHeaderSize));
  }
  return h;
}

}  // namespace clrdump::ipc
