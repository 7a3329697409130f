// A bounds-checked reader of PE/COFF images on disk (managed assemblies):
// header facts and the ECMA-335 metadata blob the DAC asks for.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"

namespace clrdump::dump {

struct PeHeaders {
  uint32_t timestamp = 0;
  uint32_t size_of_image = 0;
  uint32_t cli_header_rva = 0;
  uint32_t cli_header_size = 0;
};

struct PeSection {
  uint32_t virtual_address = 0;
  uint32_t virtual_size = 0;
  uint32_t raw_offset = 0;
  uint32_t raw_size = 0;
};

class PeFile {
 public:
  // kMalformedInput names the offset at fault.
  static Result<PeFile> Parse(std::span<const uint8_t> bytes, const std::string& name);

  const PeHeaders& headers() const { return headers_; }
  // File offset of an RVA, when a section holds it.
  std::optional<uint64_t> RvaToOffset(uint32_t rva) const;
  // The metadata blob named by the CLI header.
  Result<std::span<const uint8_t>> Metadata() const;

 private:
  std::span<const uint8_t> bytes_;
  std::string name_;
  PeHeaders headers_;
  std::vector<PeSection> sections_;
};

}  // namespace clrdump::dump
