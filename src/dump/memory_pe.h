// PE images as they lie in a dump's memory (managed assemblies, loaded or
// in file layout): headers, sections, data directories, CodeView records
// and the file version, read with the checks ClrMD and dotnet-dump make.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dump/process_memory.h"

namespace clrdump::dump {

// A PE image in target memory, read as loaded (an RVA is an offset) or
// laid out as its file (an RVA goes through the section table), with the
// checks ClrMD and dotnet-dump make.
class MemoryPe {
 public:
  MemoryPe(const dump::ProcessMemory& memory, uint64_t base, uint64_t limit, bool loaded)
      : memory_(memory), base_(base), limit_(limit), loaded_(loaded) {
    const auto pe = Read<uint32_t>(0x3c);
    valid_ = Read<uint16_t>(0) == 0x5a4d && pe && *pe != 0 && Read<uint32_t>(*pe) == 0x4550;
    if (!valid_) return;
    const uint64_t optional = *pe + 24;
    const bool pe64 = Read<uint16_t>(optional) != 0x10b;
    directories_ = optional + (pe64 ? 112 : 96);
    size_of_image_ = Read<uint32_t>(optional + 56).value_or(0);
    const uint16_t count = Read<uint16_t>(*pe + 6).value_or(0);
    const uint64_t table = optional + Read<uint16_t>(*pe + 20).value_or(0);
    for (uint16_t i = 0; i < count && i < 96; ++i) {
      // IMAGE_SECTION_HEADER as dwords: [2] virtual size, [3] RVA, [5] file offset.
      auto h = Read<std::array<uint32_t, 10>>(table + i * 40);
      if (h) sections_.push_back({(*h)[3], (*h)[2], (*h)[5]});
    }
  }

  bool valid() const { return valid_; }
  bool loaded() const { return loaded_; }
  uint32_t size_of_image() const { return size_of_image_; }

  template <typename T>
  std::optional<T> Read(uint64_t offset) const {
    T value{};
    if (offset + sizeof value > limit_ || Copy(offset, &value, sizeof value) != sizeof value) {
      return std::nullopt;
    }
    return value;
  }
  // Up to `length` bytes, cut at the first NUL.
  std::string ReadText(uint64_t offset, size_t length) const {
    std::string text(std::min<uint64_t>(length, limit_ > offset ? limit_ - offset : 0), '\0');
    text.resize(Copy(offset, text.data(), text.size()));
    return text.substr(0, text.find('\0'));
  }
  std::optional<uint64_t> Offset(uint32_t rva) const {
    if (rva < 4096 || loaded_) return rva;
    for (const auto& s : sections_) {
      if (s[0] <= rva && rva - s[0] < s[1]) return uint64_t{s[2]} + (rva - s[0]);
    }
    return std::nullopt;
  }
  // RVA and size of a data directory.
  std::pair<uint32_t, uint32_t> Directory(uint32_t index) const {
    return {Read<uint32_t>(directories_ + index * 8).value_or(0),
            Read<uint32_t>(directories_ + index * 8 + 4).value_or(0)};
  }

 private:
  const dump::ProcessMemory& memory_;
  uint64_t base_, limit_;
  bool loaded_, valid_ = false;
  uint64_t directories_ = 0;
  uint32_t size_of_image_ = 0;
  std::vector<std::array<uint32_t, 3>> sections_;  // RVA, virtual size, file offset

  size_t Copy(uint64_t offset, void* to, size_t size) const {
    return memory_.Read(base_ + offset, {static_cast<uint8_t*>(to), size});
  }
};

// CodeView records of the debug directory as "guid age path", in order.
std::vector<std::string> PdbRecords(const MemoryPe& pe);
// The same, with "(portable) " before the path of portable PDBs, as
// dotnet-dump's module service prints them.
std::vector<std::string> PdbRecords(const MemoryPe& pe, bool mark_portable);

// The file version of the RT_VERSION resource, found as dotnet-dump's
// PEFile does (every level searched with the root's entry counts).
std::optional<std::string> FileVersion(const MemoryPe& pe);

}  // namespace clrdump::dump
