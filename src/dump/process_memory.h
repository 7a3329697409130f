// The target's memory as the runtime model sees it: bytes from the core,
// and, where the core lacks them, from the file of the module mapped there
// (kernel cores and createdump's smaller dumps omit read-only file pages
// such as libcoreclr.so's symbol tables). A file is used only when its
// GNU build-id matches the one recorded in the dump.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/mapped_file.h"
#include "dump/elf_core.h"

namespace clrdump::dump {

class ProcessMemory {
 public:
  explicit ProcessMemory(const ElfCore& core);

  // Bytes copied from `address` onwards until the first byte neither the
  // core nor a matching module file holds. Missing memory is a short count,
  // not an error. Thread-safe.
  size_t Read(uint64_t address, std::span<uint8_t> out) const;

  // A whole trivially-copyable value, or nullopt when any byte is missing.
  template <typename T>
  std::optional<T> ReadValue(uint64_t address) const {
    T value{};
    std::span<uint8_t> bytes(reinterpret_cast<uint8_t*>(&value), sizeof value);
    if (Read(address, bytes) != sizeof value) return std::nullopt;
    return value;
  }

  // Build-id of the ELF image loaded at `base`, read from the core only.
  std::optional<std::vector<uint8_t>> LoadedBuildId(uint64_t base) const;

 private:
  struct FileRange {
    uint64_t start;
    uint64_t end;
    uint64_t file_offset;
    std::string path;
    uint64_t image_base;  // where the file's first mapping (offset 0) starts
  };
  const MappedFile* FileFor(const FileRange& range) const;
  size_t ReadFromFile(uint64_t address, std::span<uint8_t> out) const;

  const ElfCore& core_;
  std::vector<FileRange> ranges_;  // sorted by start
  mutable std::mutex mutex_;
  // nullptr: the file is missing or does not match the dump.
  mutable std::map<std::string, std::unique_ptr<MappedFile>> files_;
};

}  // namespace clrdump::dump
