#include "dump/process_memory.h"

#include <algorithm>
#include <cstring>

#include "dump/elf_image.h"

namespace clrdump::dump {

ProcessMemory::ProcessMemory(const ElfCore& core) : core_(core) {
  std::map<std::string, uint64_t> bases;
  for (const auto& f : core.files()) {
    if (f.file_offset == 0 && !bases.count(f.path)) bases[f.path] = f.start;
  }
  for (const auto& f : core.files()) {
    if (f.end <= f.start || !bases.count(f.path)) continue;
    ranges_.push_back({f.start, f.end, f.file_offset, f.path, bases[f.path]});
  }
  std::sort(ranges_.begin(), ranges_.end(),
            [](const FileRange& a, const FileRange& b) { return a.start < b.start; });
}

std::optional<std::vector<uint8_t>> ProcessMemory::LoadedBuildId(uint64_t base) const {
  return ReadBuildId(
      [this, base](uint64_t offset, std::span<uint8_t> out) { return core_.Read(base + offset, out); },
      ImageLayout::kLoaded);
}

const MappedFile* ProcessMemory::FileFor(const FileRange& range) const {
  auto it = files_.find(range.path);
  if (it != files_.end()) return it->second.get();
  std::unique_ptr<MappedFile> file;
  if (auto mapped = MappedFile::Open(range.path)) {
    auto candidate = std::make_unique<MappedFile>(std::move(*mapped));
    const auto bytes = candidate->bytes();
    auto from_file = ReadBuildId(SpanReader(bytes), ImageLayout::kFile);
    const auto from_dump = LoadedBuildId(range.image_base);
    // An ELF file must carry the dump's build-id. Files without one (PE
    // assemblies) are taken when the dump records none either.
    if (from_file == from_dump) file = std::move(candidate);
  }
  return files_.emplace(range.path, std::move(file)).first->second.get();
}

size_t ProcessMemory::ReadFromFile(uint64_t address, std::span<uint8_t> out) const {
  auto it = std::upper_bound(ranges_.begin(), ranges_.end(), address,
                             [](uint64_t a, const FileRange& r) { return a < r.start; });
  if (it == ranges_.begin()) return 0;
  --it;
  if (address >= it->end) return 0;
  std::lock_guard<std::mutex> lock(mutex_);
  const MappedFile* file = FileFor(*it);
  if (!file) return 0;
  const uint64_t offset = it->file_offset + (address - it->start);
  const auto bytes = file->bytes();
  if (offset >= bytes.size()) return 0;
  const size_t n = std::min<uint64_t>({out.size(), it->end - address, bytes.size() - offset});
  std::memcpy(out.data(), bytes.data() + offset, n);
  return n;
}

size_t ProcessMemory::Read(uint64_t address, std::span<uint8_t> out) const {
  size_t done = 0;
  while (done < out.size()) {
    // Stored bytes first, then the module file, then the zeros a segment
    // declares but does not store.
    size_t n = core_.Read(address + done, out.subspan(done), false);
    if (n == 0) n = ReadFromFile(address + done, out.subspan(done));
    if (n == 0) {
      // Declared-but-unstored zeros, up to where a module file could
      // supply real bytes again.
      const uint64_t at = address + done;
      auto next = std::upper_bound(ranges_.begin(), ranges_.end(), at,
                                   [](uint64_t a, const FileRange& r) { return a < r.start; });
      size_t span = out.size() - done;
      if (next != ranges_.end()) span = std::min<uint64_t>(span, next->start - at);
      n = core_.Read(at, out.subspan(done, span));
    }
    if (n == 0) break;
    done += n;
  }
  return done;
}

}  // namespace clrdump::dump
