// One serializer and one parser for diagnostics IPC messages. Readers are
// bounds-checked: every failure names the field, offset and sizes involved.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "ipc/protocol.h"

namespace clrdump::ipc {

class PayloadWriter {
 public:
  void U32(uint32_t v);
  void U64(uint64_t v);
  // Count of UTF-16 units including the terminating NUL, then the units.
  void String(const std::string& utf8);
  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

class PayloadReader {
 public:
  explicit PayloadReader(std::span<const uint8_t> bytes) : bytes_(bytes) {}
  Result<uint32_t> U32(const char* field);
  Result<uint64_t> U64(const char* field);
  Result<std::vector<uint8_t>> Bytes(const char* field, size_t count);
  // A count of 0 is a null string, read as "".
  Result<std::string> String(const char* field);
  size_t remaining() const { return bytes_.size() - offset_; }
  size_t offset() const { return offset_; }

 private:
  Status Need(const char* field, size_t count) const;
  std::span<const uint8_t> bytes_;
  size_t offset_ = 0;
};

// Header + payload. Fails with kInvalidArgument when the message would
// exceed the 16-bit size field.
Result<std::vector<uint8_t>> EncodeMessage(CommandSet set, uint8_t id,
                                           std::span<const uint8_t> payload);

// Validates magic and size (>= 20) of a 20-byte header.
Result<Header> DecodeHeader(std::span<const uint8_t> bytes);

}  // namespace clrdump::ipc
