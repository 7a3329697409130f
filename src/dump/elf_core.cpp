#include "dump/elf_core.h"

#include <elf.h>

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "base/byte_view.h"

namespace clrdump::dump {
namespace {

// Offsets inside the x86-64 kernel structures (include/uapi/linux/elfcore.h).
constexpr uint64_t kPrStatusSize = 336;
constexpr uint64_t kPrCursigOffset = 12;
constexpr uint64_t kPrPidOffset = 32;
constexpr uint64_t kPrRegOffset = 112;
constexpr uint64_t kPrPsInfoSize = 136;
constexpr uint64_t kSigInfoMinSize = 24;

Error Malformed(const std::string& path, const std::string& what) {
  return MakeError(ErrorCode::kMalformedInput, fmt::format("{}: {}", path, what));
}

uint64_t Align4(uint64_t v) { return (v + 3) & ~uint64_t{3}; }

std::string FixedString(const ByteView& view, uint64_t offset, uint64_t length) {
  auto sub = view.Sub(offset, length);
  if (!sub) return {};
  const auto* chars = reinterpret_cast<const char*>(sub->bytes().data());
  return std::string(chars, strnlen(chars, length));
}

Status CheckHeader(const ByteView& file, const std::string& path) {
  auto eh = file.Get<Elf64_Ehdr>(0);
  if (file.size() < SELFMAG || std::memcmp(file.bytes().data(), ELFMAG, SELFMAG) != 0) {
    return Malformed(path, file.size() == 0 ? "the file is empty" : "not an ELF file");
  }
  if (!eh) {
    return Malformed(path, fmt::format("the file is {} bytes, shorter than the 64-byte ELF "
                                       "header: the dump is truncated",
                                       file.size()));
  }
  if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB) {
    return Malformed(path, "not a 64-bit little-endian ELF file");
  }
  if (eh->e_type != ET_CORE) {
    return Malformed(path, fmt::format("ELF type is {}, not a core file (ET_CORE)", eh->e_type));
  }
  if (eh->e_machine != EM_X86_64) {
    return Malformed(path, fmt::format("machine {} is not x86-64 (62)", eh->e_machine));
  }
  if (eh->e_phentsize != sizeof(Elf64_Phdr)) {
    return Malformed(path, fmt::format("program header entries of {} bytes, expected {}",
                                       eh->e_phentsize, sizeof(Elf64_Phdr)));
  }
  return Ok{};
}

}  // namespace

Result<std::unique_ptr<ElfCore>> ElfCore::Open(const std::string& path,
                                               const ReaderLimits& limits) {
  auto file = MappedFile::Open(path);
  if (!file) return file.error();
  std::unique_ptr<ElfCore> core(new ElfCore(std::move(*file)));
  if (auto s = CheckHeader(ByteView(core->file_.bytes()), path); !s) return s.error();
  if (auto s = core->ParseSegments(limits); !s) return s.error();
  if (core->threads_.empty()) {
    return Malformed(path, "no NT_PRSTATUS note: the core records no threads");
  }
  return core;
}

Status ElfCore::ParseSegments(const ReaderLimits& limits) {
  const ByteView file(file_.bytes());
  const auto eh = *file.Get<Elf64_Ehdr>(0);
  uint64_t count = eh.e_phnum;
  if (eh.e_phnum == PN_XNUM) {
    // Past 65534 entries the real count is in section header 0.
    auto sh0 = file.Get<Elf64_Shdr>(eh.e_shoff);
    if (!sh0) {
      return Malformed(path(), fmt::format("section header 0 at offset {:#x} is past the end of "
                                           "the {}-byte file",
                                           eh.e_shoff, file.size()));
    }
    count = sh0->sh_info;
  }
  if (count == 0 || count > limits.max_program_headers) {
    return Malformed(path(), fmt::format("{} program headers, outside 1..{}", count,
                                         limits.max_program_headers));
  }
  if (!file.Fits(eh.e_phoff, count * sizeof(Elf64_Phdr))) {
    return Malformed(path(), fmt::format("program header table at offset {:#x} ({} entries) is "
                                         "past the end of the {}-byte file: the dump is "
                                         "truncated",
                                         eh.e_phoff, count, file.size()));
  }
  for (uint64_t i = 0; i < count; ++i) {
    const auto ph = *file.Get<Elf64_Phdr>(eh.e_phoff + i * sizeof(Elf64_Phdr));
    if (!file.Fits(ph.p_offset, ph.p_filesz)) {
      return Malformed(path(), fmt::format("segment {} at offset {:#x} ({} bytes) extends past "
                                           "the end of the {}-byte file: the dump is truncated",
                                           i, ph.p_offset, ph.p_filesz, file.size()));
    }
    if (ph.p_type == PT_LOAD && ph.p_memsz > 0) {
      segments_.push_back({ph.p_vaddr, ph.p_memsz, ph.p_offset,
                           std::min(ph.p_filesz, ph.p_memsz), ph.p_flags});
    } else if (ph.p_type == PT_NOTE) {
      if (ph.p_filesz > limits.max_note_bytes) {
        return Malformed(path(), fmt::format("note segment {} is {} bytes, over the {}-byte "
                                             "limit",
                                             i, ph.p_filesz, limits.max_note_bytes));
      }
      if (auto s = ParseNotes(file_.bytes().subspan(ph.p_offset, ph.p_filesz), ph.p_offset,
                              limits);
          !s) {
        return s;
      }
    }
  }
  std::sort(segments_.begin(), segments_.end(),
            [](const LoadSegment& a, const LoadSegment& b) { return a.vaddr < b.vaddr; });
  return Ok{};
}

Status ElfCore::ParseNotes(std::span<const uint8_t> notes, uint64_t file_offset,
                           const ReaderLimits& limits) {
  const ByteView view(notes);
  uint64_t pos = 0;
  while (pos + sizeof(Elf64_Nhdr) <= view.size()) {
    const auto nh = *view.Get<Elf64_Nhdr>(pos);
    const uint64_t name_at = pos + sizeof(Elf64_Nhdr);
    const uint64_t desc_at = name_at + Align4(nh.n_namesz);
    auto desc = view.Sub(desc_at, nh.n_descsz);
    if (!view.Fits(name_at, Align4(nh.n_namesz)) || !desc) {
      return Malformed(path(), fmt::format("note at offset {:#x} (name {} bytes, desc {} bytes) "
                                           "overruns its {}-byte segment",
                                           file_offset + pos, nh.n_namesz, nh.n_descsz,
                                           view.size()));
    }
    const bool is_core = nh.n_namesz == 5 && std::memcmp(notes.data() + name_at, "CORE", 5) == 0;
    const uint64_t at = file_offset + desc_at;
    if (is_core && nh.n_type == NT_PRSTATUS) {
      if (desc->size() < kPrStatusSize) {
        return Malformed(path(), fmt::format("NT_PRSTATUS at offset {:#x} is {} bytes, expected "
                                             "{}",
                                             at, desc->size(), kPrStatusSize));
      }
      if (threads_.size() >= limits.max_threads) {
        return Malformed(path(), fmt::format("more than {} threads", limits.max_threads));
      }
      CoreThread t;
      t.tid = *desc->Get<uint32_t>(kPrPidOffset);
      t.signal = *desc->Get<int16_t>(kPrCursigOffset);
      t.regs = *desc->Get<X64Registers>(kPrRegOffset);
      threads_.push_back(t);
    } else if (is_core && nh.n_type == NT_FPREGSET && !threads_.empty() && desc->size() >= 512) {
      threads_.back().fxsave = desc->Get<std::array<uint8_t, 512>>(0);
    } else if (is_core && nh.n_type == NT_PRPSINFO && desc->size() >= kPrPsInfoSize) {
      ProcessInfo info;
      info.uid = *desc->Get<uint32_t>(16);
      info.gid = *desc->Get<uint32_t>(20);
      info.pid = *desc->Get<uint32_t>(24);
      info.ppid = *desc->Get<uint32_t>(28);
      info.fname = FixedString(*desc, 40, 16);
      info.psargs = FixedString(*desc, 56, 80);
      process_ = info;
    } else if (is_core && nh.n_type == NT_SIGINFO && desc->size() >= kSigInfoMinSize) {
      signal_ = SignalInfo{*desc->Get<int32_t>(0), *desc->Get<int32_t>(8),
                           *desc->Get<uint64_t>(16)};
    } else if (is_core && nh.n_type == NT_AUXV) {
      for (uint64_t i = 0; i + 16 <= desc->size(); i += 16) {
        auxv_.emplace_back(*desc->Get<uint64_t>(i), *desc->Get<uint64_t>(i + 8));
      }
    } else if (is_core && nh.n_type == NT_FILE) {
      if (auto s = ParseFileNote(desc->bytes(), at, limits); !s) return s;
    }
    pos = desc_at + Align4(nh.n_descsz);
  }
  return Ok{};
}

Status ElfCore::ParseFileNote(std::span<const uint8_t> bytes, uint64_t file_offset,
                              const ReaderLimits& limits) {
  const ByteView desc(bytes);
  auto count = desc.Get<uint64_t>(0);
  auto page_size = desc.Get<uint64_t>(8);
  if (!count || !page_size || *count > limits.max_file_entries ||
      !desc.Fits(16, *count * 24)) {
    return Malformed(path(), fmt::format("NT_FILE note at offset {:#x} ({} bytes) cannot hold "
                                         "its {} entries",
                                         file_offset, desc.size(), count.value_or(0)));
  }
  uint64_t name_at = 16 + *count * 24;
  for (uint64_t i = 0; i < *count; ++i) {
    FileMapping m;
    m.start = *desc.Get<uint64_t>(16 + i * 24);
    m.end = *desc.Get<uint64_t>(16 + i * 24 + 8);
    m.file_offset = *desc.Get<uint64_t>(16 + i * 24 + 16) * *page_size;
    auto name = desc.CString(name_at);
    if (!name) {
      return Malformed(path(), fmt::format("NT_FILE note at offset {:#x}: name of entry {} at "
                                           "note offset {:#x} is not terminated",
                                           file_offset, i, name_at));
    }
    m.path = std::string(*name);
    name_at += name->size() + 1;
    files_.push_back(std::move(m));
  }
  return Ok{};
}

const LoadSegment* ElfCore::SegmentAt(uint64_t address) const {
  auto it = std::upper_bound(segments_.begin(), segments_.end(), address,
                             [](uint64_t a, const LoadSegment& s) { return a < s.vaddr; });
  if (it == segments_.begin()) return nullptr;
  --it;
  return address - it->vaddr < it->memsz ? &*it : nullptr;
}

size_t ElfCore::Read(uint64_t address, std::span<uint8_t> out, bool zero_fill) const {
  size_t done = 0;
  while (done < out.size()) {
    const LoadSegment* seg = SegmentAt(address + done);
    if (!seg) break;
    const uint64_t into = address + done - seg->vaddr;
    const uint64_t chunk = std::min<uint64_t>(seg->memsz - into, out.size() - done);
    // Bytes beyond p_filesz exist in the process but were not stored.
    const uint64_t stored = into < seg->filesz ? std::min(chunk, seg->filesz - into) : 0;
    if (stored) std::memcpy(out.data() + done, file_.bytes().data() + seg->offset + into, stored);
    if (!zero_fill) {
      done += stored;
      if (stored < chunk) break;
      continue;
    }
    std::memset(out.data() + done + stored, 0, chunk - stored);
    done += chunk;
  }
  return done;
}

std::span<const uint8_t> ElfCore::View(uint64_t address) const {
  const LoadSegment* seg = SegmentAt(address);
  if (!seg) return {};
  const uint64_t into = address - seg->vaddr;
  if (into >= seg->filesz) return {};
  return file_.bytes().subspan(seg->offset + into, seg->filesz - into);
}

std::pair<uint64_t, std::span<const uint8_t>> ElfCore::SegmentView(uint64_t address) const {
  const LoadSegment* seg = SegmentAt(address);
  if (!seg || address - seg->vaddr >= seg->filesz) return {0, {}};
  return {seg->vaddr, file_.bytes().subspan(seg->offset, seg->filesz)};
}

void ElfCore::Release(uint64_t address, uint64_t size) const {
  while (size > 0) {
    std::span<const uint8_t> view = View(address);
    if (view.empty()) return;
    const uint64_t n = std::min<uint64_t>(size, view.size());
    file_.Release(view.subspan(0, n));
    address += n;
    size -= n;
  }
}

}  // namespace clrdump::dump
