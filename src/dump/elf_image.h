// Facts read from an ELF image (a shared library or executable), either as
// loaded in a dump's memory or as a file on disk: its GNU build-id and
// its dynamic symbols.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace clrdump::dump {

// Reads bytes at an offset relative to the image start; returns the count.
using ImageReader = std::function<size_t(uint64_t offset, std::span<uint8_t> out)>;

// An ImageReader over bytes in memory (a mapped file).
ImageReader SpanReader(std::span<const uint8_t> bytes);

enum class ImageLayout {
  kFile,    // offsets are file offsets (p_offset)
  kLoaded,  // offsets are relative to the load base (p_vaddr)
};

// The NT_GNU_BUILD_ID bytes, or nullopt when the image has none or its
// headers cannot be read. Bounded: at most 64 program headers' notes of
// 64 KiB each are examined.
std::optional<std::vector<uint8_t>> ReadBuildId(const ImageReader& read, ImageLayout layout);

// The text after "@(#)Version " in the image's writable segments (where
// .NET native binaries embed their version and commit), up to its NUL.
std::optional<std::string> ReadVersionString(const ImageReader& read);

// The value (an offset from the image's load base) of an exported symbol,
// looked up in the .dynsym section of an ELF file on disk; nullopt when
// absent. Bounded: at most 1 << 20 symbols are examined.
std::optional<uint64_t> FindDynamicSymbol(const ImageReader& file, const std::string& name);

struct ProgramHeader {
  uint32_t type = 0;
  uint32_t flags = 0;
  uint64_t offset = 0;   // in the file
  uint64_t vaddr = 0;
  uint64_t file_size = 0;
  uint64_t mem_size = 0;
};

// The program headers of a 64-bit ELF image, in table order; nullopt when
// the ELF header or any program header cannot be read.
std::optional<std::vector<ProgramHeader>> ReadProgramHeaders(const ImageReader& read);

std::string HexString(std::span<const uint8_t> bytes);

}  // namespace clrdump::dump
