#include "dump/elf_image.h"

#include <elf.h>

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

namespace clrdump::dump {
namespace {

constexpr uint16_t kMaxProgramHeaders = 256;
constexpr uint64_t kMaxNoteBytes = 64 * 1024;

template <typename T>
std::optional<T> ReadAs(const ImageReader& read, uint64_t offset) {
  T value{};
  if (read(offset, {reinterpret_cast<uint8_t*>(&value), sizeof value}) != sizeof value) {
    return std::nullopt;
  }
  return value;
}

std::optional<std::vector<uint8_t>> FindBuildIdNote(const std::vector<uint8_t>& notes) {
  uint64_t pos = 0;
  while (pos + sizeof(Elf64_Nhdr) <= notes.size()) {
    Elf64_Nhdr nh;
    std::memcpy(&nh, notes.data() + pos, sizeof nh);
    const uint64_t name_at = pos + sizeof nh;
    const uint64_t desc_at = name_at + ((uint64_t{nh.n_namesz} + 3) & ~uint64_t{3});
    const uint64_t next = desc_at + ((uint64_t{nh.n_descsz} + 3) & ~uint64_t{3});
    if (next > notes.size()) return std::nullopt;
    if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
        std::memcmp(notes.data() + name_at, "GNU", 4) == 0) {
      return std::vector<uint8_t>(notes.begin() + static_cast<std::ptrdiff_t>(desc_at),
                                  notes.begin() + static_cast<std::ptrdiff_t>(desc_at + nh.n_descsz));
    }
    pos = next;
  }
  return std::nullopt;
}

}  // namespace

ImageReader SpanReader(std::span<const uint8_t> bytes) {
  return [bytes](uint64_t offset, std::span<uint8_t> out) -> size_t {
    if (offset >= bytes.size()) return 0;
    const size_t n = std::min<uint64_t>(out.size(), bytes.size() - offset);
    std::memcpy(out.data(), bytes.data() + offset, n);
    return n;
  };
}

std::optional<std::vector<ProgramHeader>> ReadProgramHeaders(const ImageReader& read) {
  auto eh = ReadAs<Elf64_Ehdr>(read, 0);
  if (!eh || std::memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
      eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_phentsize != sizeof(Elf64_Phdr) ||
      eh->e_phnum > kMaxProgramHeaders) {
    return std::nullopt;
  }
  std::vector<ProgramHeader> headers;
  for (uint16_t i = 0; i < eh->e_phnum; ++i) {
    auto ph = ReadAs<Elf64_Phdr>(read, eh->e_phoff + uint64_t{i} * sizeof(Elf64_Phdr));
    if (!ph) return std::nullopt;
    headers.push_back(
        {ph->p_type, ph->p_flags, ph->p_offset, ph->p_vaddr, ph->p_filesz, ph->p_memsz});
  }
  return headers;
}

std::optional<std::vector<uint8_t>> ReadBuildId(const ImageReader& read, ImageLayout layout) {
  auto eh = ReadAs<Elf64_Ehdr>(read, 0);
  if (!eh || std::memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
      eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_phentsize != sizeof(Elf64_Phdr) ||
      eh->e_phnum > kMaxProgramHeaders) {
    return std::nullopt;
  }
  // Loaded offsets are relative to the first PT_LOAD's vaddr (the bias).
  std::optional<uint64_t> first_load;
  std::vector<Elf64_Phdr> phdrs;
  for (uint16_t i = 0; i < eh->e_phnum; ++i) {
    auto ph = ReadAs<Elf64_Phdr>(read, eh->e_phoff + uint64_t{i} * sizeof(Elf64_Phdr));
    if (!ph) return std::nullopt;
    if (ph->p_type == PT_LOAD && !first_load) first_load = ph->p_vaddr & ~uint64_t{0xFFF};
    phdrs.push_back(*ph);
  }
  for (const auto& ph : phdrs) {
    if (ph.p_type != PT_NOTE || ph.p_filesz > kMaxNoteBytes) continue;
    const uint64_t at = layout == ImageLayout::kFile ? ph.p_offset
                                                     : ph.p_vaddr - first_load.value_or(0);
    std::vector<uint8_t> notes(ph.p_filesz);
    if (read(at, notes) != notes.size()) continue;
    if (auto id = FindBuildIdNote(notes)) return id;
  }
  return std::nullopt;
}

std::optional<std::string> ReadVersionString(const ImageReader& read) {
  constexpr std::string_view kMarker = "@(#)Version ";
  constexpr uint64_t kMaxSegment = 64ull << 20;
  constexpr size_t kMaxText = 256;
  auto eh = ReadAs<Elf64_Ehdr>(read, 0);
  if (!eh || std::memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
      eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum > kMaxProgramHeaders) {
    return std::nullopt;
  }
  std::optional<uint64_t> bias;
  for (uint16_t i = 0; i < eh->e_phnum; ++i) {
    auto ph = ReadAs<Elf64_Phdr>(read, eh->e_phoff + uint64_t{i} * sizeof(Elf64_Phdr));
    if (!ph) return std::nullopt;
    if (ph->p_type != PT_LOAD) continue;
    if (!bias) bias = ph->p_vaddr & ~uint64_t{0xFFF};
    if (!(ph->p_flags & PF_W) || ph->p_memsz > kMaxSegment) continue;
    std::vector<uint8_t> bytes(ph->p_memsz);
    bytes.resize(read(ph->p_vaddr - *bias, bytes));
    const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    const size_t at = text.find(kMarker);
    if (at == std::string_view::npos) continue;
    const std::string_view rest = text.substr(at + kMarker.size());
    return std::string(rest.substr(0, std::min(rest.find('\0'), kMaxText)));
  }
  return std::nullopt;
}

std::optional<uint64_t> FindDynamicSymbol(const ImageReader& file, const std::string& name) {
  constexpr uint64_t kMaxSymbols = 1 << 20;
  constexpr uint16_t kMaxSections = 1024;
  auto eh = ReadAs<Elf64_Ehdr>(file, 0);
  if (!eh || std::memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
      eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shnum > kMaxSections) {
    return std::nullopt;
  }
  for (uint16_t i = 0; i < eh->e_shnum; ++i) {
    auto symtab = ReadAs<Elf64_Shdr>(file, eh->e_shoff + uint64_t{i} * sizeof(Elf64_Shdr));
    if (!symtab || symtab->sh_type != SHT_DYNSYM || symtab->sh_entsize != sizeof(Elf64_Sym)) {
      continue;
    }
    auto strtab = ReadAs<Elf64_Shdr>(file, eh->e_shoff + uint64_t{symtab->sh_link} *
                                                             sizeof(Elf64_Shdr));
    if (!strtab) return std::nullopt;
    const uint64_t count = std::min(symtab->sh_size / sizeof(Elf64_Sym), kMaxSymbols);
    std::vector<char> wanted(name.size() + 1);
    for (uint64_t s = 0; s < count; ++s) {
      auto sym = ReadAs<Elf64_Sym>(file, symtab->sh_offset + s * sizeof(Elf64_Sym));
      if (!sym || sym->st_name >= strtab->sh_size || sym->st_shndx == SHN_UNDEF) continue;
      std::span<uint8_t> text(reinterpret_cast<uint8_t*>(wanted.data()), wanted.size());
      const size_t n = file(strtab->sh_offset + sym->st_name, text);
      if (n == wanted.size() && std::memcmp(wanted.data(), name.c_str(), wanted.size()) == 0) {
        return sym->st_value;
      }
    }
    return std::nullopt;
  }
  return std::nullopt;
}

std::string HexString(std::span<const uint8_t> bytes) {
  std::string out;
  for (uint8_t b : bytes) out += fmt::format("{:02x}", b);
  return out;
}

}  // namespace clrdump::dump
