#include "dump/pe_image.h"

#include <fmt/format.h>

#include "base/byte_view.h"

namespace clrdump::dump {
namespace {

constexpr uint32_t kPeSignature = 0x00004550;  // "PE\0\0"
constexpr uint16_t kPe32Magic = 0x10B;
constexpr uint16_t kPe32PlusMagic = 0x20B;
constexpr uint32_t kCliDirectory = 14;

Error Bad(const std::string& name, const std::string& what) {
  return MakeError(ErrorCode::kMalformedInput, fmt::format("{}: {}", name, what));
}

}  // namespace

Result<PeFile> PeFile::Parse(std::span<const uint8_t> bytes, const std::string& name) {
  const ByteView v(bytes);
  PeFile pe;
  pe.bytes_ = bytes;
  pe.name_ = name;
  if (v.Get<uint16_t>(0) != uint16_t{0x5A4D}) return Bad(name, "no MZ header");
  const auto lfanew = v.Get<uint32_t>(0x3C);
  if (!lfanew || v.Get<uint32_t>(*lfanew) != kPeSignature) {
    return Bad(name, fmt::format("no PE signature at offset {:#x}", lfanew.value_or(0)));
  }
  const uint64_t coff = uint64_t{*lfanew} + 4;
  const auto sections = v.Get<uint16_t>(coff + 2);
  const auto optional_size = v.Get<uint16_t>(coff + 16);
  pe.headers_.timestamp = v.Get<uint32_t>(coff + 4).value_or(0);
  const uint64_t opt = coff + 20;
  const auto magic = v.Get<uint16_t>(opt);
  if (!sections || !optional_size || !magic || (*magic != kPe32Magic && *magic != kPe32PlusMagic)) {
    return Bad(name, fmt::format("bad optional header at offset {:#x}", opt));
  }
  pe.headers_.size_of_image = v.Get<uint32_t>(opt + 56).value_or(0);
  const uint64_t directories = opt + (*magic == kPe32Magic ? 96 : 112);
  const auto count = v.Get<uint32_t>(directories - 4).value_or(0);
  if (count > kCliDirectory) {
    pe.headers_.cli_header_rva = v.Get<uint32_t>(directories + kCliDirectory * 8).value_or(0);
    pe.headers_.cli_header_size = v.Get<uint32_t>(directories + kCliDirectory * 8 + 4).value_or(0);
  }
  const uint64_t table = opt + *optional_size;
  for (uint16_t i = 0; i < *sections; ++i) {
    const uint64_t at = table + uint64_t{i} * 40;
    auto s = v.Sub(at, 40);
    if (!s) return Bad(name, fmt::format("section header {} at offset {:#x} is truncated", i, at));
    pe.sections_.push_back({*s->Get<uint32_t>(12), *s->Get<uint32_t>(8), *s->Get<uint32_t>(20),
                            *s->Get<uint32_t>(16)});
  }
  return pe;
}

std::optional<uint64_t> PeFile::RvaToOffset(uint32_t rva) const {
  for (const auto& s : sections_) {
    const uint32_t extent = std::max(s.virtual_size, s.raw_size);
    if (rva >= s.virtual_address && rva - s.virtual_address < extent) {
      const uint64_t offset = uint64_t{s.raw_offset} + (rva - s.virtual_address);
      if (offset < bytes_.size()) return offset;
      return std::nullopt;
    }
  }
  return std::nullopt;
}

Result<std::span<const uint8_t>> PeFile::Metadata() const {
  const ByteView v(bytes_);
  const auto cli = RvaToOffset(headers_.cli_header_rva);
  if (headers_.cli_header_rva == 0 || !cli) return Bad(name_, "not a managed image (no CLI header)");
  const auto md_rva = v.Get<uint32_t>(*cli + 8);
  const auto md_size = v.Get<uint32_t>(*cli + 12);
  const auto md_offset = md_rva ? RvaToOffset(*md_rva) : std::nullopt;
  if (!md_size || !md_offset || !v.Fits(*md_offset, *md_size)) {
    return Bad(name_, fmt::format("metadata at RVA {:#x} ({} bytes) is outside the file",
                                  md_rva.value_or(0), md_size.value_or(0)));
  }
  return bytes_.subspan(*md_offset, *md_size);
}

}  // namespace clrdump::dump
