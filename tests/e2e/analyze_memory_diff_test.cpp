// Differential tests of the memory display commands (d/readmemory, db, dc,
// da, du, dw, dd, dp, dq): the addresses come from the dump at test time
// (registers, modules, the core's segments, bytes found by clrdump itself),
// and each case runs through dotnet-dump and clrdump.
#include <elf.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "harness/differential.h"
#include "harness/env.h"
#include "harness/subprocess.h"

namespace clrdump::test {
namespace {

std::string Hex(uint64_t value) { return fmt::format("{:x}", value); }

// clrdump's stdout for `commands` run through -c.
std::string RunClrdump(const std::string& dump, const std::vector<std::string>& commands) {
  std::vector<std::string> argv = {ClrdumpPath(), "analyze", dump};
  for (const auto& command : commands) {
    argv.push_back("-c");
    argv.push_back(command);
  }
  argv.push_back("-c");
  argv.push_back("exit");
  return Run(argv).out;
}

struct Segment {
  uint64_t start;
  uint64_t end;
  bool writable;
};

// The core's PT_LOAD segments, sorted by address.
std::vector<Segment> CoreSegments(const std::string& dump) {
  std::ifstream file(dump, std::ios::binary);
  Elf64_Ehdr header{};
  file.read(reinterpret_cast<char*>(&header), sizeof(header));
  std::vector<Segment> segments;
  for (uint16_t i = 0; file && i < header.e_phnum; ++i) {
    Elf64_Phdr phdr{};
    file.seekg(static_cast<std::streamoff>(header.e_phoff + i * sizeof(phdr)));
    file.read(reinterpret_cast<char*>(&phdr), sizeof(phdr));
    if (file && phdr.p_type == PT_LOAD) {
      segments.push_back({phdr.p_vaddr, phdr.p_vaddr + phdr.p_memsz, (phdr.p_flags & PF_W) != 0});
    }
  }
  std::sort(segments.begin(), segments.end(),
            [](const Segment& a, const Segment& b) { return a.start < b.start; });
  return segments;
}

// Bytes by address from `db` rows; unreadable bytes ("??") are left out.
std::map<uint64_t, uint8_t> ParseDbRows(const std::string& text) {
  std::map<uint64_t, uint8_t> bytes;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() < 18 || line[16] != ':') continue;
    const uint64_t row = std::stoull(line.substr(0, 16), nullptr, 16);
    for (size_t i = 0; i < 16 && 18 + 3 * i + 2 <= line.size(); ++i) {
      const std::string cell = line.substr(18 + 3 * i, 2);
      if (!std::isxdigit(static_cast<unsigned char>(cell[0]))) continue;
      bytes[row + i] = static_cast<uint8_t>(std::stoul(cell, nullptr, 16));
    }
  }
  return bytes;
}

bool Printable(std::optional<uint8_t> b) { return b && *b >= 0x20 && *b <= 0x7E; }

std::optional<uint8_t> At(const std::map<uint64_t, uint8_t>& bytes, uint64_t address) {
  auto it = bytes.find(address);
  return it == bytes.end() ? std::nullopt : std::optional<uint8_t>(it->second);
}

// The first zero-terminated run of at least four printable characters
// (bytes, or UTF-16 code units when `unicode`).
std::optional<uint64_t> FindText(const std::map<uint64_t, uint8_t>& bytes, bool unicode) {
  const uint64_t size = unicode ? 2 : 1;
  for (const auto& [address, value] : bytes) {
    uint64_t n = 0;
    for (uint64_t a = address;; a += size, ++n) {
      if (!Printable(At(bytes, a)) || (unicode && At(bytes, a + 1) != uint8_t{0})) break;
    }
    const bool zero_after = At(bytes, address + n * size) == uint8_t{0} &&
                            (!unicode || At(bytes, address + n * size + 1) == uint8_t{0});
    if (n >= 4 && zero_after) return address;
  }
  return std::nullopt;
}

struct Addresses {
  uint64_t rsp = 0;
  uint64_t rip = 0;
  uint64_t first_module = 0;  // the apphost's ELF image, lowest in the list
  uint64_t stack_end = 0;     // where the readable memory around rsp ends
  std::optional<uint64_t> ascii_text, utf16_text;
  // A string whose end is readable only after an unreadable gap; whether
  // it also ends there read as UTF-16.
  std::optional<uint64_t> across_gap;
  bool across_gap_utf16 = false;
};

uint64_t Register(const std::string& text, const std::string& name) {
  std::smatch m;
  const std::regex pattern("(^|\\n)" + name + " = 0x([0-9A-F]+)");
  return std::regex_search(text, m, pattern) ? std::stoull(m[2].str(), nullptr, 16) : 0;
}

void FindModuleText(const std::string& dump, Addresses& a) {
  const std::string modules = RunClrdump(dump, {"modules"});
  const std::regex row("([0-9A-F]{16}) ([0-9A-F]{8}) (\\S+)");
  for (std::sregex_iterator it(modules.begin(), modules.end(), row), end; it != end; ++it) {
    const uint64_t base = std::stoull((*it)[1].str(), nullptr, 16);
    const uint64_t size = std::stoull((*it)[2].str(), nullptr, 16);
    if (a.first_module == 0) a.first_module = base;
    const std::string path = (*it)[3].str();
    if (path.find("/debuggees/") == std::string::npos || !path.ends_with(".dll")) continue;
    const auto bytes = ParseDbRows(RunClrdump(dump, {fmt::format("db {:x} -c {}", base, size)}));
    a.ascii_text = FindText(bytes, false);
    a.utf16_text = FindText(bytes, true);
  }
}

// Whether a zero character (aligned on `start`) follows within `bytes`
// from `from` on.
bool ZeroWithin(const std::map<uint64_t, uint8_t>& bytes, uint64_t start, uint64_t from,
                uint64_t size) {
  for (uint64_t at = from + (from - start) % size; at < from + 256; at += size) {
    if (At(bytes, at) == uint8_t{0} && (size == 1 || At(bytes, at + 1) == uint8_t{0})) return true;
  }
  return false;
}

// A gap between two writable (anonymous) segments that clrdump cannot read
// at either end, after non-zero bytes and followed by a zero character
// within 256 bytes: a string there crosses the gap and stops soon after it.
void FindStringAcrossGap(const std::string& dump, const std::vector<Segment>& segments,
                         Addresses& a) {
  for (size_t i = 0; i + 1 < segments.size(); ++i) {
    const Segment& before = segments[i];
    const Segment& after = segments[i + 1];
    if (!before.writable || !after.writable || after.start <= before.end ||
        after.start - before.end > 0x10000) {
      continue;
    }
    const auto bytes = ParseDbRows(RunClrdump(dump, {fmt::format("db {:x} -c 16", before.end - 16),
                                                     fmt::format("db {:x} -c 1", before.end),
                                                     fmt::format("db {:x} -c 1", after.start - 1),
                                                     fmt::format("db {:x} -c 256", after.start)}));
    if (At(bytes, before.end) || At(bytes, after.start - 1)) continue;
    uint64_t start = before.end;
    while (start > before.end - 16 && At(bytes, start - 1).value_or(0) != 0) --start;
    if (start == before.end || !ZeroWithin(bytes, start, after.start, 1)) continue;
    a.across_gap = start;
    a.across_gap_utf16 = ZeroWithin(bytes, start, after.start, 2);
    return;
  }
}

Addresses Derive(const std::string& dump) {
  Addresses a;
  const std::string registers = RunClrdump(dump, {"registers"});
  a.rsp = Register(registers, "rsp");
  a.rip = Register(registers, "rip");
  FindModuleText(dump, a);
  const auto segments = CoreSegments(dump);
  for (size_t i = 0; i < segments.size(); ++i) {
    if (a.rsp < segments[i].start || a.rsp >= segments[i].end) continue;
    a.stack_end = segments[i].end;
    // Adjacent segments read as one.
    while (i + 1 < segments.size() && segments[i + 1].start == a.stack_end) {
      a.stack_end = segments[++i].end;
    }
  }
  FindStringAcrossGap(dump, segments, a);
  return a;
}

struct Case {
  std::string name;
  std::vector<std::string> commands;
  // Whether the case also runs in the one-session stdin test; not for cases
  // with an accepted difference.
  bool in_session = true;
  // Through stdin instead of -c: where a -c run would end with another exit
  // code (clrdump refuses what dotnet-dump's parser accepts).
  bool through_stdin = false;
};

std::vector<Case> DisplayCases(const Addresses& a) {
  const std::string sp = Hex(a.rsp), ip = Hex(a.rip), mod = Hex(a.first_module);
  return {
      {"memory_d_at_start", {"d"}},
      {"memory_db_at_start", {"db"}},
      {"memory_db_stack", {"db " + sp}},
      {"memory_d_continues", {"db " + sp, "d", "d -c 3"}},
      {"memory_readmemory_alias", {"readmemory " + sp, "readmemory"}},
      {"memory_dc_stack", {"dc " + sp}},
      {"memory_dw_stack", {"dw " + sp}},
      {"memory_dd_stack", {"dd " + sp}},
      {"memory_dp_stack", {"dp " + sp, "d"}},
      {"memory_dq_stack", {"dq " + sp, "dp"}},
      {"memory_db_code", {"db " + ip}},
      {"memory_dq_code", {"dq " + ip + " -c 64"}},
      {"memory_module_header", {"db " + mod, "dd " + mod + " -a", "dc " + mod}},
      {"memory_count", {"db " + sp + " -c 5", "dq " + sp + " --count 3", "dd " + sp + " -c +9"}},
      {"memory_count_not_positive", {"db " + sp + " -c 0", "dw " + sp + " -c -7"}},
      {"memory_length",
       {"d " + sp + " -l 2", "d " + sp + " --length 8", "d " + sp + " -l 3", "d " + sp + " -l -1",
        "d " + sp + " -l 0", "d"}},
      {"memory_width",
       {"dd " + sp + " -w 3 -c 10", "db " + sp + " --width 5 -c 12", "dq " + sp + " -w -2",
        "db " + sp + " -w 40 -c 50"}},
      {"memory_ascii", {"dd " + sp + " -a", "dq " + sp + " --ascii -c 6", "dw " + sp + " -a -c 9"}},
      {"memory_unicode", {"db " + sp + " -u", "dw " + sp + " --unicode -c 20"}},
      {"memory_ascii_and_unicode", {"db " + sp + " -a -u -c 20"}},
      {"memory_hex_prefix",
       {"db " + sp + " -h -c 20", "dq " + sp + " --hex-prefix -c 5", "dw 10 -h -c 5 -a"}},
      {"memory_show_address", {"db " + sp + " --show-address -c 4"}},
      {"memory_end",
       {"db " + sp + " -e " + Hex(a.rsp + 0x23), "dd " + sp + " --end " + Hex(a.rsp + 0x41),
        "dq -e " + Hex(a.rsp + 0x100), "d"}},
      {"memory_end_shorter_than_element", {"dq " + sp + " -e " + Hex(a.rsp + 4)}},
      {"memory_end_not_after_start", {"db " + sp + " -e " + sp}, false},
      {"memory_state_persists",
       {"db " + sp + " -c 4 -w 2", "d", "dq " + sp + " -l 2", "d -c 3", "dd " + sp + " -w 3", "d",
        "dc -c 3", "dp " + sp + " -l 4", "d"}},
  };
}

std::vector<Case> AddressCases(const Addresses& a) {
  const std::string sp = Hex(a.rsp);
  const std::string end = Hex(a.stack_end);
  const std::string upper = fmt::format("{:X}", a.rsp);
  const std::string tick = fmt::format("{:x}`{:08x}", a.rsp >> 32, a.rsp & 0xFFFFFFFF);
  return {
      {"memory_address_forms",
       {"db 0x" + sp + " -c 4", "db " + upper + " -c 4", "db 0000" + sp + " -c 4",
        "db " + tick + " -c 4", "db 0X" + sp + " -c 4", "db 0 -c 4", "db 0x0 -c 2", "db zz -c 2",
        "db 0x -c 2", fmt::format("db 1{:016x} -c 2", a.rsp)}},
      {"memory_unreadable", {"db 10", "dq 10 -a", "dc 800000000000", "dd ffff800000000000 -c 4"}},
      {"memory_stack_end",
       {"db " + Hex(a.stack_end - 8) + " -c 24", "dq " + Hex(a.stack_end - 12) + " -c 3",
        "dd " + Hex(a.stack_end - 2) + " -c 2 -a", "dw " + Hex(a.stack_end - 3) + " -c 3 -u",
        "dc " + Hex(a.stack_end - 6) + " -c 6", "d " + end + " -c 4"}},
      {"memory_before_module",
       {"db " + Hex(a.first_module - 8) + " -c 16", "dq " + Hex(a.first_module - 4) + " -c 2 -a"}},
      {"memory_top_of_address_space",
       {"db fffffffffffffff0 -c 15 -w 15", "dd ffffffffffffffe0 -c 4 -w 4", "dd -c 2 -w 2"}},
      {"memory_row_past_address_space", {"db fffffffffffffff0 -c 32"}, false},
      {"memory_extra_argument", {"db " + sp + " " + sp}},
      {"memory_missing_count", {"db " + sp + " -c"}},
      {"memory_bad_count", {"db " + sp + " -c x"}, false},
      {"memory_bad_length", {"dd " + sp + " --length 1.5"}, false},
      {"memory_bad_width", {"dq -w 0x10"}, false},
      {"memory_count_too_large", {"dd " + sp + " -c 536870912"}, false},
      {"memory_range_too_large", {"db 1000 -e 100001000"}, false},
      {"memory_row_too_long", {"db " + sp + " -w 2147483647 -c 1"}, false},
      {"memory_flag_with_value", {"db " + sp + " -a false -c 4"}, false, true},
      {"memory_show_address_false", {"db " + sp + " --show-address false -c 4"}, false, true},
      {"memory_help",
       {"help d", "help readmemory", "help db", "help dc", "help da", "help du", "help dw",
        "help dd", "help dp", "help dq"}},
  };
}

std::vector<Case> StringCases(const Addresses& a) {
  std::vector<Case> cases = {
      {"memory_da_stack", {"da " + Hex(a.rsp), "db -c 4"}},
      {"memory_da_module_header", {"da " + Hex(a.first_module), "d -c 4"}},
  };
  if (a.ascii_text) {
    const std::string text = Hex(*a.ascii_text);
    cases.push_back({"memory_da_text",
                     {"da " + text, "db -c 4", "da " + text + " -e " + Hex(*a.ascii_text + 2),
                      "d " + text + " --ascii-string", "d"}});
  }
  if (a.utf16_text) {
    const std::string text = Hex(*a.utf16_text);
    cases.push_back(
        {"memory_du_text",
         {"du " + text, "db -c 4", "du " + Hex(*a.utf16_text + 1),
          "d " + text + " --unicode-string", "d " + text + " --ascii-string --unicode-string"}});
  }
  if (a.across_gap) {
    const std::string start = Hex(*a.across_gap);
    cases.push_back({"memory_da_across_gap", {"da " + start, "db -c 4"}});
    if (a.across_gap_utf16) {
      cases.push_back({"memory_du_across_gap", {"du " + start, "db -c 4"}});
    }
  }
  return cases;
}

std::vector<Case> AllCases(const Addresses& a) {
  std::vector<Case> cases = DisplayCases(a);
  for (auto more : {AddressCases(a), StringCases(a)}) {
    cases.insert(cases.end(), more.begin(), more.end());
  }
  return cases;
}

class MemoryDiff : public SharedDumpDiff {
 protected:
  void SetUp() override {
    SharedDumpDiff::SetUp();
    if (!Ready()) return;
    addresses_ = Derive(dump_);
    ASSERT_NE(addresses_.rsp, 0u) << "no rsp in `registers` of " << dump_;
    ASSERT_NE(addresses_.first_module, 0u) << "no module in `modules` of " << dump_;
    ASSERT_NE(addresses_.stack_end, 0u) << "no core segment holds rsp in " << dump_;
  }
  Addresses addresses_;
};

TEST_P(MemoryDiff, CommandsThroughDashC) {
  const std::string dir = MakeTempDir("memory-case");
  for (const Case& c : AllCases(addresses_)) {
    if (c.through_stdin) {
      {
        std::ofstream file(dir + "/" + c.name);
        for (const auto& command : c.commands) file << command << "\n";
        file << "q\n";
      }
      SpawnOptions options;
      options.stdin_file = dir + "/" + c.name;
      CompareWithOracle(oracle_, c.name, {"analyze", dump_}, options);
      continue;
    }
    std::vector<std::string> args = {"analyze", dump_};
    for (const auto& command : c.commands) {
      args.push_back("-c");
      args.push_back(command);
    }
    args.push_back("-c");
    args.push_back("exit");
    CompareWithOracle(oracle_, c.name, args);
  }
}

// One session: the remembered format and address carry from case to case.
TEST_P(MemoryDiff, CommandsThroughRedirectedStdin) {
  std::vector<AnalyzeCase> cases;
  for (const Case& c : AllCases(addresses_)) cases.push_back({c.name, c.commands, c.in_session});
  CompareCasesInSession(oracle_, dump_, cases, "memory_stdin_session");
}

INSTANTIATE_TEST_SUITE_P(Dumps, MemoryDiff,
                         ::testing::Values("waiter.Heap", "waiter.Mini", "crash.nested.Heap"));

// A string running into memory it cannot cross: dotnet-dump grows it with
// '?' until it runs out of memory (about two minutes and 4 GB), clrdump
// stops at the gap with an error. Once, on one dump, for its cost.
// dotnet-dump needs about two minutes and 4 GB to fail on a string that
// runs into unreadable memory (it appends '?' until OutOfMemoryException),
// too much for every CI run: clrdump's own answer is checked instead.
TEST(MemoryCommands, StringIntoUnreadableMemoryStopsAtOnce) {
  const std::string dump = SharedDump("waiter.Heap");
  CLRDUMP_REQUIRE(std::ifstream(dump).good(), "no dump at " + dump);
  auto r = ::clrdump::test::Run({ClrdumpPath(), "analyze", dump, "-c", "da 10", "-c", "exit"},
                                {}, std::chrono::seconds(60));
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("has no terminating zero before unreadable memory"), std::string::npos)
      << r.out;
}

}  // namespace
}  // namespace clrdump::test
