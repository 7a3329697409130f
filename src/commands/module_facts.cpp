#include "commands/module_facts.h"

#include <algorithm>

#include "base/mapped_file.h"
#include "dump/elf_image.h"
#include "dump/memory_pe.h"

namespace clrdump::cmd {
namespace {

// dotnet-dump tries the loaded layout first and takes the file layout only
// when it alone has debug records.
bool PrefersFileLayout(const dump::MemoryPe& loaded, const dump::MemoryPe& file) {
  return file.valid() &&
         (!loaded.valid() || (dump::PdbRecords(loaded).empty() && !dump::PdbRecords(file).empty()));
}

constexpr uint64_t kPage = 0x1000;

// dotnet-dump's view of a module's pages: the dump's own, else pages it
// maps from the module's file (same build-id) with its ELF segment reader.
// That reader caps each read at the segment's whole file size rather than
// what remains of it, so it reads on past the segment's data; a read past
// the file's end fails and the rest of the page stays zero.
class PageSource {
 public:
  PageSource(Target& target, const dump::Module& module) : target_(target), module_(module) {
    auto file = MappedFile::Open(module.path);
    if (!file) return;
    const auto id = dump::ReadBuildId(dump::SpanReader(file->bytes()), dump::ImageLayout::kFile);
    if (!id || id != target.memory().LoadedBuildId(module.base)) return;
    auto headers = dump::ReadProgramHeaders(dump::SpanReader(file->bytes()));
    if (!headers) return;
    for (const auto& h : *headers) {
      if (h.file_size > 0) segments_.push_back(h);
    }
    file_.emplace(std::move(*file));
  }

  // False when neither the dump nor the file gives the page.
  bool Read(uint64_t page, std::span<uint8_t> out) const {
    if (target_.core().Read(page, out) == out.size()) return true;
    if (!file_) return false;
    ReadFromFile(page - module_.base, out);
    return true;
  }

 private:
  void ReadFromFile(uint64_t position, std::span<uint8_t> out) const {
    const auto bytes = file_->bytes();
    size_t done = 0;
    while (done < out.size()) {
      auto it = std::find_if(segments_.begin(), segments_.end(), [&](const dump::ProgramHeader& h) {
        return h.vaddr <= position && position - h.vaddr < h.mem_size;
      });
      if (it == segments_.end()) break;
      const uint64_t offset = position - it->vaddr;
      const uint64_t count = std::min<uint64_t>(
          {out.size() - done, it->mem_size - offset, it->file_size});
      if (count == 0 || it->offset + offset + count > bytes.size()) break;
      std::copy_n(bytes.begin() + static_cast<std::ptrdiff_t>(it->offset + offset), count,
                  out.begin() + static_cast<std::ptrdiff_t>(done));
      done += count;
      position += count;
    }
    std::fill(out.begin() + static_cast<std::ptrdiff_t>(done), out.end(), uint8_t{0});
  }

  Target& target_;
  const dump::Module& module_;
  std::optional<MappedFile> file_;
  std::vector<dump::ProgramHeader> segments_;
};

// The segment's bytes, pages nobody can give left as zeroes.
std::vector<uint8_t> ReadSegment(const PageSource& source, uint64_t start, uint64_t size) {
  std::vector<uint8_t> bytes(size);
  std::vector<uint8_t> page(kPage);
  for (uint64_t at = start & ~(kPage - 1); at < start + size; at += kPage) {
    if (!source.Read(at, page)) continue;
    const uint64_t from = std::max(at, start), to = std::min(at + kPage, start + size);
    std::copy(page.begin() + static_cast<std::ptrdiff_t>(from - at),
              page.begin() + static_cast<std::ptrdiff_t>(to - at),
              bytes.begin() + static_cast<std::ptrdiff_t>(from - start));
  }
  return bytes;
}

}  // namespace

std::optional<std::string> NativeVersionString(Target& target, const dump::Module& module) {
  constexpr std::string_view kMarker = "@(#)Version ";
  constexpr uint64_t kMaxSegment = 64ull << 20;
  const PageSource source(target, module);
  auto headers = dump::ReadProgramHeaders([&target, &module](uint64_t offset, std::span<uint8_t> out) {
    return target.memory().Read(module.base + offset, out);
  });
  if (!headers) return std::nullopt;
  for (const auto& h : *headers) {
    constexpr uint32_t kLoad = 1, kWritable = 2;
    if (h.type != kLoad || !(h.flags & kWritable) || h.mem_size > kMaxSegment) continue;
    const auto bytes = ReadSegment(source, module.base + h.vaddr, h.mem_size);
    const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    const size_t at = text.find(kMarker);
    if (at == std::string_view::npos) continue;
    const std::string_view rest = text.substr(at + kMarker.size());
    const size_t end = rest.find('\0');
    // A string running to the segment's end is no version.
    if (end == std::string_view::npos) continue;
    return std::string(rest.substr(0, end));
  }
  return std::nullopt;
}

std::optional<PeFacts> ReadPeFacts(Target& target, const dump::Module& module) {
  if (module.kind != dump::ImageKind::kPe) return std::nullopt;
  dump::MemoryPe loaded(target.memory(), module.base, module.size, true);
  dump::MemoryPe file(target.memory(), module.base, module.size, false);
  if (!loaded.valid() && !file.valid()) return std::nullopt;
  PeFacts facts;
  facts.file_layout = PrefersFileLayout(loaded, file);
  const dump::MemoryPe& pe = facts.file_layout ? file : loaded;
  facts.managed = pe.Directory(14).first != 0;
  facts.pdbs = dump::PdbRecords(pe, true);
  // Index values come from the headers, the same in either layout, read
  // without the module's (clamped) size as a limit.
  dump::MemoryPe headers(target.memory(), module.base, UINT32_MAX, true);
  facts.size_of_image = headers.size_of_image();
  if (auto pe_offset = headers.Read<uint32_t>(0x3c)) {
    facts.timestamp = headers.Read<uint32_t>(*pe_offset + 8).value_or(0);
  }
  return facts;
}

// ClrMD reads the version as loaded, with no limit; failing that,
// dotnet-dump reads it in the layout it settled on.
std::string ModuleVersion(Target& target, uint64_t image_base) {
  constexpr uint64_t kNoLimit = UINT32_MAX;
  const auto& modules = target.modules();
  auto it = std::find_if(modules.begin(), modules.end(),
                         [&](const dump::Module& m) { return m.base == image_base; });
  if (it == modules.end() || image_base == 0) return "<none>";
  dump::MemoryPe clrmd(target.memory(), image_base, kNoLimit, true);
  if (auto v = clrmd.valid() ? dump::FileVersion(clrmd) : std::nullopt) return *v;
  dump::MemoryPe loaded(target.memory(), image_base, it->size, true);
  dump::MemoryPe file(target.memory(), image_base, it->size, false);
  const dump::MemoryPe& chosen = PrefersFileLayout(loaded, file) ? file : loaded;
  auto v = chosen.valid() ? dump::FileVersion(chosen) : std::nullopt;
  return v ? *v : "<none>";
}

}  // namespace clrdump::cmd
