// CheckElfCore is what lets `collect` say a dump is complete. Cores are
// synthesized here byte by byte, so each test controls exactly which part
// of the file is wrong, and a truncated dump must never pass.

#include "dump/core_check.h"

#include <elf.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "test_support.h"

using clrdump::ErrorCode;
using clrdump::dump::CheckElfCore;
using ::testing::AnyOf;
using ::testing::EndsWith;
using ::testing::HasSubstr;

// What to put into a synthetic core.
struct CoreSpec {
  uint16_t e_type = ET_CORE;
  int prstatus_notes = 2;
  // Notes that must not count as threads: NT_PRPSINFO named CORE and
  // NT_PRSTATUS under another owner name.
  bool decoy_notes = false;
  // When nonzero, the last note claims this descriptor size instead.
  uint32_t last_desc_size = 0;
  size_t load_bytes = 4096;
};

struct CoreLayout {
  std::vector<uint8_t> bytes;
  size_t notes_offset = 0;
  size_t notes_size = 0;
  size_t last_note_offset = 0;
};

static constexpr uint32_t kPrStatusSize = 336;  // sizeof(struct elf_prstatus) on x86-64

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
      AppendNote(notes, NT_PRSTATUS, "CORE", kPrStatusSize, claimed);
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
  eh.e_machine = EM_X86_64;
  eh.e_version = EV_CURRENT;
  eh.e_phoff = sizeof(Elf64_Ehdr);
  eh.e_ehsize = sizeof(Elf64_Ehdr);
  eh.e_phentsize = sizeof(Elf64_Phdr);
  eh.e_phnum = 2;

  CoreLayout layout;
  layout.notes_offset = sizeof(Elf64_Ehdr) + 2 * sizeof(Elf64_Phdr);
  layout.notes_size = notes.size();
  layout.last_note_offset = layout.notes_offset + last_note;
  Elf64_Phdr note{};
  note.p_type = PT_NOTE;
  note.p_offset = layout.notes_offset;
  note.p_filesz = notes.size();
  Elf64_Phdr load{};
  load.p_type = PT_LOAD;
  load.p_flags = PF_R | PF_W;
  load.p_offset = layout.notes_offset + notes.size();
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
  return layout;
}

class CheckElfCoreTest : public ::testing::Test {
 protected:
  std::string Write(const std::vector<uint8_t>& bytes) {
    const std::string path = dir_.File("core");
    WriteFileBytes(path, bytes);
    return path;
  }

  ScratchDir dir_;
};

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

TEST_F(CheckElfCoreTest, MissingFileIsNotFound) {
  const std::string path = dir_.File("absent");
  auto summary = CheckElfCore(path);
  ASSERT_FALSE(summary.ok());
  EXPECT_EQ(summary.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(summary.error().message, path + ": No such file or directory");
}

TEST_F(CheckElfCoreTest, EmptyFileIsMalformed) {
  const std::string path = Write({});
  auto summary = CheckElfCore(path);
  ASSERT_FALSE(summary.ok());
  EXPECT_EQ(summary.error().code, ErrorCode::kMalformedInput);
  EXPECT_EQ(summary.error().message,
            path + ": ELF header at offset 0x0 (64 bytes) is past the end of the file");
}

TEST_F(CheckElfCoreTest, TextFileIsNotAnElfFile) {
  const std::string path = dir_.File("notes.txt");
  WriteFileText(path, std::string(100, 'x') + "\nThis is a text file, not a dump.\n");
  auto summary = CheckElfCore(path);
  ASSERT_FALSE(summary.ok());
  EXPECT_EQ(summary.error().code, ErrorCode::kMalformedInput);
  EXPECT_EQ(summary.error().message, path + ": not an ELF file");
}

TEST_F(CheckElfCoreTest, DirectoryIsNotARegularFile) {
  auto summary = CheckElfCore(dir_.path());
  ASSERT_FALSE(summary.ok());
  EXPECT_EQ(summary.error().message, dir_.path() + ": not a regular file");
}

TEST_F(CheckElfCoreTest, ExecutableIsNotACoreFile) {
  const std::string path = Write(BuildCore({.e_type = ET_EXEC}).bytes);
  auto summary = CheckElfCore(path);
  ASSERT_FALSE(summary.ok());
  EXPECT_EQ(summary.error().code, ErrorCode::kMalformedInput);
  EXPECT_EQ(summary.error().message, path + ": ELF type is 2, not a core file (ET_CORE)");
}

TEST_F(CheckElfCoreTest, ThirtyTwoBitElfIsRejected) {
  auto bytes = BuildCore({}).bytes;
  bytes[EI_CLASS] = ELFCLASS32;
  const std::string path = Write(bytes);
  auto summary = CheckElfCore(path);
  ASSERT_FALSE(summary.ok());
  EXPECT_EQ(summary.error().message, path + ": not a 64-bit little-endian ELF file");
}

TEST_F(CheckElfCoreTest, SystemExecutableIsNotACore) {
  auto summary = CheckElfCore("/bin/ls");
  ASSERT_FALSE(summary.ok());
  EXPECT_EQ(summary.error().code, ErrorCode::kMalformedInput);
  EXPECT_THAT(summary.error().message, HasSubstr("not a core file (ET_CORE)"));
}

TEST_F(CheckElfCoreTest, CoreWithoutPrStatusRecordsNoThreads) {
  const std::string path = Write(BuildCore({.prstatus_notes = 0, .decoy_notes = true}).bytes);
  auto summary = CheckElfCore(path);
  ASSERT_FALSE(summary.ok());
  EXPECT_EQ(summary.error().message, path + ": no NT_PRSTATUS note: the core records no threads");
}

TEST_F(CheckElfCoreTest, TruncatedCoreIsNeverAccepted) {
  // createdump killed mid-write leaves a prefix of the file; wherever the
  // cut falls, the check must fail and say why.
  const std::vector<uint8_t> full = BuildCore({}).bytes;
  for (int percent : {1, 10, 50, 90, 99}) {
    const size_t keep = full.size() * static_cast<size_t>(percent) / 100;
    const std::string path =
        Write(std::vector<uint8_t>(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(keep)));
    auto summary = CheckElfCore(path);
    ASSERT_FALSE(summary.ok()) << percent << "%";
    EXPECT_EQ(summary.error().code, ErrorCode::kMalformedInput) << percent << "%";
    EXPECT_THAT(summary.error().message, AnyOf(HasSubstr("truncated"), HasSubstr("past the end")))
        << percent << "%";
  }
}

TEST_F(CheckElfCoreTest, TruncatedLoadSegmentNamesItsOffsetAndSize) {
  const std::vector<uint8_t> full = BuildCore({}).bytes;
  const std::string path = Write(std::vector<uint8_t>(full.begin(), full.end() - 1));
  auto summary = CheckElfCore(path);
  ASSERT_FALSE(summary.ok());
  const size_t load_offset = full.size() - 4096;
  char expected[200];
  std::snprintf(expected, sizeof expected,
                ": segment 1 at offset %#zx (4096 bytes) extends past the end of the %zu-byte "
                "file: the dump is truncated",
                load_offset, full.size() - 1);
  EXPECT_EQ(summary.error().message, path + expected);
}

TEST_F(CheckElfCoreTest, NoteOverrunningItsSegmentIsMalformed) {
  const CoreLayout core = BuildCore({.last_desc_size = kPrStatusSize + 100});
  const std::string path = Write(core.bytes);
  auto summary = CheckElfCore(path);
  ASSERT_FALSE(summary.ok());
  EXPECT_EQ(summary.error().code, ErrorCode::kMalformedInput);
  char expected[200];
  std::snprintf(expected, sizeof expected,
                ": note at offset %#zx (name 5 bytes, desc 436 bytes) overruns its segment of "
                "%zu bytes",
                core.last_note_offset, core.notes_size);
  EXPECT_EQ(summary.error().message, path + expected);
}

TEST_F(CheckElfCoreTest, HugeDescriptorSizeDoesNotWrapAround) {
  // 0xFFFFFFFF rounded up to 4 must not overflow to a small number.
  auto summary = CheckElfCore(Write(BuildCore({.last_desc_size = 0xFFFFFFFF}).bytes));
  ASSERT_FALSE(summary.ok());
  EXPECT_THAT(summary.error().message, HasSubstr("overruns its segment"));
}

TEST_F(CheckElfCoreTest, ProgramHeaderTablePastTheEndIsMalformed) {
  auto bytes = BuildCore({}).bytes;
  Elf64_Ehdr eh;
  std::memcpy(&eh, bytes.data(), sizeof eh);
  eh.e_phoff = bytes.size() - sizeof(Elf64_Phdr);  // room for one of the two entries
  std::memcpy(bytes.data(), &eh, sizeof eh);
  const std::string path = Write(bytes);
  auto summary = CheckElfCore(path);
  ASSERT_FALSE(summary.ok());
  EXPECT_THAT(summary.error().message, HasSubstr("program header table at offset"));
  EXPECT_THAT(summary.error().message, EndsWith("past the end of the " +
                                                std::to_string(bytes.size()) + "-byte file"));
}

TEST_F(CheckElfCoreTest, CoreWithoutProgramHeadersIsMalformed) {
  auto bytes = BuildCore({}).bytes;
  Elf64_Ehdr eh;
  std::memcpy(&eh, bytes.data(), sizeof eh);
  eh.e_phnum = 0;
  std::memcpy(bytes.data(), &eh, sizeof eh);
  const std::string path = Write(bytes);
  auto summary = CheckElfCore(path);
  ASSERT_FALSE(summary.ok());
  EXPECT_EQ(summary.error().message, path + ": bad program header table: 0 entries of 56 bytes");
}
