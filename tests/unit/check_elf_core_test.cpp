// CheckElfCore is what lets `collect` say a dump is complete. Cores are
// synthesized here byte by byte, so each test controls exactly which part
// of the file is wrong, and a truncated dump must never pass.

#include <elf.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "dump/core_check.h"
#include "test_support.h"

using clrdump::ErrorCode;
using clrdump::dump::CheckElfCore;
using ::testing::AnyOf;
using ::testing::HasSubstr;
using ::testing::StartsWith;

static constexpr uint32_t kPrStatusSize = 336;  // sizeof(struct elf_prstatus) on x86-64

// What to put into a synthetic core.
struct CoreSpec {
  uint16_t e_type = ET_CORE;
  uint16_t e_machine = EM_X86_64;
  int prstatus_notes = 2;
  uint32_t prstatus_size = kPrStatusSize;
  // Notes that must not count as threads: NT_PRPSINFO named CORE and
  // NT_PRSTATUS under another owner name.
  bool decoy_notes = false;
  // When nonzero, the last note claims this descriptor size instead.
  uint32_t last_desc_size = 0;
  size_t load_bytes = 4096;
  // e_phnum = PN_XNUM with the real count in section header 0, as cores
  // with 65535 or more segments have.
  bool extended_numbering = false;
};

struct CoreLayout {
  std::vector<uint8_t> bytes;
  size_t notes_size = 0;
  size_t last_note_offset = 0;
  size_t load_offset = 0;
};

static void AppendNote(std::vector<uint8_t>& out, uint32_t type, const char* name, uint32_t desc,
                       uint32_t claimed_desc) {
  const uint32_t name_size = static_cast<uint32_t>(std::strlen(name) + 1);
  Elf64_Nhdr nh{};
  nh.n_namesz = name_size;
  nh.n_descsz = claimed_desc;
  nh.n_type = type;
  const auto* raw = reinterpret_cast<const uint8_t*>(&nh);
  out.insert(out.end(), raw, raw + sizeof nh);
  std::vector<uint8_t> padded_name((name_size + 3) & ~3u, 0);
  std::memcpy(padded_name.data(), name, name_size);
  out.insert(out.end(), padded_name.begin(), padded_name.end());
  out.insert(out.end(), (desc + 3) & ~3u, 0);
}

static CoreLayout BuildCore(const CoreSpec& spec) {
  std::vector<uint8_t> notes;
  size_t last_note = 0;
  const int total_notes = spec.prstatus_notes + (spec.decoy_notes ? 2 : 0);
  for (int i = 0; i < total_notes; ++i) {
    last_note = notes.size();
    const bool is_last = i == total_notes - 1;
    const uint32_t claimed = is_last && spec.last_desc_size ? spec.last_desc_size : kPrStatusSize;
    if (i < spec.prstatus_notes) {
      AppendNote(notes, NT_PRSTATUS, "CORE", spec.prstatus_size,
                 is_last && spec.last_desc_size ? claimed : spec.prstatus_size);
    } else if (i == spec.prstatus_notes) {
      AppendNote(notes, NT_PRPSINFO, "CORE", kPrStatusSize, claimed);
    } else {
      AppendNote(notes, NT_PRSTATUS, "LINUX", kPrStatusSize, claimed);
    }
  }

  Elf64_Ehdr eh{};
  std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS64;
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_type = spec.e_type;
  eh.e_machine = spec.e_machine;
  eh.e_version = EV_CURRENT;
  eh.e_phoff = sizeof(Elf64_Ehdr);
  eh.e_ehsize = sizeof(Elf64_Ehdr);
  eh.e_phentsize = sizeof(Elf64_Phdr);
  eh.e_phnum = spec.extended_numbering ? PN_XNUM : 2;

  CoreLayout layout;
  const size_t notes_offset = sizeof(Elf64_Ehdr) + 2 * sizeof(Elf64_Phdr);
  layout.notes_size = notes.size();
  layout.last_note_offset = notes_offset + last_note;
  layout.load_offset = notes_offset + notes.size();
  if (spec.extended_numbering) {
    eh.e_shoff = layout.load_offset + spec.load_bytes;
    eh.e_shentsize = sizeof(Elf64_Shdr);
    eh.e_shnum = 1;
  }
  Elf64_Phdr note{};
  note.p_type = PT_NOTE;
  note.p_offset = notes_offset;
  note.p_filesz = notes.size();
  Elf64_Phdr load{};
  load.p_type = PT_LOAD;
  load.p_flags = PF_R | PF_W;
  load.p_offset = layout.load_offset;
  load.p_vaddr = 0x7f0000000000;
  load.p_filesz = spec.load_bytes;
  load.p_memsz = spec.load_bytes;
  load.p_align = 0x1000;

  auto append = [&layout](const void* data, size_t size) {
    const auto* p = static_cast<const uint8_t*>(data);
    layout.bytes.insert(layout.bytes.end(), p, p + size);
  };
  append(&eh, sizeof eh);
  append(&note, sizeof note);
  append(&load, sizeof load);
  append(notes.data(), notes.size());
  for (size_t i = 0; i < spec.load_bytes; ++i) layout.bytes.push_back(static_cast<uint8_t>(i));
  if (spec.extended_numbering) {
    Elf64_Shdr sh0{};
    sh0.sh_info = 2;  // the real program header count
    append(&sh0, sizeof sh0);
  }
  return layout;
}

class CheckElfCoreTest : public ::testing::Test {
 protected:
  std::string Write(const std::vector<uint8_t>& bytes) {
    const std::string path = dir_.File("dump.bin");
    WriteFileBytes(path, bytes);
    return path;
  }

  // The error of checking `bytes`, or a failure when they pass.
  clrdump::Error ErrorFor(const std::vector<uint8_t>& bytes) {
    path_ = Write(bytes);
    auto summary = CheckElfCore(path_);
    if (summary.ok()) return {ErrorCode::kInvalidArgument, "<accepted>"};
    return summary.error();
  }

  ScratchDir dir_;
  std::string path_;
};

static std::string Hex(size_t value) {
  char text[32];
  std::snprintf(text, sizeof text, "%#zx", value);
  return text;
}

TEST_F(CheckElfCoreTest, AcceptsAMinimalCoreAndCountsThreads) {
  const CoreLayout core = BuildCore({});
  auto summary = CheckElfCore(Write(core.bytes));
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_EQ(summary->thread_count, 2u);
  EXPECT_EQ(summary->load_segments, 1u);
  EXPECT_EQ(summary->file_size, core.bytes.size());
}

TEST_F(CheckElfCoreTest, CountsOnlyPrStatusNotesOwnedByCore) {
  auto summary = CheckElfCore(Write(BuildCore({.prstatus_notes = 3, .decoy_notes = true}).bytes));
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_EQ(summary->thread_count, 3u);
}

TEST_F(CheckElfCoreTest, ReadsTheProgramHeaderCountFromSectionZeroUnderPnXnum) {
  auto summary = CheckElfCore(Write(BuildCore({.extended_numbering = true}).bytes));
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_EQ(summary->thread_count, 2u);
  EXPECT_EQ(summary->load_segments, 1u);
}

TEST_F(CheckElfCoreTest, PnXnumWithoutSectionZeroIsMalformed) {
  auto bytes = BuildCore({.extended_numbering = true}).bytes;
  bytes.resize(bytes.size() - sizeof(Elf64_Shdr) / 2);
  const auto error = ErrorFor(bytes);
  EXPECT_EQ(error.code, ErrorCode::kMalformedInput);
  EXPECT_THAT(error.message, HasSubstr("section header 0"));
  EXPECT_THAT(error.message, HasSubstr("past the end"));
}

TEST_F(CheckElfCoreTest, MissingFileIsNotFound) {
  const std::string path = dir_.File("absent");
  auto summary = CheckElfCore(path);
  ASSERT_FALSE(summary.ok());
  EXPECT_EQ(summary.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(summary.error().message, path + ": No such file or directory");
}

TEST_F(CheckElfCoreTest, EmptyFileIsMalformed) {
  const auto error = ErrorFor({});
  EXPECT_EQ(error.code, ErrorCode::kMalformedInput);
  EXPECT_THAT(error.message, StartsWith(path_ + ": "));
  EXPECT_THAT(error.message, HasSubstr("empty"));
}

TEST_F(CheckElfCoreTest, TextFileIsNotAnElfFile) {
  for (const std::string& text :
       {std::string("hello\n"), std::string(100, 'x') + "\nnot a dump\n"}) {
    const auto error = ErrorFor(std::vector<uint8_t>(text.begin(), text.end()));
    EXPECT_EQ(error.code, ErrorCode::kMalformedInput);
    EXPECT_EQ(error.message, path_ + ": not an ELF file") << text.size() << " bytes";
  }
}

TEST_F(CheckElfCoreTest, DirectoryIsRejected) {
  auto summary = CheckElfCore(dir_.path());
  ASSERT_FALSE(summary.ok());
  EXPECT_THAT(summary.error().message, StartsWith(dir_.path() + ": "));
  EXPECT_THAT(summary.error().message, HasSubstr("directory"));
}

TEST_F(CheckElfCoreTest, ExecutableIsNotACoreFile) {
  const auto error = ErrorFor(BuildCore({.e_type = ET_EXEC}).bytes);
  EXPECT_EQ(error.code, ErrorCode::kMalformedInput);
  EXPECT_EQ(error.message, path_ + ": ELF type is 2, not a core file (ET_CORE)");
}

TEST_F(CheckElfCoreTest, ThirtyTwoBitElfIsRejected) {
  auto bytes = BuildCore({}).bytes;
  bytes[EI_CLASS] = ELFCLASS32;
  const auto error = ErrorFor(bytes);
  EXPECT_EQ(error.message, path_ + ": not a 64-bit little-endian ELF file");
}

TEST_F(CheckElfCoreTest, CoreOfAnotherArchitectureIsRejected) {
  const auto error = ErrorFor(BuildCore({.e_machine = EM_AARCH64}).bytes);
  EXPECT_EQ(error.code, ErrorCode::kMalformedInput);
  EXPECT_THAT(error.message, HasSubstr("x86-64"));
  EXPECT_THAT(error.message, HasSubstr(std::to_string(EM_AARCH64)));
}

TEST_F(CheckElfCoreTest, SystemExecutableIsNotACore) {
  auto summary = CheckElfCore("/bin/ls");
  ASSERT_FALSE(summary.ok());
  EXPECT_EQ(summary.error().code, ErrorCode::kMalformedInput);
  EXPECT_THAT(summary.error().message, HasSubstr("not a core file (ET_CORE)"));
}

TEST_F(CheckElfCoreTest, CoreWithoutPrStatusRecordsNoThreads) {
  const auto error = ErrorFor(BuildCore({.prstatus_notes = 0, .decoy_notes = true}).bytes);
  EXPECT_EQ(error.code, ErrorCode::kMalformedInput);
  EXPECT_EQ(error.message, path_ + ": no NT_PRSTATUS note: the core records no threads");
}

TEST_F(CheckElfCoreTest, PrStatusTooSmallForItsRegistersIsMalformed) {
  const auto error = ErrorFor(BuildCore({.prstatus_size = 100}).bytes);
  EXPECT_EQ(error.code, ErrorCode::kMalformedInput);
  EXPECT_THAT(error.message, HasSubstr("NT_PRSTATUS"));
  EXPECT_THAT(error.message, HasSubstr("100 bytes"));
}

TEST_F(CheckElfCoreTest, TruncatedCoreIsNeverAccepted) {
  // createdump killed mid-write leaves a prefix of the file; wherever the
  // cut falls past the ELF header, the check must fail and say why.
  const std::vector<uint8_t> full = BuildCore({}).bytes;
  for (int percent : {10, 50, 90, 99}) {
    const size_t keep = full.size() * static_cast<size_t>(percent) / 100;
    const auto error = ErrorFor(
        std::vector<uint8_t>(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(keep)));
    EXPECT_EQ(error.code, ErrorCode::kMalformedInput) << percent << "%";
    EXPECT_THAT(error.message, AnyOf(HasSubstr("truncated"), HasSubstr("past the end")))
        << percent << "%";
  }
}

TEST_F(CheckElfCoreTest, FileShorterThanTheElfHeaderIsRejected) {
  const std::vector<uint8_t> full = BuildCore({}).bytes;
  const auto error = ErrorFor(std::vector<uint8_t>(full.begin(), full.begin() + 40));
  EXPECT_EQ(error.code, ErrorCode::kMalformedInput);
  EXPECT_THAT(error.message, HasSubstr("64"));
  EXPECT_THAT(error.message, HasSubstr("40"));
}

TEST_F(CheckElfCoreTest, TruncatedLoadSegmentNamesItsOffsetAndSize) {
  const CoreLayout core = BuildCore({});
  const auto error = ErrorFor(std::vector<uint8_t>(core.bytes.begin(), core.bytes.end() - 1));
  EXPECT_THAT(error.message, HasSubstr("segment 1 at offset " + Hex(core.load_offset) +
                                       " (4096 bytes) extends past the end of the " +
                                       std::to_string(core.bytes.size() - 1) + "-byte file"));
  EXPECT_THAT(error.message, HasSubstr("truncated"));
}

TEST_F(CheckElfCoreTest, NoteOverrunningItsSegmentIsMalformed) {
  const CoreLayout core = BuildCore({.last_desc_size = kPrStatusSize + 100});
  const auto error = ErrorFor(core.bytes);
  EXPECT_EQ(error.code, ErrorCode::kMalformedInput);
  EXPECT_THAT(error.message, HasSubstr("note at offset " + Hex(core.last_note_offset) +
                                       " (name 5 bytes, desc 436 bytes) overruns"));
  EXPECT_THAT(error.message, HasSubstr(std::to_string(core.notes_size)));
}

TEST_F(CheckElfCoreTest, HugeDescriptorSizeDoesNotWrapAround) {
  // 0xFFFFFFFF rounded up to 4 must not overflow to a small number.
  const auto error = ErrorFor(BuildCore({.last_desc_size = 0xFFFFFFFF}).bytes);
  EXPECT_THAT(error.message, HasSubstr("desc 4294967295 bytes) overruns"));
}

TEST_F(CheckElfCoreTest, ProgramHeaderTablePastTheEndIsMalformed) {
  auto bytes = BuildCore({}).bytes;
  Elf64_Ehdr eh;
  std::memcpy(&eh, bytes.data(), sizeof eh);
  eh.e_phoff = bytes.size() - sizeof(Elf64_Phdr);  // room for one of the two entries
  std::memcpy(bytes.data(), &eh, sizeof eh);
  const auto error = ErrorFor(bytes);
  EXPECT_EQ(error.code, ErrorCode::kMalformedInput);
  EXPECT_THAT(error.message, HasSubstr("program header table at offset " + Hex(eh.e_phoff)));
  EXPECT_THAT(error.message,
              HasSubstr("past the end of the " + std::to_string(bytes.size()) + "-byte file"));
}

TEST_F(CheckElfCoreTest, CoreWithoutProgramHeadersIsMalformed) {
  auto bytes = BuildCore({}).bytes;
  Elf64_Ehdr eh;
  std::memcpy(&eh, bytes.data(), sizeof eh);
  eh.e_phnum = 0;
  std::memcpy(bytes.data(), &eh, sizeof eh);
  const auto error = ErrorFor(bytes);
  EXPECT_EQ(error.code, ErrorCode::kMalformedInput);
  EXPECT_THAT(error.message, HasSubstr("0 program headers"));
}
