#include "dump/memory_pe.h"

#include <fmt/format.h>

#include <cstdint>

namespace clrdump::dump {

std::vector<std::string> PdbRecords(const MemoryPe& pe) { return PdbRecords(pe, false); }

std::vector<std::string> PdbRecords(const MemoryPe& pe, bool mark_portable) {
  std::vector<std::string> records;
  const auto [rva, size] = pe.Directory(6);
  const auto at = pe.Offset(rva);
  if (rva == 0 || size == 0 || !at) return records;
  for (uint64_t entry = *at; entry < *at + size / 28 * 28; entry += 28) {
    const auto type = pe.Read<uint32_t>(entry + 12), data_size = pe.Read<uint32_t>(entry + 16);
    const auto data = pe.Read<uint32_t>(entry + (pe.loaded() ? 20 : 24));
    if (!type || !data_size || !data) break;
    if (*type != 2 || *data_size < 25 || pe.Read<uint32_t>(*data) != 0x53445352) continue;  // RSDS
    // A GUID prints its first three fields little-endian; -1 is a dash.
    std::string text;
    for (int i : {3, 2, 1, 0, -1, 5, 4, -1, 7, 6, -1, 8, 9, -1, 10, 11, 12, 13, 14, 15}) {
      const uint64_t at_byte = *data + 4 + static_cast<uint64_t>(i);
      text += i < 0 ? "-" : fmt::format("{:02x}", pe.Read<uint8_t>(at_byte).value_or(0));
    }
    // A portable PDB's entry has minor version 'PM'.
    const bool portable = mark_portable && pe.Read<uint16_t>(entry + 10) == 0x504d;
    records.push_back(fmt::format("{} {} {}{}", text, pe.Read<int32_t>(*data + 20).value_or(0),
                                  portable ? "(portable) " : "",
                                  pe.ReadText(*data + 24, std::min(*data_size - 25, 4096u))));
  }
  return records;
}

// The file version of the RT_VERSION resource, found as dotnet-dump's
// PEFile does (every level searched with the root's entry counts).
std::optional<std::string> FileVersion(const MemoryPe& pe) {
  const uint32_t root = pe.Directory(2).first;
  auto at = [&](uint32_t rva) { return pe.Offset(rva).value_or(UINT64_MAX - 64); };
  auto count = [&](uint64_t field) -> uint32_t {
    const uint16_t n = pe.Read<uint16_t>(at(root) + field).value_or(0);
    return n == 0xffff ? 0 : n;
  };
  const uint32_t named = count(12), ids = count(14);
  auto next = [&](uint32_t table, uint32_t id) -> std::optional<uint32_t> {
    for (uint32_t i = named; i < named + ids; ++i) {
      if (pe.Read<uint32_t>(at(table + 16 + i * 8)) == id) {
        return pe.Read<uint32_t>(at(table + 20 + i * 8)).value_or(0) & 0x7fffffff;
      }
    }
    return std::nullopt;
  };
  auto data_entry = [&](uint32_t language) -> std::optional<uint32_t> {
    auto names = next(root, 16);
    auto languages = names ? next(root + *names, 1) : std::nullopt;
    auto data = languages ? next(root + *languages, language) : std::nullopt;
    return data ? std::optional<uint32_t>(root + *data) : std::nullopt;
  };
  auto entry = data_entry(0x409);
  if (!entry) entry = data_entry(0);
  if (!entry) return std::nullopt;
  const uint32_t info = pe.Read<uint32_t>(at(*entry)).value_or(0);
  if (pe.Read<uint32_t>(at(info + 40)) != 0xfeef04bd) return std::nullopt;
  const uint32_t ms = pe.Read<uint32_t>(at(info + 48)).value_or(0);
  const uint32_t ls = pe.Read<uint32_t>(at(info + 52)).value_or(0);
  return fmt::format("{}.{}.{}.{}", ms >> 16, ms & 0xffff, ls >> 16, ls & 0xffff);
}

}  // namespace clrdump::dump
