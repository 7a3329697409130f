#include "base/mapped_file.h"

#include <fcntl.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <utility>

#include "base/strings.h"
#include "base/unique_fd.h"

namespace clrdump {
namespace {

// Linux maps this much around a faulting page of a file mapping.
constexpr uintptr_t kFaultAroundBytes = 64 * 1024;

Error OsError(int err, const std::string& path) {
  ErrorCode code = ErrorCode::kIo;
  if (err == ENOENT || err == ENOTDIR) code = ErrorCode::kNotFound;
  if (err == EACCES || err == EPERM) code = ErrorCode::kPermission;
  return MakeError(code, path + ": " + ErrnoText(err));
}

}  // namespace

Result<MappedFile> MappedFile::Open(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return OsError(errno, path);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return OsError(errno, path);
  if (S_ISDIR(st.st_mode)) return MakeError(ErrorCode::kInvalidArgument, path + ": is a directory");
  if (!S_ISREG(st.st_mode)) {
    return MakeError(ErrorCode::kInvalidArgument, path + ": not a regular file");
  }
  const auto size = static_cast<size_t>(st.st_size);
  if (size == 0) return MappedFile(path, nullptr, 0);
  void* data = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd.get(), 0);
  if (data == MAP_FAILED) return OsError(errno, path);
  return MappedFile(path, static_cast<const uint8_t*>(data), size);
}

MappedFile::MappedFile(MappedFile&& other) noexcept
    : path_(std::move(other.path_)),
      data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)) {}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    if (data_) ::munmap(const_cast<uint8_t*>(data_), size_);
    path_ = std::move(other.path_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

MappedFile::~MappedFile() {
  if (data_) ::munmap(const_cast<uint8_t*>(data_), size_);
}

void MappedFile::Release(std::span<const uint8_t> part) const {
  if (!data_ || part.empty() || part.data() < data_ || part.data() + part.size() > data_ + size_) {
    return;
  }
  // Outward to the kernel's fault-around blocks: touching one page maps in
  // its whole block, and a walk that ends mid-block would leave the rest
  // resident. Neighbours dropped with it are only read again when touched.
  const auto begin = reinterpret_cast<uintptr_t>(part.data());
  const auto base = reinterpret_cast<uintptr_t>(data_);
  const uintptr_t first = std::max(base, begin & ~(kFaultAroundBytes - 1));
  const uintptr_t last = std::min(base + size_, (begin + part.size() + kFaultAroundBytes - 1) &
                                                    ~(kFaultAroundBytes - 1));
  // Advice only: on failure the pages simply stay resident. The mapping is
  // page-aligned, so `first` is too.
  ::madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED);
}

void MappedFile::ReleaseAll() const {
  if (data_) ::madvise(const_cast<uint8_t*>(data_), size_, MADV_DONTNEED);
}

}  // namespace clrdump
