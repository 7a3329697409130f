// Object inspection: SOS's `dumpobj` (`do`), `dumparray` and `dumpvc`, with
// SOS's output (PrintObj, PrintArray, PrintVC).
#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "commands/command.h"
#include "commands/families.h"
#include "commands/gcrefs.h"
#include "commands/sos_command_line.h"
#include "commands/sos_fields.h"
#include "commands/target.h"

namespace clrdump::cmd {
namespace {

using runtime::ObjectDetails;
using runtime::ObjectKind;

constexpr uint32_t kElementChar = 0x03, kElementI1 = 0x04, kElementU1 = 0x05;
// SOS refuses strings longer than this.
constexpr uint64_t kMaxString = 0x200000;
// Object header bits (the sync block index word before the MethodTable).
constexpr uint32_t kHashOrSyncBlock = 0x08000000, kSpinLock = 0x10000000;
constexpr uint32_t kLockThreadIdMask = 0x3ff, kLockRecursionMask = 0xfc00;

// SOS's links print in lower case, its "%p" in upper case.
std::string Pointer(uint64_t value) { return fmt::format("{:016x}", value); }
std::string UpperPointer(uint64_t value) { return fmt::format("{:016X}", value); }

std::string SizeLine(uint64_t size) {
  return fmt::format("Size:        {}(0x{:x}) bytes\n", size, size);
}

void InvalidStructuresMessage(SosWriter& w) {
  w.Out("The garbage collector data structures are not in a valid state for traversal.\n");
  w.Out("It is either in the \"plan phase,\" where objects are being moved around, or\n");
  w.Out("we are at the initialization or shutdown of the gc heap. Commands related to\n");
  w.Out("displaying, finding or traversing objects as well as gc heap segments may not\n");
  w.Out("work properly. dumpheap and verifyheap may incorrectly complain of heap\n");
  w.Out("consistency errors.\n");
}

// SOS's IsObject check, as far as the runtime can tell: an object whose
// MethodTable the runtime accepts.
bool LooksLikeObject(runtime::Runtime& rt, uint64_t address) {
  auto o = rt.GetObjectDetails(address);
  return o && rt.GetMethodTableData(o->method_table).ok();
}

void PrintRuntimeTypeInfo(TypeInspector& t, SosWriter& w, uint64_t object, uint64_t mt) {
  const uint64_t offset = t.InstanceFieldOffset(mt, "m_handle");
  if (offset == 0) return;
  auto handle = t.ctx().target.memory().ReadValue<uint64_t>(object + offset);
  if (!handle) return;
  if ((*handle & 2) != 0) {  // a TypeDesc, not a MethodTable
    w.Out(fmt::format("TypeDesc:    {}\n", UpperPointer(*handle & ~uint64_t{2})));
    return;
  }
  w.Out(fmt::format("Type Name:   {}\n", t.TypeName(*handle)));
  w.Out(fmt::format("Type MT:     {}\n", Pointer(*handle)));
}

// Bytes or UTF-16 units, unprintable ones as '.', at most 128 of them.
void PrintCharArray(TypeInspector& t, SosWriter& w, uint64_t object, bool wide) {
  auto count = t.ctx().target.memory().ReadValue<uint64_t>(object + 8);
  if (!count || *count == 0) return;
  const size_t n = static_cast<size_t>(std::min<uint64_t>(*count, 128));
  std::vector<uint8_t> bytes(wide ? 2 * n : n);
  const size_t got = t.ctx().target.memory().Read(object + 16, bytes);
  if (got == 0) return;
  std::string text;
  const size_t unit = wide ? 2 : 1;
  for (size_t i = 0; i + unit <= got; i += unit) {
    const unsigned c = wide ? unsigned{bytes[i]} | (unsigned{bytes[i + 1]} << 8) : unsigned{bytes[i]};
    text += c < 32 || c > 126 ? '.' : static_cast<char>(c);
  }
  w.Out(text);
}

void PrintStringContent(TypeInspector& t, SosWriter& w, uint64_t object, const ObjectDetails& o) {
  auto length = t.ctx().target.memory().ReadValue<uint32_t>(object + 8);
  if (!length) return w.Out("Error getting string data\n");
  if (o.size > kMaxString || *length > kMaxString) {
    return w.Out("<String is invalid or too large to print>\n");
  }
  auto text = t.rt().GetStringContents(object);
  w.Out(text ? *text : "<Invalid Object>");
}

void PrintThinLock(TypeInspector& t, SosWriter& w, uint64_t object) {
  auto header = t.ctx().target.memory().ReadValue<uint32_t>(object - 4);
  if (!header || (*header & (kHashOrSyncBlock | kSpinLock)) != 0) return;
  const uint32_t id = *header & kLockThreadIdMask;
  if (id == 0) return;
  auto thread = t.rt().GetThreadFromThinLockId(id);
  if (!thread || *thread == 0) return;
  w.Out(fmt::format("ThinLock owner {:x} ({}), Recursive {:x}\n", id, UpperPointer(*thread),
                    (*header & kLockRecursionMask) >> 10));
}

// False when SOS gives up on the object part way.
bool PrintObjectBody(TypeInspector& t, SosWriter& w, uint64_t object, const ObjectDetails& o,
                     const runtime::MethodTableData& mt) {
  w.Out(SizeLine(o.size));
  const std::string name = t.TypeName(o.method_table);
  if (name == "System.RuntimeType") PrintRuntimeTypeInfo(t, w, object, o.method_table);
  if (name == "System.RuntimeType+RuntimeTypeCache") {
    const uint64_t offset = t.InstanceFieldOffset(o.method_table, "m_runtimeType");
    auto type =
        offset ? t.ctx().target.memory().ReadValue<uint64_t>(object + offset) : std::nullopt;
    if (type) {
      auto type_object = t.rt().GetObjectDetails(*type);
      if (!type_object) {
        w.Out("Error when reading RuntimeType field\n");
        return false;
      }
      PrintRuntimeTypeInfo(t, w, *type, type_object->method_table);
    }
  }
  if (o.kind == ObjectKind::kArray) {
    w.Out(fmt::format("Array:       Rank {}, Number of elements {}, Type {}", o.rank,
                      o.component_count, ElementTypeName(o.element_type)));
    w.Out("\n");
    if (o.element_type == kElementI1 || o.element_type == kElementU1 ||
        o.element_type == kElementChar) {
      w.Out("Content:     ");
      PrintCharArray(t, w, object, o.element_type == kElementChar);
      w.Out("\n");
    }
  } else {
    const std::string file = t.ModuleFile(mt.module);
    w.Out(fmt::format("File:        {}\n", file.empty() ? "Unknown Module" : file));
  }
  if (o.kind == ObjectKind::kString) {
    w.Out("String:      ");
    PrintStringContent(t, w, object, o);
    w.Out("\n");
  }
  return true;
}

// SOS's PrintObj; false when SOS fails the command.
bool PrintObject(TypeInspector& t, SosWriter& w, uint64_t object, bool fields) {
  runtime::Runtime& rt = t.rt();
  if (!LooksLikeObject(rt, object)) {
    w.Out("<Note: this object has an invalid CLASS field>\n");
    auto gc = rt.GetGcHeapInfo();
    if (gc && !gc->structures_valid) InvalidStructuresMessage(w);
  }
  auto o = rt.GetObjectDetails(object);
  if (!o) {
    w.Out("Invalid object\n");
    return false;
  }
  if (o->kind == ObjectKind::kFree) {
    w.Out("Free Object\n");
    w.Out(SizeLine(o->size));
    return true;
  }
  w.Out(fmt::format("Name:        {}\n", t.TypeName(o->method_table)));
  w.Out(fmt::format("MethodTable: {}\n", Pointer(o->method_table)));
  auto mt = rt.GetMethodTableData(o->method_table);
  if (!mt) {
    w.Out("Invalid MethodTable address\n");
    return false;
  }
  if (o->rcw != 0) w.Out(fmt::format("RCW:         {}\n", Pointer(o->rcw)));
  if (o->ccw != 0) w.Out(fmt::format("CCW:         {}\n", Pointer(o->ccw)));
  if (!PrintObjectBody(t, w, object, *o, *mt)) return false;
  if (fields) {
    auto counts = rt.GetMethodTableFields(o->method_table);
    if (!counts) return false;
    w.Out("Fields:\n");
    if (counts->instance_count + counts->static_count > 0) {
      DisplayFields(t, w, o->method_table, *mt, *counts, object, false);
    } else {
      w.Out("None\n");
    }
  }
  PrintThinLock(t, w, object);
  return true;
}

// SOS's PrintVC: a value type's fields at `address`.
bool PrintValueClass(TypeInspector& t, SosWriter& w, uint64_t mt_address, uint64_t address,
                     bool fields) {
  runtime::Runtime& rt = t.rt();
  auto mt = rt.GetMethodTableData(mt_address);
  if (!mt) return false;
  auto name = rt.GetMethodTableName(mt_address);
  if (!name) return false;
  w.Out(fmt::format("Name:        {}\n", *name));
  w.Out(fmt::format("MethodTable: {}\n", Pointer(mt_address)));
  // .NET 9+ reports the canonical MethodTable where the EEClass was.
  auto canonical = rt.GetMethodTableForEEClass(mt->eeclass);
  if (canonical && *canonical == mt->eeclass) {
    if (*canonical != 0 && *canonical != mt_address) {
      w.Out(fmt::format("Canonical: {}\n", Pointer(*canonical)));
    }
  } else {
    w.Out(fmt::format("EEClass:     {}\n", Pointer(mt->eeclass)));
  }
  w.Out(fmt::format("Size:        {}(0x{:x}) bytes\n", mt->base_size, mt->base_size));
  const std::string file = t.ModuleFile(mt->module);
  w.Out(fmt::format("File:        {}\n", file.empty() ? "Unknown Module" : file));
  if (!fields) return true;
  auto counts = rt.GetMethodTableFields(mt_address);
  if (!counts) return false;
  w.Out("Fields:\n");
  if (counts->instance_count + counts->static_count > 0) {
    DisplayFields(t, w, mt_address, *mt, *counts, address, true);
  }
  return true;
}

Status RunDumpObj(CommandContext& ctx, const ParsedArgs& args) {
  auto runtime = ctx.target.runtime();
  if (!runtime) return runtime.error();
  const std::string raw = Joined(args.Values("arguments"));
  auto line = ParseSosCommandLine(raw, {"-nofields", "-refs"}, 1, ctx.out);
  if (!line) return line.error();
  const uint64_t object = line->values.empty() ? 0 : line->values[0];
  if (object == 0) return SosFailure(ctx.out, "Invalid parameter " + raw);
  TypeInspector types(ctx, **runtime);
  SosWriter w(ctx.out);
  if (!PrintObject(types, w, object, !line->Has("-nofields"))) {
    return MakeError(ErrorCode::kInvalidArgument, "");
  }
  // SOS hands -refs to dotnet-dump's dumpobjgcrefs (dotnet-dump 10's host
  // fails to reach it; clrdump prints what it was meant to).
  if (line->Has("-refs")) return PrintGcRefs(ctx, object);
  return Ok{};
}

Status RunDumpVc(CommandContext& ctx, const ParsedArgs& args) {
  auto runtime = ctx.target.runtime();
  if (!runtime) return runtime.error();
  auto line = ParseSosCommandLine(Joined(args.Values("arguments")), {}, 2, ctx.out);
  if (!line) return line.error();
  if (line->values.size() != 2) {
    ctx.out << "Usage: dumpvc <Method Table> <Value object start addr>\n";
    return Ok{};
  }
  if (!(*runtime)->GetMethodTableData(line->values[0])) {
    ctx.out << "Not a managed object\n";
    return Ok{};
  }
  TypeInspector types(ctx, **runtime);
  SosWriter w(ctx.out);
  if (!PrintValueClass(types, w, line->values[0], line->values[1], true)) {
    return MakeError(ErrorCode::kInvalidArgument, "");
  }
  return Ok{};
}

// SOS's decimal option values: digits (a hex-looking word reads its
// leading digits), anything else 0.
uint64_t DecimalOrZero(const std::string& text) {
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') break;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  return value;
}

struct ArrayFlags {
  uint64_t start = 0;
  uint64_t length = UINT64_MAX;
  bool details = false;
  bool no_fields = false;
};

void PrintArrayHeader(TypeInspector& t, SosWriter& w, const ObjectDetails& o) {
  std::string name = t.TypeName(o.element_type_handle) + "[";
  for (uint32_t i = 1; i < o.rank; ++i) name += ",";
  w.Out(fmt::format("Name:        {}]\n", name));
  w.Out(fmt::format("MethodTable: {}\n", Pointer(o.method_table)));
  if (auto mt = t.rt().GetMethodTableData(o.method_table)) {
    w.Out(fmt::format("EEClass:     {}\n", Pointer(mt->eeclass)));
  }
  w.Out(SizeLine(o.size));
  w.Out(fmt::format("Array:       Rank {}, Number of elements {}, Type {}\n", o.rank,
                    o.component_count, ElementTypeName(o.element_type)));
  w.Out(fmt::format("Element Methodtable: {}\n", Pointer(o.element_type_handle)));
}

std::string Indices(const std::vector<uint32_t>& indices) {
  std::string text;
  for (uint32_t i : indices) text += fmt::format("[{}]", i);
  return text;
}

// Advances the last index, carrying into earlier ones; false past the end.
bool IndicesInRange(std::vector<uint32_t>& indices, const std::vector<uint32_t>& lower,
                    const std::vector<uint32_t>& bounds) {
  for (size_t i = indices.size(); i-- > 0;) {
    if (indices[i] >= bounds[i] + lower[i]) {
      if (i == 0) return false;
      indices[i] = lower[i];
      ++indices[i - 1];
    }
  }
  return true;
}

void PrintArrayElement(TypeInspector& t, SosWriter& w, const ObjectDetails& o,
                       const std::vector<uint32_t>& indices, uint64_t offset,
                       const ArrayFlags& flags) {
  const bool value_type = IsElementValueType(o.element_type);
  const uint64_t at = o.array_data + offset * o.component_size;
  uint64_t element = at;
  if (!value_type) {
    auto read = t.ctx().target.memory().ReadValue<uint64_t>(at);
    if (!read) return w.Out("Failed to read element at " + Indices(indices) + "\n");
    element = *read;
  }
  w.Out(Indices(indices));
  w.Out(element != 0 ? fmt::format(" {}\n", Pointer(element)) : std::string(" null\n"));
  if (!flags.details) return;
  w.Push();
  if (value_type) {
    PrintValueClass(t, w, o.element_type_handle, at, !flags.no_fields);
  } else if (element != 0) {
    PrintObject(t, w, element, !flags.no_fields);
  }
  w.Pop();
}

// SOS's PrintArray: every element of every dimension, in row-major order.
void PrintArray(TypeInspector& t, SosWriter& w, const ObjectDetails& o, const ArrayFlags& flags) {
  if (o.rank != 1 && (flags.length != UINT64_MAX || flags.start != 0)) {
    return w.Out("For multi-dimension array, length and start index are supported\n");
  }
  if (flags.start > o.component_count) return w.Out("Start index out of range\n");
  if (!flags.details && flags.no_fields) {
    w.Out("-nofields has no effect unless -details is specified\n");
  }
  PrintArrayHeader(t, w, o);
  if (o.rank == 0 || o.rank > 64) return;
  std::vector<uint32_t> lower(o.rank), bounds(o.rank);
  std::span<uint8_t> lower_bytes(reinterpret_cast<uint8_t*>(lower.data()), 4 * o.rank);
  std::span<uint8_t> bound_bytes(reinterpret_cast<uint8_t*>(bounds.data()), 4 * o.rank);
  const auto& memory = t.ctx().target.memory();
  if (memory.Read(o.array_lower_bounds, lower_bytes) != lower_bytes.size()) {
    return w.Out("Failed to read lower bounds info from the array\n");
  }
  if (memory.Read(o.array_bounds, bound_bytes) != bound_bytes.size()) {
    return w.Out("Failed to read bounds info from the array\n");
  }
  if (o.rank == 1 && flags.length != UINT64_MAX) {
    const auto limit = static_cast<uint32_t>(flags.length + flags.start) - lower[0];
    bounds[0] = std::min(bounds[0], limit);
  }
  std::vector<uint32_t> indices = lower;
  if (o.rank == 1) indices[0] = static_cast<uint32_t>(flags.start);
  uint64_t offset = 0, multiplier = 1;
  for (size_t i = o.rank; i-- > 0;) {
    offset += uint64_t{indices[i] - lower[i]} * multiplier;
    multiplier *= bounds[i];
  }
  for (; IndicesInRange(indices, lower, bounds); ++indices.back(), ++offset) {
    if (t.ctx().cancelled()) return w.Out("interrupted by user\n");
    PrintArrayElement(t, w, o, indices, offset, flags);
  }
}

Status RunDumpArray(CommandContext& ctx, const ParsedArgs& args) {
  auto runtime = ctx.target.runtime();
  if (!runtime) return runtime.error();
  const std::vector<std::string> valued = {"-start", "-length"};
  auto line =
      ParseSosCommandLine(Joined(args.Values("arguments")),
                          {"-start", "-length", "-details", "-nofields"}, 1, ctx.out, valued);
  if (!line) return line.error();
  ArrayFlags flags;
  if (line->Has("-start")) flags.start = DecimalOrZero(line->option_values["-start"]);
  if (line->Has("-length")) flags.length = DecimalOrZero(line->option_values["-length"]);
  flags.details = line->Has("-details");
  flags.no_fields = line->Has("-nofields");
  const uint64_t object = line->values.empty() ? 0 : line->values[0];
  if (object == 0) {
    return SosFailure(ctx.out,
                      "Invalid parameter " + (line->tokens.empty() ? "(null)" : line->tokens[0]));
  }
  TypeInspector types(ctx, **runtime);
  SosWriter w(ctx.out);
  if (!LooksLikeObject(**runtime, object)) {
    w.Out("<Note: this object has an invalid CLASS field>\n");
  }
  auto o = (*runtime)->GetObjectDetails(object);
  if (!o) return SosFailure(ctx.out, "Invalid object");
  if (o->kind != ObjectKind::kArray) {
    ctx.out << "Not an array, please use dumpobj instead\n";
    return Ok{};
  }
  PrintArray(types, w, *o, flags);
  return Ok{};
}

}  // namespace

void AddObjectCommands(Registry& registry) {
  registry.Add({"dumpobj",
                {"do"},
                "Displays info about an object at the specified address.",
                {},
                SosArguments(),
                RunDumpObj});
  registry.Add({"dumparray",
                {},
                "Displays details about a managed array.",
                {},
                SosArguments(),
                RunDumpArray});
  registry.Add({"dumpvc",
                {},
                "Displays info about the fields of a value class.",
                {},
                SosArguments(),
                RunDumpVc});
}

}  // namespace clrdump::cmd
