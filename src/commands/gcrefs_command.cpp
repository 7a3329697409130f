// `dumpobjgcrefs`: the references an object holds, in its GCDesc's order,
// named by the field holding them as ClrMD names it (a struct field's path
// joined by '.'; array elements unnamed). Dependent handles are not asked.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <vector>

#include "commands/address.h"
#include "commands/families.h"
#include "commands/gcrefs.h"
#include "commands/sos_fields.h"
#include "commands/table.h"
#include "commands/target.h"

namespace clrdump::cmd {
namespace {

using runtime::HeapObject;
using runtime::ManagedHeap;

// Struct fields nested deeper than this are taken as a cycle.
constexpr int kMaxInnerFields = 64;

struct GcRef {
  int64_t offset = 0;  // from the instance data (after the MethodTable)
  const InstanceField* field = nullptr;
  uint64_t target = 0;
};

// ClrReference.InnerField: when `outer` is a struct, its field covering
// `offset`, which becomes relative to that struct.
const InstanceField* InnerField(TypeInspector& t, const InstanceField& outer, int64_t& offset) {
  if (outer.type_method_table == 0 || !IsElementValueType(outer.element_type)) return nullptr;
  offset -= outer.offset;
  const InstanceField* inner = t.FieldAt(outer.type_method_table, offset);
  // Primitives hold a field of their own type; ClrMD stops there.
  if (inner && inner->same_as(outer) && inner->name == "m_value") return nullptr;
  return inner;
}

bool Blank(const std::string& name) {
  return std::all_of(name.begin(), name.end(),
                     [](unsigned char c) { return std::isspace(c) != 0; });
}

// dotnet-dump's GetFieldName: the field, or the path into a struct field
// with "???" for nameless steps ("" when no step has a name).
std::string FieldName(TypeInspector& t, const GcRef& ref) {
  if (!ref.field) return "";
  std::vector<const InstanceField*> path{ref.field};
  int64_t offset = ref.offset;
  while (path.size() < kMaxInnerFields) {
    const InstanceField* inner = InnerField(t, *path.back(), offset);
    if (!inner) break;
    path.push_back(inner);
  }
  if (path.size() == 1) return ref.field->name;
  std::string name;
  bool named = false;
  for (const InstanceField* f : path) {
    if (!name.empty()) name += '.';
    if (Blank(f->name)) {
      name += "???";
    } else {
      name += f->name;
      named = true;
    }
  }
  return named ? name : "";
}

// ClrMD reads an object's MethodTable as stored (a marked one is no type).
const runtime::HeapType* TypeOf(ManagedHeap& heap, uint64_t address) {
  auto mt = heap.ReadPointer(address);
  return mt && *mt != 0 ? heap.Type(*mt) : nullptr;
}

// The TypeName column's text for the object at `address`.
std::string TypeCell(ManagedHeap& heap, uint64_t address) {
  const runtime::HeapType* type = TypeOf(heap, address);
  if (!type) return "Unknown";
  const std::string& name = heap.TypeName(type->method_table);
  if (!name.empty()) return name;
  return fmt::format("Unknown (MethodTable: {:012x})", type->method_table);
}

Status RunDumpObjGcRefs(CommandContext& ctx, const ParsedArgs& args) {
  const std::string text = args.Value("object").value_or("");
  auto address = TryParseAddress(text);
  if (!address) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("Invalid object address: '{}' (Parameter 'ObjectAddress')", text));
  }
  return PrintGcRefs(ctx, *address);
}

}  // namespace

Status PrintGcRefs(CommandContext& ctx, uint64_t object) {
  auto runtime = ctx.target.runtime();
  if (!runtime) return runtime.error();
  auto heap_or = ctx.target.heap();
  if (!heap_or) return heap_or.error();
  ManagedHeap& heap = **heap_or;
  const runtime::HeapType* type = TypeOf(heap, object);
  if (!type) {
    ctx.out << "Unable to walk object references, invalid object.\n";
    return Ok{};
  }
  TypeInspector types(ctx, **runtime);
  std::vector<GcRef> refs;
  const HeapObject o = heap.ObjectAt(object);
  heap.ForEachReference(o, [&](uint64_t slot, uint64_t target) {
    const int64_t offset = static_cast<int64_t>(slot - object) - 8;
    refs.push_back({offset, types.FieldAt(type->method_table, offset), target});
  });
  if (refs.empty()) {
    ctx.out << "GC Refs: none\n";
    return Ok{};
  }
  ctx.out << "GC Refs:\n";
  std::vector<std::string> names, offsets;
  for (const GcRef& ref : refs) {
    if (ctx.cancelled()) return Ok{};
    names.push_back(FieldName(types, ref));
    offsets.push_back(HexOffsetCell(ref.offset));
  }
  Table table(ctx.out, {columns::Text().Fitted(names), columns::HexOffset().Fitted(offsets),
                        columns::Pointer(), columns::TypeName()});
  table.WriteHeader({"Field", "Offset", "Object", "Type"});
  for (size_t i = 0; i < refs.size(); ++i) {
    table.WriteRow({names[i], offsets[i], PointerCell(refs[i].target),
                    TypeCell(heap, refs[i].target)});
  }
  return Ok{};
}

void AddDumpObjGcRefsCommand(Registry& registry) {
  registry.Add({"dumpobjgcrefs",
                {},
                "A helper command to implement !dumpobj -refs",
                {},
                ArgumentSpec{"object", "", ValueType::kString, false},
                RunDumpObjGcRefs});
}

}  // namespace clrdump::cmd
