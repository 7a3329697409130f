// Bounds-checked little-endian reads from a byte span: every read of a
// hostile file goes through here, so an out-of-range offset is a value
// (nullopt), never a read past the buffer.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>

namespace clrdump {

class ByteView {
 public:
  ByteView() = default;
  explicit ByteView(std::span<const uint8_t> bytes) : bytes_(bytes) {}

  size_t size() const { return bytes_.size(); }
  std::span<const uint8_t> bytes() const { return bytes_; }

  // A trivially-copyable value at `offset`, or nullopt when it does not fit.
  template <typename T>
  std::optional<T> Get(uint64_t offset) const {
    static_assert(std::is_trivially_copyable_v<T>);
    if (!Fits(offset, sizeof(T))) return std::nullopt;
    T value;
    std::memcpy(&value, bytes_.data() + offset, sizeof(T));
    return value;
  }

  // The sub-span [offset, offset+length), or nullopt when out of range.
  std::optional<ByteView> Sub(uint64_t offset, uint64_t length) const {
    if (!Fits(offset, length)) return std::nullopt;
    return ByteView(bytes_.subspan(offset, length));
  }

  // NUL-terminated text starting at `offset`, bounded by the view's end.
  std::optional<std::string_view> CString(uint64_t offset) const {
    if (offset >= bytes_.size()) return std::nullopt;
    const auto* start = reinterpret_cast<const char*>(bytes_.data() + offset);
    const size_t max = bytes_.size() - offset;
    const void* nul = std::memchr(start, 0, max);
    if (!nul) return std::nullopt;
    return std::string_view(start, static_cast<size_t>(static_cast<const char*>(nul) - start));
  }

  bool Fits(uint64_t offset, uint64_t length) const {
    return offset <= bytes_.size() && length <= bytes_.size() - offset;
  }

 private:
  std::span<const uint8_t> bytes_;
};

}  // namespace clrdump
