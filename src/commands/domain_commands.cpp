// Domain, assembly and module commands: SOS's `dumpdomain`,
// `dumpassembly` and `dumpmodule`, and the managed `assemblies`
// (`clrmodules`), each with the output of the tool it replaces.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <regex>

#include "commands/command.h"
#include "commands/families.h"
#include "commands/module_facts.h"
#include "commands/sos_command_line.h"
#include "commands/target.h"
#include "dump/memory_pe.h"

namespace clrdump::cmd {
namespace {

constexpr const char* kStageNames[] = {
    "CREATING", "READYFORMANAGEDCODE", "ACTIVE",   "OPEN",                 "UNLOAD_REQUESTED",
    "EXITING",  "EXITED",              "FINALIZING", "FINALIZED", "HANDLETABLE_NOACCESS",
    "CLEARED",  "COLLECTED",           "CLOSED"};

void PrintAssemblyModules(CommandContext& ctx, runtime::Runtime& rt,
                          const runtime::AssemblyInfo& assembly) {
  auto& out = ctx.out;
  if (assembly.security_descriptor != 0) {
    out << fmt::format("SecurityDescriptor: {:016X}\n", assembly.security_descriptor);
  }
  out << "  Module\n";
  if (assembly.module_count == 0) return;
  auto modules = rt.GetAssemblyModuleList(assembly.address, assembly.module_count);
  if (!modules) {
    out << "SOS Error: Out of memory\n";  // SOS reports every failure here so
    return;
  }
  for (uint64_t address : *modules) {
    if (ctx.cancelled()) return;
    out << fmt::format("  {:016x}    ", address);
    auto module = rt.GetManagedModule(address);
    if (!module) {
      out << "Request module data FAILED\n";
      continue;
    }
    const std::string name = ModuleFileName(rt, *module);
    const char* unnamed = module->reflection ? "Dynamic Module" : "Unknown Module";
    out << (name.empty() ? unnamed : name) << "\n";
  }
}

void PrintDomain(CommandContext& ctx, runtime::Runtime& rt, const runtime::AppDomainInfo& d) {
  auto& out = ctx.out;
  out << fmt::format("LowFrequencyHeap:   {:016X}\nHighFrequencyHeap:  {:016X}\n"
                     "StubHeap:           {:016X}\nStage:              {}\n",
                     d.low_frequency_heap, d.high_frequency_heap, d.stub_heap,
                     d.stage < std::size(kStageNames) ? kStageNames[d.stage] : "UNKNOWN");
  if (d.security_descriptor != 0) {
    out << fmt::format("SecurityDescriptor: {:016X}\n", d.security_descriptor);
  }
  out << "Name:               ";
  if (auto name = rt.GetAppDomainName(d.address)) {
    out << (name->empty() ? "None" : *name) << "\n";
  } else {
    out << "Error getting AppDomain friendly name\n";
  }
  if (d.assembly_count == 0) return;
  auto assemblies = rt.GetAssemblyList(d.address, d.assembly_count);
  if (!assemblies) {
    out << "Unable to get array of Assemblies\n";
    return;
  }
  for (size_t n = 0; n < assemblies->size(); ++n) {
    if (ctx.cancelled()) return;
    if (n != 0) out << "\n";
    const uint64_t address = (*assemblies)[n];
    out << fmt::format("Assembly:           {:016x}", address);
    if (auto assembly = rt.GetAssembly(d.address, address)) {
      if (assembly->dynamic) out << " (Dynamic)";
      auto name = rt.GetAssemblyName(address);
      out << " [" << (name ? *name : "") << "]\n";
      PrintAssemblyModules(ctx, rt, *assembly);
    }
  }
  out << "\n";
}

constexpr const char* kRule = "--------------------------------------\n";

// The failing call's HRESULT, for SOS's "error %lx"; E_FAIL when unknown.
std::string ErrorCodeOf(const Error& e) {
  return fmt::format("{:x}", e.status != 0 ? e.status : 0x80004005u);
}

// SOS's title line of a domain.
std::string DomainTitle(const runtime::AppDomainStore& s, uint64_t address, uint32_t id) {
  if (address == s.shared_domain) return fmt::format("Shared Domain:      {:016x}\n", address);
  if (address == s.system_domain) return fmt::format("System Domain:      {:016x}\n", address);
  return fmt::format("Domain {}:{}          {:016x}\n", static_cast<int32_t>(id),
                     id >= 10 ? "" : " ", address);
}

Status RunDumpDomain(CommandContext& ctx, const ParsedArgs& args) {
  auto runtime = ctx.target.runtime();
  if (!runtime) return runtime.error();
  runtime::Runtime& rt = **runtime;
  auto line = ParseSosCommandLine(Joined(args.Values("arguments")), {}, 1, ctx.out);
  if (!line) return line.error();
  auto store = rt.GetAppDomainStore();
  if (!store) return SosFailure(ctx.out, "Unable to get AppDomain information");
  if (!line->values.empty() && line->values[0] != 0) {
    auto domain = rt.GetAppDomain(line->values[0]);
    if (!domain) return SosFailure(ctx.out, "Fail to fill AppDomain");
    ctx.out << kRule << DomainTitle(*store, line->values[0], domain->id);
    PrintDomain(ctx, rt, *domain);
    return Ok{};
  }
  const std::pair<uint64_t, const char*> special[] = {
      {store->system_domain, "Unable to get system domain info."},
      {store->shared_domain, "Unable to get shared domain info"}};
  ctx.out << kRule;
  for (const auto& [address, failure] : special) {
    if (address == 0) continue;
    if (address == store->shared_domain) ctx.out << kRule;
    ctx.out << DomainTitle(*store, address, 0);
    auto domain = rt.GetAppDomain(address);
    if (!domain) return SosFailure(ctx.out, failure);
    PrintDomain(ctx, rt, *domain);
  }
  auto domains = rt.GetAppDomainList(store->domain_count);
  if (!domains) return SosFailure(ctx.out, "Unable to get array of AppDomains");
  for (uint64_t address : *domains) {
    if (ctx.cancelled()) break;
    auto domain = rt.GetAppDomain(address);
    if (!domain) {
      return SosFailure(ctx.out, fmt::format("Failed to get appdomain {:016X}, error {}", address,
                                             ErrorCodeOf(domain.error())));
    }
    ctx.out << kRule << DomainTitle(*store, address, domain->id);
    PrintDomain(ctx, rt, *domain);
  }
  return Ok{};
}

Status RunDumpAssembly(CommandContext& ctx, const ParsedArgs& args) {
  auto runtime = ctx.target.runtime();
  if (!runtime) return runtime.error();
  runtime::Runtime& rt = **runtime;
  const std::string raw = Joined(args.Values("arguments"));
  auto line = ParseSosCommandLine(raw, {}, 1, ctx.out);
  if (!line) return line.error();
  const uint64_t address = line->values.empty() ? 0 : line->values[0];
  if (address == 0) {
    ctx.out << "Invalid Assembly " << raw << "\n";
    return Ok{};
  }
  auto assembly = rt.GetAssembly(0, address);
  if (!assembly) return SosFailure(ctx.out, "Fail to fill Assembly");
  ctx.out << fmt::format("Parent Domain:      {:016x}\n", assembly->parent_domain);
  auto name = rt.GetAssemblyName(address);
  ctx.out << "Name:               " << (name ? *name : "Unknown") << "\n";
  PrintAssemblyModules(ctx, rt, *assembly);
  return Ok{};
}

void PrintModuleFacts(CommandContext& ctx, runtime::Runtime& rt, const runtime::ManagedModule& m) {
  // Flags of .NET Framework (0x200) and .NET Core (0x8) for Edit and Continue.
  constexpr uint32_t kEditAndContinue = 0x208;
  auto& out = ctx.out;
  const std::string file = ModuleFileName(rt, m);
  out << "Name: " << (file.empty() ? "Unknown Module" : file) << "\n";
  out << "Attributes:              ";
  if (m.pe_file_backed) out << "PEFile ";
  if (m.reflection) out << "Reflection ";
  if (m.transient_flags & kEditAndContinue) out << "EditAndContinue ";
  if (auto image = rt.GetModuleImage(m.address)) {
    if (image->dynamic) out << "IsDynamic ";
    if (image->in_memory) out << "IsInMemory ";
    if (image->file_layout) out << "IsFileLayout ";
  }
  out << "\n";
  out << fmt::format(
      "Assembly:                {:016x}\nBaseAddress:             {:016X}\n"
      "LoaderHeap:              {:016X}\nTypeDefToMethodTableMap: {:016X}\n"
      "TypeRefToMethodTableMap: {:016X}\nMethodDefToDescMap:      {:016X}\n"
      "FieldDefToDescMap:       {:016X}\nMemberRefToDescMap:      {:016X}\n"
      "FileReferencesMap:       {:016X}\nAssemblyReferencesMap:   {:016X}\n",
      m.assembly, m.il_base, m.loader_allocator, m.typedef_map, m.typeref_map, m.methoddef_map,
      m.fielddef_map, m.memberref_map, m.file_references_map, m.assembly_references_map);
  if (m.il_base != 0 && m.metadata_start != 0) {
    out << fmt::format("MetaData start address:  {:016X} ({} bytes)\n", m.metadata_start,
                       static_cast<int32_t>(m.metadata_size));
  }
}

void PrintTypeMap(CommandContext& ctx, runtime::Runtime& rt, uint64_t module, bool refs) {
  constexpr uint32_t kTypeDefTokenType = 0x02000000;  // SOS tags TypeRefs as TypeDefs too
  ctx.out << fmt::format("\nTypes {} in this module\n\n{:>16} {}{:>16} Name\n{:-<78}\n",
                         refs ? "referenced" : "defined", "MT", refs ? "  " : "",
                         refs ? "TypeRef" : "TypeDef", "");
  auto entries = rt.GetModuleTypeMap(module, refs);
  if (!entries) return;
  // SOS's name buffer keeps the last name when a lookup fails.
  std::string name;
  for (const auto& e : *entries) {
    if (auto n = rt.GetMethodTableName(e.method_table)) name = *n;
    ctx.out << fmt::format("{:016x} 0x{:08x} {}\n", e.method_table, kTypeDefTokenType | e.index,
                           name);
  }
}

void PrintProfilerModified(CommandContext& ctx, runtime::Runtime& rt, uint64_t module) {
  constexpr uint32_t kMaxMethods = 100;
  auto& out = ctx.out;
  auto methods = rt.GetMethodsWithProfilerModifiedIL(module, kMaxMethods);
  if (!methods || methods->empty()) {
    out << (methods ? "\nThis module has no methods with profiler modified IL.\n"
                    : "\nThis runtime version does not support listing the profiler modified "
                      "functions.\n");
    return;
  }
  out << "\nMethods in this module with profiler modified IL:\n";
  for (uint64_t md : *methods) {
    out << fmt::format("MethodDesc: {:016x} ", md);
    if (auto name = rt.GetMethodDescName(md)) out << "Name: " << *name;
    if (auto kind = rt.GetProfilerModifiedIL(md)) {
      if (*kind == runtime::ProfilerIlKind::kIlModified) out << " (IL Modified)";
      if (*kind == runtime::ProfilerIlKind::kRejitModified) out << " (ReJIT Modified)";
    }
    out << "\n";
  }
  if (methods->size() == kMaxMethods) {
    out << "Profiler modified methods truncated, reached max value.\n";
  }
}

Status RunDumpModule(CommandContext& ctx, const ParsedArgs& args) {
  auto runtime = ctx.target.runtime();
  if (!runtime) return runtime.error();
  runtime::Runtime& rt = **runtime;
  // SOS's "/d" (DML) can never be an option on Linux, where '/' starts a path.
  auto line = ParseSosCommandLine(Joined(args.Values("arguments")), {"-mt", "-prof"}, 1, ctx.out);
  if (!line) return line.error();
  if (line->values.size() != 1) {
    return SosFailure(ctx.out, "Usage: DumpModule [-mt] <Module Address>");
  }
  const uint64_t address = line->values[0];
  auto module = rt.GetManagedModule(address);
  if (!module) return SosFailure(ctx.out, fmt::format("Fail to fill Module {:016X}", address));
  PrintModuleFacts(ctx, rt, *module);
  auto has = [&](const char* option) {
    return std::ranges::find(line->options, option) != line->options.end();
  };
  if (has("-mt")) {
    PrintTypeMap(ctx, rt, address, false);
    PrintTypeMap(ctx, rt, address, true);
  }
  if (has("-prof")) PrintProfilerModified(ctx, rt, address);
  return Ok{};
}

// A module as ClrMD's ClrModule sees it.
struct ClrModuleView {
  runtime::ManagedModule data;
  std::string name, assembly_name;  // ClrMD's Name and AssemblyName; "" for null
  const char* layout = "Unknown";
  bool dynamic = false;
  uint64_t loaded_size = 0;  // as the runtime reports it
  uint64_t size = 0;         // else the image's own SizeOfImage
};

ClrModuleView ViewModule(Target& target, runtime::Runtime& rt, uint64_t address) {
  ClrModuleView v;
  // ClrMD keeps a module whose data the runtime refuses, with zeroes.
  if (auto data = rt.GetManagedModule(address)) v.data = *data;
  v.data.address = address;
  std::optional<std::string> assembly, file;
  if (v.data.assembly != 0) {
    if (auto name = rt.GetAssemblyName(v.data.assembly)) assembly = *name;
  }
  v.dynamic = v.data.reflection;
  if (auto image = rt.GetModuleImage(address)) {
    v.layout = image->file_layout ? "Flat" : "Mapped";
    v.dynamic |= image->dynamic;
    v.loaded_size = v.size = image->loaded_size;
    if (auto name = rt.GetModuleFileName(address)) file = *name;
  }
  v.name = file ? *file : assembly ? *assembly : "";
  v.assembly_name = assembly ? *assembly : file.value_or("");
  if (v.size == 0) {
    dump::MemoryPe pe(target.memory(), v.data.il_base, INT32_MAX, std::string_view(v.layout) != "Flat");
    v.size = pe.valid() ? pe.size_of_image() : 0;
  }
  return v;
}

void PrintVerbose(CommandContext& ctx, const ClrModuleView& m) {
  dump::MemoryPe image(ctx.target.memory(), m.data.il_base, m.loaded_size ? m.loaded_size : INT32_MAX,
                 std::string_view(m.layout) != "Flat");
  auto pdbs = image.valid() ? dump::PdbRecords(image) : std::vector<std::string>{};
  ctx.out << fmt::format(
      "{}{}\n    AssemblyName:    {}\n    ImageBase:       {:016X}\n    Size:            {:08X}\n"
      "    ModuleAddress:   {:016X}\n    AssemblyAddress: {:016X}\n    IsPEFile:        {}\n"
      "    Layout:          {}\n    IsDynamic:       {}\n    MetadataAddress: {:016X}\n"
      "    MetadataSize:    {:016X}\n    PdbInfo:         {}\n    Version:         {}\n",
      m.name, m.dynamic ? "(Dynamic)" : "", m.assembly_name, m.data.il_base, m.size,
      m.data.address, m.data.assembly, m.data.pe_file_backed ? "True" : "False", m.layout,
      m.dynamic ? "True" : "False", m.data.metadata_start, m.data.metadata_size,
      pdbs.empty() ? "<none>" : pdbs.back(), ModuleVersion(ctx.target, m.data.il_base));
}

Status RunAssemblies(CommandContext& ctx, const ParsedArgs& args) {
  std::optional<std::regex> filter;
  if (auto pattern = args.Value("--name")) {
    try {
      filter.emplace(*pattern, std::regex::ECMAScript | std::regex::icase);
    } catch (const std::regex_error& e) {
      return MakeError(ErrorCode::kInvalidArgument,
                       fmt::format("Invalid regular expression '{}': {}", *pattern, e.what()));
    }
  }
  auto runtime = ctx.target.runtime();
  if (!runtime) return runtime.error();
  for (uint64_t address : (*runtime)->EnumerateModules()) {
    if (ctx.cancelled()) break;
    const ClrModuleView m = ViewModule(ctx.target, **runtime, address);
    const std::string file = m.name.substr(m.name.rfind('/') + 1);
    if (filter && (m.name.empty() || !std::regex_search(file, *filter))) continue;
    if (args.Has("--verbose")) {
      PrintVerbose(ctx, m);
    } else {
      ctx.out << fmt::format("{:016X} {:08X} {}{}\n", m.data.il_base, m.size, m.name,
                             m.dynamic ? "(Dynamic)" : "");
    }
  }
  return Ok{};
}

}  // namespace

void AddDomainCommands(Registry& registry) {
  registry.Add({"assemblies",
                {"clrmodules"},
                "Lists the managed assemblies in the process.",
                {{{"-n", "--name"}, "RegEx filter on assembly name (path not included).",
                  ValueType::kString},
                 {{"-v", "--verbose"}, "Displays detailed information about the assemblies.",
                  ValueType::kFlag}},
                std::nullopt,
                RunAssemblies});
  registry.Add({"dumpassembly", {}, "Displays details about an assembly.", {}, SosArguments(),
                RunDumpAssembly});
  // dotnet-dump describes dumpdomain with dumpil's text; its listing is kept.
  registry.Add({"dumpdomain", {},
                "Displays the Microsoft intermediate language (MSIL) that's associated with a "
                "managed method.",
                {}, SosArguments(), RunDumpDomain});
  registry.Add({"dumpmodule", {},
                "Displays information about a EE module structure at the specified address.", {},
                SosArguments(), RunDumpModule});
}

}  // namespace clrdump::cmd
