// Native module commands: `modules`/`lm`.
#include <fmt/format.h>

#include <charconv>
#include <regex>

#include "base/strings.h"
#include "commands/command.h"
#include "commands/families.h"
#include "commands/target.h"
#include "dump/elf_image.h"

namespace clrdump::cmd {
namespace {

// Program header types by the names dotnet-dump's ELF reader gives them;
// others print as their number.
std::string SegmentTypeName(uint32_t type) {
  switch (type) {
    case 0: return "Null";
    case 1: return "Load";
    case 2: return "Dynamic";
    case 3: return "Interp";
    case 4: return "Note";
    case 5: return "Shlib";
    case 6: return "Phdr";
    case 0x6474e550: return "GnuEHFrame";
    default: return std::to_string(type);
  }
}

// PE images have no program headers: only ELF modules list segments.
void PrintSegments(CommandContext& ctx, const dump::Module& m) {
  if (m.kind != dump::ImageKind::kElf) return;
  const auto& memory = ctx.target.memory();
  auto headers = dump::ReadProgramHeaders([&memory, &m](uint64_t offset, std::span<uint8_t> out) {
    return memory.Read(m.base + offset, out);
  });
  if (!headers) return;
  for (const auto& h : *headers) {
    ctx.out << fmt::format("        Segment: {:016X} {:016X} {:016X} {:02x} {}\n", h.vaddr,
                           h.mem_size, h.offset, h.flags, SegmentTypeName(h.type));
  }
}

void PrintModule(CommandContext& ctx, const dump::Module& m, bool segments) {
  ctx.out << fmt::format("{:016X} {:08X} {}\n", m.base, m.size, m.path);
  if (segments) PrintSegments(ctx, m);
}

Status RunModules(CommandContext& ctx, const ParsedArgs& args) {
  for (const char* option : {"--verbose", "--resources"}) {
    if (args.Has(option)) {
      return MakeError(ErrorCode::kUnsupported,
                       fmt::format("modules {} is not supported by clrdump yet", option));
    }
  }
  const bool segments = args.Has("--segments");
  if (auto text = args.Value("--address")) {
    uint64_t address = 0;
    std::from_chars(text->data(), text->data() + text->size(), address);
    for (const auto& m : ctx.target.modules()) {
      if (address >= m.base && address - m.base < m.size) {
        PrintModule(ctx, m, segments);
        return Ok{};
      }
    }
    ctx.out << fmt::format("Address 0x{:016X} not found\n", address);
    return Ok{};
  }
  std::optional<std::regex> filter;
  if (auto pattern = args.Value("--name")) {
    try {
      // dotnet-dump matches without regard to case.
      filter.emplace(*pattern, std::regex::ECMAScript | std::regex::icase);
    } catch (const std::regex_error& e) {
      return MakeError(ErrorCode::kInvalidArgument,
                       fmt::format("Invalid regular expression '{}': {}", *pattern, e.what()));
    }
  }
  uint64_t total = 0;
  for (const auto& m : ctx.target.modules()) {
    // The total counts every module, shown or not, as dotnet-dump's does.
    total += m.size;
    if (filter && (m.path.empty() || !std::regex_search(FileNameOf(m.path), *filter))) continue;
    PrintModule(ctx, m, segments);
  }
  ctx.out << fmt::format("Total image size: {}\n", total);
  return Ok{};
}

}  // namespace

void AddModuleCommands(Registry& registry) {
  registry.Add({"modules",
                {"lm"},
                "Displays the native modules in the process.",
                {{{"-v", "--verbose"}, "Displays more details.", ValueType::kFlag},
                 {{"-s", "--segments"}, "Displays the module segments.", ValueType::kFlag},
                 {{"-r", "--resources"}, "Displays the module resources.", ValueType::kFlag},
                 {{"-n", "--name"}, "RegEx filter on module name (path not included).",
                  ValueType::kString},
                 {{"-a", "--address"}, "Lookup address in module list.",
                  ValueType::kOptionalUInt64}},
                std::nullopt,
                RunModules});
}

}  // namespace clrdump::cmd
