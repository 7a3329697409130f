#include "dump/modules.h"

#include "base/strings.h"

#include <elf.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <optional>

namespace clrdump::dump {
namespace {

struct Image {
  std::string path;
  uint64_t base = 0;
  bool has_zero_offset = false;
  uint64_t end = 0;
};

// Groups NT_FILE entries by path, in first-seen order: the base is the
// first mapping of file offset 0 (else the lowest), the end the highest.
std::vector<Image> GroupByPath(const std::vector<FileMapping>& files) {
  std::vector<Image> images;
  std::map<std::string, size_t> index;
  for (const auto& f : files) {
    auto [it, inserted] = index.emplace(f.path, images.size());
    if (inserted) images.push_back({f.path, f.start, f.file_offset == 0, f.end});
    Image& image = images[it->second];
    if (!image.has_zero_offset && f.file_offset == 0) {
      image.base = f.start;
      image.has_zero_offset = true;
    } else if (!image.has_zero_offset) {
      image.base = std::min(image.base, f.start);
    }
    image.end = std::max(image.end, f.end);
  }
  return images;
}

template <typename T>
std::optional<T> ReadValue(const ElfCore& core, uint64_t address) {
  T value{};
  std::span<uint8_t> bytes(reinterpret_cast<uint8_t*>(&value), sizeof value);
  if (core.Read(address, bytes) != sizeof value) return std::nullopt;
  return value;
}

bool IsElfImage(const ElfCore& core, uint64_t base) {
  auto ident = ReadValue<std::array<uint8_t, EI_NIDENT>>(core, base);
  return ident && std::memcmp(ident->data(), ELFMAG, SELFMAG) == 0 &&
         (*ident)[EI_DATA] == ELFDATA2LSB;
}

// SizeOfImage of a PE image mapped at `base`, 0 when it is not one.
uint64_t PeSizeOfImage(const ElfCore& core, uint64_t base) {
  auto mz = ReadValue<uint16_t>(core, base);
  if (!mz || *mz != 0x5A4D) return 0;
  auto lfanew = ReadValue<int32_t>(core, base + 0x3C);
  if (!lfanew || *lfanew <= 0) return 0;
  const uint64_t nt = base + static_cast<uint64_t>(*lfanew);
  auto signature = ReadValue<uint32_t>(core, nt);
  if (!signature || *signature != 0x00004550) return 0;
  // SizeOfImage sits at the same offset in PE32 and PE32+ optional headers.
  constexpr uint64_t kFileHeaderSize = 20;
  constexpr uint64_t kSizeOfImageOffset = 56;
  auto size = ReadValue<uint32_t>(core, nt + 4 + kFileHeaderSize + kSizeOfImageOffset);
  return size.value_or(0);
}

std::string DisplayPath(std::string path) {
  path = WithoutDeletedSuffix(std::move(path));
  // ClrMD shows only the file name of a path that starts with two slashes.
  if (path.rfind("//", 0) == 0) path = path.substr(path.rfind('/') + 1);
  return path;
}

uint64_t AuxvValue(const ElfCore& core, uint64_t type) {
  for (const auto& [key, value] : core.auxv()) {
    if (key == type) return value;
  }
  return 0;
}

}  // namespace

std::vector<Module> EnumerateModules(const ElfCore& core) {
  const uint64_t interpreter = AuxvValue(core, AT_BASE);
  std::map<uint64_t, Module> by_base;
  for (const Image& image : GroupByPath(core.files())) {
    if (image.base == interpreter || image.path.rfind("/dev", 0) == 0) continue;
    Module m{image.base, 0, DisplayPath(image.path), ImageKind::kElf};
    if (IsElfImage(core, image.base)) {
      m.size = image.end - image.base;
    } else {
      m.kind = ImageKind::kPe;
      m.size = PeSizeOfImage(core, image.base);
    }
    by_base.emplace(m.base, std::move(m));
  }
  // Clamp against the next image, even one that is dropped below for
  // having no size (dotnet-dump does the same).
  std::vector<Module> all;
  for (auto& [base, m] : by_base) all.push_back(std::move(m));
  std::vector<Module> modules;
  for (size_t i = 0; i < all.size(); ++i) {
    if (all[i].size == 0) continue;
    if (i + 1 < all.size() && all[i].base + all[i].size > all[i + 1].base) {
      all[i].size = all[i + 1].base - all[i].base;
    }
    modules.push_back(all[i]);
  }
  return modules;
}

}  // namespace clrdump::dump
