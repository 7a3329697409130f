// The registers dotnet-dump exposes for a Linux x64 thread, in its
// register-index order (`registers -v`, `dumpstackobjects`).
#pragma once

#include <cstdint>

#include "dump/elf_core.h"

namespace clrdump::cmd {

struct RegisterField {
  const char* name;
  uint32_t offset;  // in the Windows AMD64 CONTEXT dotnet-dump exposes
  uint32_t size;
  uint64_t dump::X64Registers::*value;  // nullptr: not recorded in the core
};

// dotnet-dump lists the CONTEXT's segment, flag and integer registers in
// CONTEXT order.
inline constexpr RegisterField kRegisters[] = {
    {"cs", 56, 2, &dump::X64Registers::cs},      {"ds", 58, 2, &dump::X64Registers::ds},
    {"es", 60, 2, &dump::X64Registers::es},      {"fs", 62, 2, &dump::X64Registers::fs},
    {"gs", 64, 2, &dump::X64Registers::gs},      {"ss", 66, 2, &dump::X64Registers::ss},
    {"eflags", 68, 4, &dump::X64Registers::eflags}, {"rax", 120, 8, &dump::X64Registers::rax},
    {"rcx", 128, 8, &dump::X64Registers::rcx},   {"rdx", 136, 8, &dump::X64Registers::rdx},
    {"rbx", 144, 8, &dump::X64Registers::rbx},   {"rsp", 152, 8, &dump::X64Registers::rsp},
    {"rbp", 160, 8, &dump::X64Registers::rbp},   {"rsi", 168, 8, &dump::X64Registers::rsi},
    {"rdi", 176, 8, &dump::X64Registers::rdi},   {"r8", 184, 8, &dump::X64Registers::r8},
    {"r9", 192, 8, &dump::X64Registers::r9},     {"r10", 200, 8, &dump::X64Registers::r10},
    {"r11", 208, 8, &dump::X64Registers::r11},   {"r12", 216, 8, &dump::X64Registers::r12},
    {"r13", 224, 8, &dump::X64Registers::r13},   {"r14", 232, 8, &dump::X64Registers::r14},
    {"r15", 240, 8, &dump::X64Registers::r15},   {"rip", 248, 8, &dump::X64Registers::rip},
};

}  // namespace clrdump::cmd
