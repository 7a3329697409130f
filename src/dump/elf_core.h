// The ELF core reader: program headers, the notes the kernel and createdump
// write (threads, process info, signal, auxv, mapped files), and a
// read-only view of the process's memory. Everything is read through a
// memory map and bounds-checked against ReaderLimits.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/mapped_file.h"
#include "base/result.h"

namespace clrdump::dump {

struct ReaderLimits {
  uint64_t max_program_headers = 1 << 20;
  uint64_t max_note_bytes = 256ull << 20;
  uint64_t max_threads = 1 << 16;
  uint64_t max_file_entries = 1 << 20;
};

// x86-64 user_regs_struct, in the kernel's order.
struct X64Registers {
  uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8, rax, rcx, rdx, rsi, rdi, orig_rax,
      rip, cs, eflags, rsp, ss, fs_base, gs_base, ds, es, fs, gs;
};
static_assert(sizeof(X64Registers) == 27 * 8);

struct CoreThread {
  uint32_t tid = 0;
  int32_t signal = 0;  // pr_cursig
  X64Registers regs{};
  std::optional<std::array<uint8_t, 512>> fxsave;  // NT_FPREGSET
};

struct ProcessInfo {  // NT_PRPSINFO
  uint32_t pid = 0;
  uint32_t ppid = 0;
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::string fname;   // up to 16 characters
  std::string psargs;  // up to 80 characters
};

struct SignalInfo {  // NT_SIGINFO
  int32_t signo = 0;
  int32_t code = 0;
  uint64_t address = 0;  // si_addr, meaningful for SIGSEGV/SIGBUS/SIGFPE/SIGILL
};

struct FileMapping {  // one NT_FILE entry
  uint64_t start = 0;
  uint64_t end = 0;
  uint64_t file_offset = 0;  // bytes
  std::string path;
};

struct LoadSegment {
  uint64_t vaddr = 0;
  uint64_t memsz = 0;
  uint64_t offset = 0;
  uint64_t filesz = 0;
  uint32_t flags = 0;  // PF_R/PF_W/PF_X
};

class ElfCore {
 public:
  // kNotFound/kPermission/kIo for the file; kMalformedInput (naming offsets
  // and sizes) for anything that is not a complete x86-64 ELF core.
  static Result<std::unique_ptr<ElfCore>> Open(const std::string& path,
                                               const ReaderLimits& limits = {});

  const std::string& path() const { return file_.path(); }
  uint64_t file_size() const { return file_.bytes().size(); }
  const std::vector<CoreThread>& threads() const { return threads_; }
  const std::optional<ProcessInfo>& process() const { return process_; }
  const std::optional<SignalInfo>& signal() const { return signal_; }
  const std::vector<std::pair<uint64_t, uint64_t>>& auxv() const { return auxv_; }
  const std::vector<FileMapping>& files() const { return files_; }
  const std::vector<LoadSegment>& segments() const { return segments_; }

  // Copies memory at `address` into `out`, stopping at the first byte the
  // dump does not hold; returns how many bytes were copied. Pages a
  // segment declares but does not store (p_memsz > p_filesz) read as zeros,
  // or end the read when `zero_fill` is false.
  size_t Read(uint64_t address, std::span<uint8_t> out, bool zero_fill = true) const;
  // The stored bytes from `address` to the end of what its segment stores
  // (empty when the dump stores no byte there): a zero-copy window for
  // readers that walk large ranges, such as the GC heap.
  std::span<const uint8_t> View(uint64_t address) const;
  // The whole stored part of the segment holding `address` and the address
  // where it starts; empty when the dump stores no byte at `address`.
  std::pair<uint64_t, std::span<const uint8_t>> SegmentView(uint64_t address) const;
  // Lets the pages of [address, address + size) leave the resident set.
  void Release(uint64_t address, uint64_t size) const;
  // Lets every page of the dump read so far leave the resident set.
  void ReleaseAll() const { file_.ReleaseAll(); }

 private:
  explicit ElfCore(MappedFile file) : file_(std::move(file)) {}
  Status ParseSegments(const ReaderLimits& limits);
  Status ParseNotes(std::span<const uint8_t> notes, uint64_t file_offset,
                    const ReaderLimits& limits);
  Status ParseFileNote(std::span<const uint8_t> desc, uint64_t file_offset,
                       const ReaderLimits& limits);
  const LoadSegment* SegmentAt(uint64_t address) const;

  MappedFile file_;
  std::vector<LoadSegment> segments_;  // PT_LOAD, sorted by vaddr
  std::vector<CoreThread> threads_;    // in note order
  std::optional<ProcessInfo> process_;
  std::optional<SignalInfo> signal_;
  std::vector<std::pair<uint64_t, uint64_t>> auxv_;
  std::vector<FileMapping> files_;
};

}  // namespace clrdump::dump
