// Type inspection: SOS's `dumpmt` (-md, -all), `dumpclass` and `dumpmd`,
// with SOS's output.
#include <fmt/format.h>

#include <array>

#include "commands/command.h"
#include "commands/families.h"
#include "commands/sos_command_line.h"
#include "commands/sos_fields.h"
#include "commands/target.h"

namespace clrdump::cmd {
namespace {

using runtime::MethodTableData;

// TypeDef attributes SOS names (II.23.1.15).
constexpr uint32_t kTdInterface = 0x20, kTdAbstract = 0x80, kTdSealed = 0x100, kTdImport = 0x1000;

// SOS prints pointers two ways: its "%p" in upper case, its DML links in
// lower case.
std::string Upper(uint64_t value) { return fmt::format("{:016X}", value); }
std::string Lower(uint64_t value) { return fmt::format("{:016x}", value); }

// A row of SOS's two-column table: the label left-aligned in `width`.
void Row(std::ostream& out, const std::string& label, const std::string& value, size_t width = 20) {
  out << fmt::format("{:<{}} {}\n", label, width, value);
}

std::string MethodTableName(TypeInspector& t, uint64_t mt) {
  auto globals = t.rt().GetUsefulGlobals();
  if (globals && mt == globals->free_mt) return "Free";
  return t.TypeName(mt);
}

void DisplayClassDetails(TypeInspector& t, uint64_t mt, const MethodTableData& info) {
  std::ostream& out = t.ctx().out;
  out << fmt::format("Class Attributes:    {:08x}  ", info.attr_class);
  if ((info.attr_class & kTdInterface) != 0) out << "Interface ";
  if ((info.attr_class & kTdAbstract) != 0) out << "Abstract ";
  if ((info.attr_class & kTdImport) != 0) out << "ComImport ";
  if ((info.attr_class & kTdSealed) != 0) out << "Sealed ";
  out << "\n";
  if (info.num_virtuals != 0) out << fmt::format("Vtable Slots:    {}\n", info.num_virtuals);
  if (info.num_vtable_slots != 0) {
    out << fmt::format("Total Method Slots:  {}\n", info.num_vtable_slots);
  }
  auto fields = t.rt().GetMethodTableFields(mt);
  if (!fields) return;
  out << fmt::format("NumInstanceFields:   {}\n", fields->instance_count);
  out << fmt::format("NumStaticFields:     {}\n", fields->static_count);
  if (fields->thread_static_count != 0) {
    out << fmt::format("NumThreadStaticFields: {}\n", fields->thread_static_count);
  }
  if (fields->context_statics_size != 0) {
    out << fmt::format("ContextStaticOffset: 0x{:x}\n", fields->context_static_offset);
    out << fmt::format("ContextStaticsSize:  {}\n", fields->context_statics_size);
  }
  if (fields->instance_count + fields->static_count > 0) {
    SosWriter w(out);
    DisplayFields(t, w, mt, info, *fields, 0, false);
  }
}

// The JIT column of dumpmt -md.
std::string JitKindOf(TypeInspector& t, const runtime::MethodSlot& slot) {
  runtime::Runtime& rt = t.rt();
  auto jit = runtime::JitKind::kUnknown;
  if (slot.entry_point != 0) {
    if (auto header = rt.GetCodeHeader(slot.entry_point)) {
      jit = header->jit;
      if (header->method_desc != slot.method_desc && slot.method_desc != 0) {
        t.ctx().out << "MethodDesc from IP2MD does not match MethodDesc from enumerator\n";
      }
    }
  }
  std::optional<runtime::MethodDescDetails> md;
  if (slot.method_desc != 0) {
    if (auto details = rt.GetMethodDescDetails(slot.method_desc)) md = *details;
  }
  if (jit == runtime::JitKind::kUnknown && md) {
    if (auto header = rt.GetCodeHeader(md->native_code)) jit = header->jit;
  }
  if (jit == runtime::JitKind::kJit) return "JIT";
  if (jit == runtime::JitKind::kPreJit) return "PreJIT";
  // Code inside libcoreclr.so is an FCALL.
  const auto& coreclr = rt.location().coreclr;
  if (md && md->native_code >= coreclr.base && md->native_code < coreclr.base + coreclr.size) {
    return "FCALL";
  }
  return "NONE";
}

// SOS's NameForMD_s as dumpmt -md uses it, printing its complaint inline.
std::string SlotName(TypeInspector& t, const runtime::MethodSlot& slot) {
  if (slot.method_desc == 0) {
    // SOS names a method without a MethodDesc by its token: Type.Method.
    if (!t.rt().GetManagedModule(slot.defining_module)) {
      return fmt::format("Unknown Module!{:08x}", slot.token);
    }
    const dump::MetadataNames* names = t.Names(slot.defining_module);
    if (!names) return fmt::format("0x{:08x}", slot.token);
    const uint32_t row = slot.token & 0xffffff;
    auto name = names->MethodName(row);
    if (!name) return "";
    auto owner = names->MethodOwner(row);
    return owner ? names->TypeDefName(*owner).value_or("") + "." + *name : *name;
  }
  if (!t.rt().GetMethodDescDetails(slot.method_desc)) {
    t.ctx().out << Upper(slot.method_desc) << " is not a MethodDesc\n";
    return "";
  }
  auto name = t.rt().GetMethodDescName(slot.method_desc);
  return name && !name->empty() ? *name : "UNKNOWN";
}

void PrintMethodDescTable(TypeInspector& t, uint64_t mt) {
  std::ostream& out = t.ctx().out;
  out << "--------------------------------------\nMethodDesc Table\n";
  out << fmt::format("{:>16} {:>16} {:>6} {:<16} {}\n", "Entry", "MethodDesc", "JIT", "Slot",
                     "Name");
  auto slots = t.rt().GetMethodTableSlots(mt);
  if (!slots) return;
  for (const auto& slot : *slots) {
    if (t.ctx().cancelled()) return;
    const std::string jit = JitKindOf(t, slot);
    const std::string name = SlotName(t, slot);
    out << fmt::format("{} {} {:>6} {:016X} {}\n", Upper(slot.entry_point), Upper(slot.method_desc),
                       jit, slot.slot, name);
  }
}

void PrintMethodTableFacts(TypeInspector& t, uint64_t mt, const MethodTableData& info) {
  std::ostream& out = t.ctx().out;
  runtime::Runtime& rt = t.rt();
  Row(out, "Parent:", Lower(info.parent));
  auto canonical = rt.GetMethodTableForEEClass(info.eeclass);
  if (canonical && *canonical == info.eeclass) {
    if (*canonical != 0 && *canonical != mt) Row(out, "Canonical:", Lower(*canonical));
  } else {
    Row(out, "EEClass:", Upper(info.eeclass));
  }
  Row(out, "Module:", Upper(info.module));
  Row(out, "Name:", MethodTableName(t, mt));
  const std::string file = t.ModuleFile(info.module);
  Row(out, "mdToken:", Upper(info.token));
  Row(out, "File:", file.empty() ? "Unknown Module" : file);
  if (auto handle = rt.GetLoaderAllocatorHandle(mt); handle && *handle != 0) {
    if (auto allocator = t.ctx().target.memory().ReadValue<uint64_t>(*handle)) {
      Row(out, "LoaderAllocator:", Lower(*allocator));
    }
  }
  if (auto alc = rt.GetAssemblyLoadContext(mt)) {
    Row(out, "AssemblyLoadContext:",
        *alc != 0 ? Lower(*alc)
                  : "Default ALC - The managed instance of this context doesn't exist yet.");
  }
  Row(out, "BaseSize:", fmt::format("0x{:x}", info.base_size));
  if (info.component_size != 0)
    Row(out, "ComponentSize:", fmt::format("0x{:x}", info.component_size));
  Row(out, "Has GC Pointers:", info.contains_pointers ? "true" : "false");
  Row(out, "Number of Methods:", std::to_string(info.num_methods));
  Row(out, "Number of IFaces in IFaceMap:", std::to_string(info.num_interfaces), 29);
}

Status RunDumpMt(CommandContext& ctx, const ParsedArgs& args) {
  auto runtime = ctx.target.runtime();
  if (!runtime) return runtime.error();
  auto line = ParseSosCommandLine(Joined(args.Values("arguments")), {"-md", "-all"}, 1, ctx.out);
  if (!line) return line.error();
  if (line->values.empty()) return SosFailure(ctx.out, "Missing MethodTable address");
  const uint64_t original = line->values[0];
  const uint64_t mt = original & ~uint64_t{3};
  auto info = (*runtime)->GetMethodTableData(mt);
  if (!info) return SosFailure(ctx.out, Upper(original) + " is not a MethodTable");
  if (info->is_free) return SosFailure(ctx.out, "Free MethodTable");
  TypeInspector types(ctx, **runtime);
  PrintMethodTableFacts(types, mt, *info);
  if (line->Has("-md") || line->Has("-all")) PrintMethodDescTable(types, mt);
  if (line->Has("-all")) {
    ctx.out << "--------------------------------------\nAdditional Details\n";
    DisplayClassDetails(types, mt, *info);
  }
  return Ok{};
}

Status RunDumpClass(CommandContext& ctx, const ParsedArgs& args) {
  auto runtime = ctx.target.runtime();
  if (!runtime) return runtime.error();
  runtime::Runtime& rt = **runtime;
  auto line = ParseSosCommandLine(Joined(args.Values("arguments")), {}, 1, ctx.out);
  if (!line) return line.error();
  if (line->values.empty()) return SosFailure(ctx.out, "Missing EEClass address");
  const uint64_t ee_class = line->values[0];
  auto mt = rt.GetMethodTableForEEClass(ee_class);
  if (!mt) return SosFailure(ctx.out, "Invalid EEClass address");
  // .NET 9+ names classes by their canonical MethodTable.
  const bool prefer_mt = *mt == ee_class;
  auto info = rt.GetMethodTableData(*mt);
  if (!info) return SosFailure(ctx.out, "EEClass has an invalid MethodTable address");
  TypeInspector types(ctx, rt);
  std::ostream& out = ctx.out;
  out << fmt::format("Class Name:      {}\n", MethodTableName(types, *mt));
  out << fmt::format("mdToken:         {}\n", Upper(info->token));
  out << fmt::format("File:            {}\n", types.ModuleFile(info->module));
  uint64_t parent_class = 0;
  if (info->parent != 0) {
    auto parent = rt.GetMethodTableData(info->parent);
    if (!parent) return SosFailure(out, "EEClass has an invalid MethodTable address");
    parent_class = parent->eeclass;
  }
  if (prefer_mt) {
    out << fmt::format("Parent:    {}\n", Lower(info->parent));
  } else {
    out << fmt::format("Parent Class:    {}\n", Lower(parent_class));
  }
  out << fmt::format("Module:          {}\n", Lower(info->module));
  out << fmt::format("Method Table:    {}\n", Lower(*mt));
  if (prefer_mt && *mt != info->eeclass) {
    out << fmt::format("Canonical:    {}\n", Lower(info->eeclass));
  }
  DisplayClassDetails(types, *mt, *info);
  return Ok{};
}

constexpr std::array<const char*, 9> kTierNames = {"Unknown Tier",
                                                   "MinOptJitted",
                                                   "Optimized",
                                                   "QuickJitted",
                                                   "OptimizedTier1",
                                                   "ReadyToRun",
                                                   "OptimizedTier1OSR",
                                                   "QuickJitted + Instrumented",
                                                   "OptimizedTier1 + Instrumented"};

void PrintVersionHistory(std::ostream& out, runtime::Runtime& rt,
                         const runtime::MethodDescDetails& md) {
  const auto rejit_id = static_cast<int32_t>(md.rejit_current_id);
  out << "Version History:\n";
  runtime::ReJitInfo current;
  if (auto info = rt.GetReJitInfo(md.method_desc, rejit_id)) current = *info;
  if (auto pending = rt.GetPendingReJitId(md.method_desc)) {
    if (auto info = rt.GetReJitInfo(md.method_desc, *pending)) {
      out << fmt::format("  ILCodeVersion:      {} (pending)\n", Upper(info->il_code_version_node));
      out << fmt::format("  ReJIT ID:           {}\n", *pending);
      out << fmt::format("  IL Addr:            {}\n", Lower(info->il));
    }
  }
  auto versions = rt.GetTieredVersions(md.method_desc, rejit_id);
  if (!versions) return;
  out << fmt::format("  ILCodeVersion:      {}\n", Upper(current.il_code_version_node));
  out << fmt::format("  ReJIT ID:           {}\n", rejit_id);
  out << fmt::format("  IL Addr:            {}\n", Lower(current.il));
  for (auto it = versions->rbegin(); it != versions->rend(); ++it) {
    const char* tier = it->tier < kTierNames.size() ? kTierNames[it->tier] : kTierNames[0];
    out << fmt::format("     CodeAddr:           {}  ({})\n", Lower(it->native_code), tier);
    out << fmt::format("     NativeCodeVersion:  {}\n", Upper(it->native_code_version_node));
  }
}

// SOS's DumpMDInfo.
void PrintMethodDesc(std::ostream& out, runtime::Runtime& rt, uint64_t method_desc) {
  auto md = rt.GetMethodDescDetails(method_desc);
  if (!md) {
    out << Upper(method_desc) << " is not a MethodDesc\n";
    return;
  }
  auto name = rt.GetMethodDescName(md->method_desc);
  out << fmt::format("Method Name:          {}\n", name && !name->empty() ? *name : "UNKNOWN");
  if (auto mt = rt.GetMethodTableData(md->method_table)) {
    out << fmt::format("Class:                {}\n", Lower(mt->eeclass));
  }
  out << fmt::format("MethodTable:          {}\n", Lower(md->method_table));
  out << fmt::format("mdToken:              {}\n", Upper(md->token));
  out << fmt::format("Module:               {}\n", Lower(md->module));
  out << fmt::format("IsJitted:             {}\n", md->has_native_code ? "yes" : "no");
  out << fmt::format("Current CodeAddr:     {}\n", Lower(md->native_code));
  PrintVersionHistory(out, rt, *md);
}

Status RunDumpMd(CommandContext& ctx, const ParsedArgs& args) {
  auto runtime = ctx.target.runtime();
  if (!runtime) return runtime.error();
  auto line = ParseSosCommandLine(Joined(args.Values("arguments")), {}, 1, ctx.out);
  if (!line) return line.error();
  PrintMethodDesc(ctx.out, **runtime, line->values.empty() ? 0 : line->values[0]);
  return Ok{};
}

}  // namespace

void AddTypeCommands(Registry& registry) {
  registry.Add({"dumpmt",
                {},
                "Displays information about a method table at the specified address.",
                {},
                SosArguments(),
                RunDumpMt});
  registry.Add({"dumpclass",
                {},
                "Displays information about a EE class structure at the specified address.",
                {},
                SosArguments(),
                RunDumpClass});
  registry.Add({"dumpmd",
                {},
                "Displays information about a MethodDesc structure at the specified address.",
                {},
                SosArguments(),
                RunDumpMd});
}

}  // namespace clrdump::cmd
