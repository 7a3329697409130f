// Native module commands: `modules`/`lm`.
#include <fmt/format.h>

#include <charconv>
#include <regex>

#include "base/strings.h"
#include "commands/command.h"
#include "commands/families.h"
#include "commands/module_facts.h"
#include "commands/target.h"
#include "base/mapped_file.h"
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

// "1.2.3.4" from "1.2.3.4 @Commit: ..." as .NET's Version parses and
// prints it (2 to 4 components); nullopt when it does not parse.
std::optional<std::string> ParseVersion(const std::string& text) {
  size_t end = std::min(text.find(' '), text.size());
  if (end > 0 && text[end - 1] == '.') --end;
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= end) {
    const size_t dot = std::min(text.find('.', start), end);
    int32_t value = 0;
    auto [p, ec] = std::from_chars(text.data() + start, text.data() + dot, value);
    if (ec != std::errc() || p != text.data() + dot || value < 0) return std::nullopt;
    parts.push_back(std::to_string(value));
    start = dot + 1;
  }
  if (parts.size() < 2 || parts.size() > 4) return std::nullopt;
  std::string version = parts[0];
  for (size_t i = 1; i < parts.size(); ++i) version += "." + parts[i];
  return version;
}

// The runtime exports dotnet-dump looks for, found ones only. Single-file
// hosts' DotNetRuntimeInfo is not among them: dotnet-dump decodes it.
void PrintExports(CommandContext& ctx, const dump::Module& m) {
  auto file = MappedFile::Open(m.path);
  if (!file) return;
  bool header = false;
  for (const char* name :
       {"g_dacTable", "DotNetRuntimeDebugHeader", "DotNetRuntimeContractDescriptor"}) {
    auto value = dump::FindDynamicSymbol(dump::SpanReader(file->bytes()), name);
    if (!value) continue;
    if (!header) ctx.out << "    Exports:\n";
    header = true;
    // Shared libraries are linked at 0: the value is the offset from base.
    ctx.out << fmt::format("        {}: {:016X}\n", name, m.base + *value);
  }
}

void PrintVerbose(CommandContext& ctx, const dump::Module& m, size_t index) {
  const auto pe = ReadPeFacts(ctx.target, m);
  ctx.out << fmt::format("{} {}\n    Address:         {:016X}\n    ImageSize:       {:08X}\n",
                         index, m.path, m.base, m.size);
  ctx.out << fmt::format("    IsPEImage:       {}\n    IsManaged:       {}\n", pe ? "True" : "False",
                         pe && pe->managed ? "True" : "False");
  ctx.out << fmt::format("    IsFileLayout:    {}\n",
                         pe ? (pe->file_layout ? "True" : "False") : "<unknown>");
  ctx.out << fmt::format("    IndexFileSize:   {}\n    IndexTimeStamp:  {}\n",
                         pe ? fmt::format("{:08X}", pe->size_of_image) : "<none>",
                         pe ? fmt::format("{:08X}", pe->timestamp) : "<none>");
  std::optional<std::string> version_string;
  if (!pe) version_string = NativeVersionString(ctx.target, m);
  std::string version = pe ? ModuleVersion(ctx.target, m.base) : "<none>";
  if (!pe && version_string) version = ParseVersion(*version_string).value_or("<none>");
  ctx.out << "    Version:         " << version << "\n";
  if (version_string && !version_string->empty()) {
    ctx.out << "                     " << *version_string << "\n";
  }
  if (pe) {
    for (const auto& pdb : pe->pdbs) ctx.out << "    PdbInfo:         " << pdb << "\n";
  }
  std::optional<std::vector<uint8_t>> build_id;
  if (!pe) build_id = ctx.target.memory().LoadedBuildId(m.base);
  ctx.out << "    BuildId:         "
          << (build_id && !build_id->empty() ? dump::HexString(*build_id) : "<none>") << "\n";
  if (!pe) PrintExports(ctx, m);
}

void PrintModule(CommandContext& ctx, const dump::Module& m, size_t index, bool verbose,
                 bool segments) {
  if (verbose) {
    PrintVerbose(ctx, m, index);
  } else {
    ctx.out << fmt::format("{:016X} {:08X} {}\n", m.base, m.size, m.path);
  }
  if (segments) PrintSegments(ctx, m);
}

Status RunModules(CommandContext& ctx, const ParsedArgs& args) {
  if (args.Has("--resources")) {
    return MakeError(ErrorCode::kUnsupported, "modules --resources is not supported by clrdump yet");
  }
  const bool verbose = args.Has("--verbose"), segments = args.Has("--segments");
  if (auto text = args.Value("--address")) {
    uint64_t address = 0;
    std::from_chars(text->data(), text->data() + text->size(), address);
    const auto& modules = ctx.target.modules();
    for (size_t i = 0; i < modules.size(); ++i) {
      if (address >= modules[i].base && address - modules[i].base < modules[i].size) {
        PrintModule(ctx, modules[i], i, verbose, segments);
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
  const auto& modules = ctx.target.modules();
  for (size_t i = 0; i < modules.size(); ++i) {
    const auto& m = modules[i];
    // The total counts every module, shown or not, as dotnet-dump's does.
    total += m.size;
    if (filter && (m.path.empty() || !std::regex_search(FileNameOf(m.path), *filter))) continue;
    PrintModule(ctx, m, i, verbose, segments);
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
