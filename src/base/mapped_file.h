// A read-only memory map of a whole file. Dumps are read through the map
// so the kernel's page cache is the only cache: no copies, no second cache.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "base/result.h"

namespace clrdump {

class MappedFile {
 public:
  // kNotFound, kPermission, kIo; kInvalidArgument for a directory or other
  // non-regular file. An empty file maps to an empty span.
  static Result<MappedFile> Open(const std::string& path);

  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  std::span<const uint8_t> bytes() const { return {data_, size_}; }
  const std::string& path() const { return path_; }
  // Drops the pages holding `part` (a span of bytes()) from this process's
  // resident set, with their neighbours of the same 64 KB block; they stay in
  // the page cache and are read again on the next touch. Long walks call it
  // so their peak memory stays small.
  void Release(std::span<const uint8_t> part) const;
  // The same for the whole file.
  void ReleaseAll() const;

 private:
  MappedFile(std::string path, const uint8_t* data, size_t size)
      : path_(std::move(path)), data_(data), size_(size) {}
  std::string path_;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace clrdump
