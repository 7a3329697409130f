// Native module commands: `modules`/`lm`.
#include <fmt/format.h>

#include <array>
#include <charconv>
#include <regex>

#include "base/strings.h"
#include "commands/command.h"
#include "commands/families.h"
#include "commands/module_facts.h"
#include "commands/target.h"
#include "base/mapped_file.h"
#include "dump/elf_image.h"
#include "dump/memory_pe.h"

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

// Resource type ids by the names dotnet-dump (ClrMD) gives every numeric
// entry, at any level.
std::string ResourceIdName(uint32_t id) {
  switch (id) {
    case 1: return "Cursor";
    case 2: return "BitMap";
    case 3: return "Icon";
    case 4: return "Menu";
    case 5: return "Dialog";
    case 6: return "String";
    case 7: return "FontDir";
    case 8: return "Font";
    case 9: return "Accelerator";
    case 10: return "RCData";
    case 11: return "MessageTable";
    case 12: return "GroupCursor";
    case 14: return "GroupIcon";
    case 16: return "Version";
    case 19: return "PlugPlay";
    case 20: return "Vxd";
    case 21: return "Aniicursor";
    case 22: return "Aniicon";
    case 23: return "Html";
    case 24: return "RT_MANIFEST";
    default: return std::to_string(id);
  }
}

struct ResourceNode {
  std::string name;
  bool leaf = false;
  uint64_t offset = 0;  // of its directory, or of its data entry when a leaf
};

// The children of the resource directory at `offset`, as ClrMD reads them:
// offsets are relative to the root's, names of strings cut at a NUL.
std::vector<ResourceNode> ResourceChildren(const dump::MemoryPe& pe, uint64_t root,
                                           uint64_t offset) {
  constexpr uint32_t kMaxChildren = 128, kMaxNameLength = 512;
  std::vector<ResourceNode> children;
  const auto named = pe.Read<uint16_t>(offset + 12), ids = pe.Read<uint16_t>(offset + 14);
  if (!named || !ids) return children;
  const uint32_t count = std::min<uint32_t>(uint32_t{*named} + *ids, kMaxChildren);
  for (uint32_t i = 0; i < count; ++i) {
    const uint64_t at = offset + 16 + uint64_t{i} * 8;
    const auto name_field = pe.Read<uint32_t>(at), data_field = pe.Read<uint32_t>(at + 4);
    if (!name_field || !data_field) break;
    ResourceNode node;
    if (*name_field & 0x80000000u) {
      const uint64_t text = root + (*name_field & 0x7FFFFFFFu);
      const uint16_t length = std::min<uint16_t>(pe.Read<uint16_t>(text).value_or(0),
                                                 kMaxNameLength);
      std::u16string chars;
      for (uint16_t c = 0; c < length; ++c) {
        const char16_t ch = pe.Read<char16_t>(text + 2 + uint64_t{c} * 2).value_or(u'\0');
        if (ch == u'\0') break;
        chars.push_back(ch);
      }
      node.name = Utf16ToUtf8(chars);
    } else {
      node.name = ResourceIdName(*name_field & 0xFFFFu);
    }
    node.leaf = (*data_field & 0x80000000u) == 0;
    node.offset = root + (*data_field & 0x7FFFFFFFu);
    children.push_back(std::move(node));
  }
  return children;
}

void PrintClrDebugInfo(CommandContext& ctx, const dump::MemoryPe& pe, const ResourceNode& node,
                       uint64_t root, const std::string& indent) {
  ctx.out << indent << "Name: " << node.name << "\n";
  const auto children = node.leaf ? std::vector<ResourceNode>{}
                                  : ResourceChildren(pe, root, node.offset);
  if (children.empty()) return;
  // The data entry: RVA of the data, then its size.
  const uint32_t rva = pe.Read<uint32_t>(children[0].offset).value_or(0);
  const uint32_t size = pe.Read<uint32_t>(children[0].offset + 4).value_or(0);
  // CLR_DEBUG_RESOURCE: version, signature GUID, DAC and DBI index values.
  std::array<uint8_t, 36> data{};
  const auto at = pe.Offset(rva);
  if (rva != 0 && size >= data.size() && at) {
    data = pe.Read<std::array<uint8_t, 36>>(*at).value_or(data);
  }
  auto u32 = [&](size_t i) {
    return uint32_t{data[i]} | uint32_t{data[i + 1]} << 8 | uint32_t{data[i + 2]} << 16 |
           uint32_t{data[i + 3]} << 24;
  };
  std::string guid;
  for (int i : {3, 2, 1, 0, -1, 5, 4, -1, 7, 6, -1, 8, 9, -1, 10, 11, 12, 13, 14, 15}) {
    guid += i < 0 ? "-" : fmt::format("{:02x}", data[4 + static_cast<size_t>(i)]);
  }
  ctx.out << fmt::format(
      "{0}    Size:           {1:08X}\n{0}    Version:        {2:08X}\n"
      "{0}    Signature:      {3}\n{0}    DacTimeStamp:   {4:08X}\n"
      "{0}    DacSizeOfImage: {5:08X}\n{0}    DbiTimeStamp:   {6:08X}\n"
      "{0}    DbiSizeOfImage: {7:08X}\n",
      indent, size, u32(0), guid, u32(20), u32(24), u32(28), u32(32));
}

void PrintResourceNode(CommandContext& ctx, const dump::MemoryPe& pe, const ResourceNode& node,
                       uint64_t root, std::string indent, int depth) {
  constexpr int kMaxDepth = 16;  // a cycle of directories must end
  if (depth > kMaxDepth) return;
  if (node.name.rfind("CLRDEBUGINFO", 0) == 0) {
    PrintClrDebugInfo(ctx, pe, node, root, indent);
    return;
  }
  ctx.out << indent << "Name: " << node.name << "\n";
  // Read as a data entry even for a directory, whose timestamp then shows.
  const int32_t size = pe.Read<int32_t>(node.offset + 4).value_or(0);
  if (size > 0) ctx.out << fmt::format("{}Size: {:08X}\n", indent, size);
  indent += "    ";
  if (node.leaf) return;
  for (const auto& child : ResourceChildren(pe, root, node.offset)) {
    PrintResourceNode(ctx, pe, child, root, indent, depth + 1);
  }
}

void PrintResources(CommandContext& ctx, const dump::Module& m) {
  const auto facts = ReadPeFacts(ctx.target, m);
  if (!facts) return;
  ctx.out << "    Resources:\n";
  const dump::MemoryPe pe(ctx.target.memory(), m.base, m.size, !facts->file_layout);
  if (!pe.valid()) return;
  const auto root = pe.Offset(pe.Directory(2).first);
  if (!root) return;
  for (const auto& child : ResourceChildren(pe, *root, *root)) {
    PrintResourceNode(ctx, pe, child, *root, "        ", 0);
  }
}

void PrintModule(CommandContext& ctx, const dump::Module& m, size_t index, bool verbose,
                 bool segments, bool resources) {
  if (verbose) {
    PrintVerbose(ctx, m, index);
  } else {
    ctx.out << fmt::format("{:016X} {:08X} {}\n", m.base, m.size, m.path);
  }
  if (segments) PrintSegments(ctx, m);
  if (resources) PrintResources(ctx, m);
}

Status RunModules(CommandContext& ctx, const ParsedArgs& args) {
  const bool verbose = args.Has("--verbose"), segments = args.Has("--segments");
  const bool resources = args.Has("--resources");
  if (auto text = args.Value("--address")) {
    uint64_t address = 0;
    std::from_chars(text->data(), text->data() + text->size(), address);
    const auto& modules = ctx.target.modules();
    for (size_t i = 0; i < modules.size(); ++i) {
      if (address >= modules[i].base && address - modules[i].base < modules[i].size) {
        PrintModule(ctx, modules[i], i, verbose, segments, resources);
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
    PrintModule(ctx, m, i, verbose, segments, resources);
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
