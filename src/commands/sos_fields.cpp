#include "commands/sos_fields.h"

#include <fmt/format.h>

#include <array>
#include <cstring>
#include <vector>

#include "commands/sos_command_line.h"
#include "commands/target.h"

namespace clrdump::cmd {
namespace {

// CorElementType values SOS treats specially.
enum : uint32_t {
  kBoolean = 0x02,
  kChar = 0x03,
  kI1 = 0x04,
  kU1 = 0x05,
  kI2 = 0x06,
  kU2 = 0x07,
  kI4 = 0x08,
  kU4 = 0x09,
  kI8 = 0x0a,
  kU8 = 0x0b,
  kR4 = 0x0c,
  kR8 = 0x0d,
  kString = 0x0e,
  kPtr = 0x0f,
  kByRef = 0x10,
  kValueType = 0x11,
  kClass = 0x12,
  kVar = 0x13,
  kArray = 0x14,
  kI = 0x18,
  kU = 0x19,
  kFnPtr = 0x1b,
  kObject = 0x1c,
  kSzArray = 0x1d,
  kMVar = 0x1e,
  kElementTypeMax = 0x22,
};
constexpr uint32_t kFieldDefTable = 0x04000000;
constexpr uint32_t kTypeDefNil = 0x02000000;
constexpr uint8_t kNoSize = 0xff;
// Metadata larger than this is taken as a corrupt size.

struct ElementInfo {
  const char* space;
  const char* name;
  uint8_t size;
};

// The runtime's table of element types (cortypeinfo.h), by CorElementType.
constexpr std::array<ElementInfo, kElementTypeMax> kElements{{
    {nullptr, nullptr, kNoSize},
    {"System", "Void", 0},
    {"System", "Boolean", 1},
    {"System", "Char", 2},
    {"System", "SByte", 1},
    {"System", "Byte", 1},
    {"System", "Int16", 2},
    {"System", "UInt16", 2},
    {"System", "Int32", 4},
    {"System", "UInt32", 4},
    {"System", "Int64", 8},
    {"System", "UInt64", 8},
    {"System", "Single", 4},
    {"System", "Double", 8},
    {"System", "String", 8},
    {nullptr, nullptr, 8},
    {nullptr, nullptr, 8},
    {nullptr, nullptr, kNoSize},
    {nullptr, nullptr, 8},
    {nullptr, nullptr, 8},
    {nullptr, nullptr, 8},
    {nullptr, nullptr, 8},
    {"System", "TypedReference", 16},
    {nullptr, nullptr, kNoSize},
    {"System", "IntPtr", 8},
    {"System", "UIntPtr", 8},
    {nullptr, nullptr, kNoSize},
    {nullptr, nullptr, 8},
    {"System", "Object", 8},
    {nullptr, nullptr, 8},
    {nullptr, nullptr, 8},
    {nullptr, nullptr, 0},
    {nullptr, nullptr, 0},
    {nullptr, nullptr, 0},
}};

std::string ComposeName(uint32_t type) {
  const std::string name = ElementTypeName(type);
  if (type < kElements.size() && kElements[type].space) {
    return std::string(kElements[type].space) + "." + name;
  }
  return name;
}

// SOS's FormatTypeName: the last `max` characters, the first three dotted.
std::string ShortenTypeName(std::string name, size_t max) {
  if (name.size() <= max) return name;
  name = name.substr(name.size() - max);
  for (size_t i = 0; i < std::min<size_t>(max, 3); ++i) name[i] = '.';
  return name;
}

std::string Pointer(uint64_t value) { return fmt::format("{:016x}", value); }

// A value SOS read as a union: the bytes as each width sees them.
struct RawValue {
  uint64_t bits = 0;
  template <typename T>
  T As() const {
    T v;
    std::memcpy(&v, &bits, sizeof v);
    return v;
  }
};

std::string AlignedValue(const runtime::FieldDescInfo& f, const RawValue& v, uint64_t address) {
  switch (f.type) {
    case kI1:
      return fmt::format("{:16}", static_cast<int16_t>(v.As<int8_t>()));
    case kI2:
      return fmt::format("{:16}", v.As<int16_t>());
    case kI4:
      return fmt::format("{:16}", v.As<int32_t>());
    case kI8:
      return fmt::format("{:16}", v.As<int64_t>());
    case kU1:
    case kBoolean:
      return fmt::format("{:16}", v.As<uint16_t>());
    case kU2:
      return fmt::format("{:16}", v.As<uint16_t>());
    case kU4:
      return fmt::format("{:16}", v.As<uint32_t>());
    case kU8:
      return fmt::format("{:16}", v.As<uint64_t>());
    case kChar:
      return fmt::format("{:16x}", v.As<uint16_t>());
    default:
      break;
  }
  if (f.type == kValueType) return Pointer(v.bits ? address : 0);
  // SOS prints native ints with "%p" (upper case), references as links.
  if (f.type == kI || f.type == kU) return fmt::format("{:016X}", v.bits);
  return Pointer(v.bits);
}

std::string UnalignedValue(const runtime::FieldDescInfo& f, const RawValue& v, uint64_t address) {
  // printf's promotions: chars and shorts are sign-extended before %u/%x.
  switch (f.type) {
    case kI1:
      return fmt::format("{}", v.As<int8_t>());
    case kI2:
      return fmt::format("{}", v.As<int16_t>());
    case kI4:
      return fmt::format("{}", v.As<int32_t>());
    case kI8:
      return fmt::format("{}", v.As<int64_t>());
    case kU1:
    case kBoolean:
      return fmt::format("{}", static_cast<uint32_t>(static_cast<int32_t>(v.As<int8_t>())));
    case kU2:
      return fmt::format("{}", static_cast<uint32_t>(static_cast<int32_t>(v.As<int16_t>())));
    case kU4:
      return fmt::format("{}", v.As<uint32_t>());
    case kU8:
      return fmt::format("{}", v.As<uint64_t>());
    case kChar:
      return fmt::format("{:x}", static_cast<uint32_t>(static_cast<int32_t>(v.As<int16_t>())));
    default:
      return AlignedValue(f, v, address);
  }
}

// SOS's DisplayDataMember: nothing at all when the memory is unreadable.
void DisplayDataMember(TypeInspector& t, SosWriter& w, const runtime::FieldDescInfo& f,
                       uint64_t address, bool align) {
  if (address == 0) {
    w.Out(std::string(16, ' '));
    return;
  }
  const bool boxed_static = f.is_static && f.type == kValueType;
  const uint8_t size = kElements[f.type].size;
  if (size == kNoSize && !boxed_static) {
    w.Out(Pointer(f.type == kValueType ? address : 0));
    return;
  }
  RawValue v;
  const size_t length = boxed_static ? 8 : std::min<size_t>(size, 8);
  std::span<uint8_t> bytes(reinterpret_cast<uint8_t*>(&v.bits), length);
  if (t.ctx().target.memory().Read(address, bytes) != length) return;
  if (f.type == kR4 || f.type == kR8) {
    const double d = f.type == kR4 ? static_cast<double>(v.As<float>()) : v.As<double>();
    std::array<char, 512> text{};
    std::snprintf(text.data(), text.size(), "%f", d);
    w.Out(text.data());
    return;
  }
  w.Out(align ? AlignedValue(f, v, address) : UnalignedValue(f, v, address));
}

std::string TypeColumn(TypeInspector& t, const dump::MetadataNames* names,
                       const runtime::FieldDescInfo& f) {
  if ((f.type == kValueType || f.type == kClass) && f.type_method_table != 0) {
    return ShortenTypeName(t.TypeName(f.type_method_table), 20);
  }
  if (f.type == kClass && (f.type_token | kTypeDefNil) != kTypeDefNil) {
    const uint32_t token = f.type_token | kTypeDefNil;
    if (!names) return ShortenTypeName(fmt::format("0x{:08x}", token), 20);
    return ShortenTypeName(names->TypeDefName(token & 0xffffff).value_or(""), 20);
  }
  return ComposeName(f.type != f.sig_type ? f.sig_type : f.type);
}

std::string FieldName(const dump::MetadataNames* names, uint32_t token) {
  if (!names) return fmt::format("0x{:08x}", token | kFieldDefTable);
  return names->FieldName(token & 0xffffff).value_or("");
}

void DisplayStatic(TypeInspector& t, SosWriter& w, uint64_t mt, const runtime::FieldDescInfo& f,
                   const std::string& name) {
  w.Out(fmt::format("{:>8} ", "static"));
  auto bases = t.rt().GetStaticBases(mt);
  if (!bases) {
    if (bases.error().code != ErrorCode::kUnsupported) w.Out("GetStaticBaseAddress failed");
    w.Out(" <no information>\n");
    return;
  }
  const bool gc = f.type == kValueType || f.type == kClass;
  const uint64_t base = gc ? bases->gc : bases->non_gc;
  if (base != 0 && !t.rt().GetMethodTableInitFlags(mt)) {
    w.Out("GetMethodTableInitializationFlags failed");
  }
  DisplayDataMember(t, w, f, base != 0 ? base + f.offset : 0, true);
  w.Out(" " + name + "\n");
}

void DisplayThreadStatic(TypeInspector& t, SosWriter& w, uint64_t mt,
                         const runtime::FieldDescInfo& f) {
  w.Out("    Thread static values (Thread:Value)\n");
  auto store = t.rt().GetThreadStore();
  uint64_t current = store ? store->first_thread : 0;
  const bool gc = f.type == kValueType || f.type == kClass;
  for (int guard = 0; current != 0 && guard < 100000; ++guard) {
    auto thread = t.rt().GetThread(current);
    if (!thread) {
      w.Out(fmt::format("  error getting thread {:016X}, aborting this field\n", current));
      return;
    }
    if (thread->os_id != 0) {
      auto bases = t.rt().GetThreadStaticBases(mt, current);
      if (!bases) {
        w.Out("GetThreadStaticBaseAddress failed");
      } else if (const uint64_t base = gc ? bases->gc : bases->non_gc; base != 0) {
        if (!t.rt().GetMethodTableInitFlags(mt)) w.Out("GetMethodTableInitializationFlags failed");
        w.Out(fmt::format("        {:x}:", thread->os_id));
        DisplayDataMember(t, w, f, base + f.offset, false);
        w.Out("\n");
      }
    }
    current = thread->next;
  }
  w.Out("\n");
}

struct FieldWalk {
  TypeInspector& types;
  SosWriter& w;
  uint64_t object;
  bool value_class;
  uint32_t instances_seen = 0;
  int depth = 0;  // parents followed so far
};

// Deeper parent chains than this are taken as a cycle in corrupt data.
constexpr int kMaxParents = 256;
// Structs nested deeper than this are taken as a cycle in corrupt data.
constexpr int kMaxNesting = 64;

// ClrMD's sizes by element type; 0 where ClrMD has none (it throws).
int ElementSize(uint32_t type) {
  switch (type) {
    case kBoolean:
    case kI1:
    case kU1:
      return 1;
    case kChar:
    case kI2:
    case kU2:
      return 2;
    case kI4:
    case kU4:
    case kR4:
      return 4;
    case kI8:
    case kU8:
    case kR8:
    case kString:
    case kPtr:
    case kClass:
    case kArray:
    case kI:
    case kU:
    case kFnPtr:
    case kObject:
    case kSzArray:
      return 8;
    default:
      return 0;
  }
}

void DisplayLevel(FieldWalk& walk, uint64_t mt, const runtime::MethodTableData& info,
                  const runtime::MethodTableFields& fields);

void DisplayField(FieldWalk& walk, uint64_t mt, const runtime::MethodTableData& info,
                  const dump::MetadataNames* names, const runtime::FieldDescInfo& f,
                  uint32_t& statics) {
  SosWriter& w = walk.w;
  uint32_t offset = f.offset;
  const bool special = (f.is_thread_local || f.is_context_local || info.is_shared) && f.is_static;
  if (!special && !walk.value_class) offset += 8;
  w.Out(fmt::format("{} {:08x} {:8x} ", Pointer(f.type_method_table), f.token | kFieldDefTable,
                    offset));
  w.Out(fmt::format("{:>20.20} ", TypeColumn(walk.types, names, f)));
  w.Out(fmt::format("{:>4} ", IsElementValueType(f.type) ? "Yes" : "No"));
  const std::string name = FieldName(names, f.token);
  if (f.is_static && (f.is_thread_local || f.is_context_local)) {
    ++statics;
    w.Out(fmt::format("{:>8} ", f.is_thread_local ? "TLstatic" : "CLstatic"));
    w.Out(" " + name + "\n");
    if (f.is_thread_local) {
      DisplayThreadStatic(walk.types, w, mt, f);
    } else {
      // SOS's own words for a context static (they do not exist on .NET
      // Core); printed verbatim so the output stays dotnet-dump's.
      w.Out("\nDisplay of context static variables is not implemented\n");
    }
  } else if (f.is_static) {
    ++statics;
    DisplayStatic(walk.types, w, mt, f, name);
  } else {
    ++walk.instances_seen;
    w.Out(fmt::format("{:>8} ", "instance"));
    if (walk.object > 0) {
      const uint64_t at = walk.object + f.offset + (walk.value_class ? 0 : 8);
      DisplayDataMember(walk.types, w, f, at, true);
    } else {
      w.Out(std::string(16, ' '));
    }
    w.Out(" " + name + "\n");
  }
}

void DisplayLevel(FieldWalk& walk, uint64_t mt, const runtime::MethodTableData& info,
                  const runtime::MethodTableFields& fields) {
  runtime::Runtime& rt = walk.types.rt();
  if (info.parent != 0 && ++walk.depth <= kMaxParents) {
    auto parent = rt.GetMethodTableData(info.parent);
    if (!parent) return walk.w.Out("Invalid parent MethodTable\n");
    auto parent_fields = rt.GetMethodTableFields(info.parent);
    if (!parent_fields) return walk.w.Out("Invalid parent EEClass\n");
    DisplayLevel(walk, info.parent, *parent, *parent_fields);
  }
  if (!rt.GetManagedModule(info.module)) return;
  const dump::MetadataNames* names = walk.types.Names(info.module);
  uint32_t statics = 0;
  uint64_t address = fields.first_field;
  while (walk.instances_seen < fields.instance_count || statics < fields.static_count) {
    if (walk.types.ctx().cancelled()) return;
    walk.w.Indent();
    auto f = rt.GetFieldDesc(address);
    if (!f || f->type >= kElementTypeMax) return walk.w.Out("Unable to display fields\n");
    address = f->next;
    DisplayField(walk, mt, info, names, *f, statics);
  }
}

}  // namespace

std::string ElementTypeName(uint32_t type) {
  switch (type) {
    case kPtr:
      return "PTR";
    case kByRef:
      return "BYREF";
    case kValueType:
      return "VALUETYPE";
    case kClass:
      return "CLASS";
    case kVar:
      return "VAR";
    case kArray:
      return "ARRAY";
    case kFnPtr:
      return "FNPTR";
    case kSzArray:
      return "SZARRAY";
    case kMVar:
      return "MVAR";
    default:
      break;
  }
  if (type >= kElements.size() || !kElements[type].name) return "";
  return kElements[type].name;
}

bool IsElementValueType(uint32_t type) {
  return (type >= kBoolean && type <= kR8) || type == kValueType || type == kI || type == kU;
}

std::string TypeInspector::TypeName(uint64_t method_table) {
  auto name = rt_.GetMethodTableName(method_table);
  return name ? *name : std::string();
}

std::string TypeInspector::ModuleFile(uint64_t module) {
  auto m = rt_.GetManagedModule(module);
  return m ? ModuleFileName(rt_, *m) : std::string();
}

uint64_t TypeInspector::InstanceFieldOffset(uint64_t mt, const std::string& wanted) {
  // Parents' fields come first; SOS searches the class before its parents.
  const std::vector<InstanceField>& fields = InstanceFields(mt);
  for (auto it = fields.rbegin(); it != fields.rend(); ++it) {
    if (it->name == wanted) return it->offset + 8;
  }
  return 0;
}

TypeInspector::TypeInspector(CommandContext& ctx, runtime::Runtime& rt)
    : ctx_(ctx), rt_(rt), names_(rt, ctx.target.memory()) {}

const dump::MetadataNames* TypeInspector::Names(uint64_t module) { return names_.Get(module); }

const std::vector<InstanceField>& TypeInspector::InstanceFields(uint64_t method_table) {
  return InstanceFields(method_table, 0);
}

const std::vector<InstanceField>& TypeInspector::InstanceFields(uint64_t method_table, int depth) {
  if (auto it = fields_.find(method_table); it != fields_.end()) return it->second;
  std::vector<InstanceField> fields;
  auto info = rt_.GetMethodTableData(method_table);
  if (info && info->parent != 0 && depth < kMaxParents) {
    fields = InstanceFields(info->parent, depth + 1);
  }
  std::vector<InstanceField> own = DeclaredFields(method_table, fields.size());
  fields.insert(fields.end(), own.begin(), own.end());
  return fields_.emplace(method_table, std::move(fields)).first->second;
}

// ClrMD reads the FieldDescs a type declares by counting from its parents'
// instance fields up to all instance and static fields, and keeps those
// neither static nor context-local.
std::vector<InstanceField> TypeInspector::DeclaredFields(uint64_t method_table, size_t inherited) {
  std::vector<InstanceField> fields;
  auto info = rt_.GetMethodTableData(method_table);
  auto counts = rt_.GetMethodTableFields(method_table);
  if (!info || !counts || counts->first_field == 0) return fields;
  const dump::MetadataNames* names = Names(info->module);
  uint64_t address = counts->first_field;
  const size_t total = size_t{counts->instance_count} + counts->static_count;
  for (size_t i = inherited; i < total; ++i) {
    auto f = rt_.GetFieldDesc(address);
    if (!f) break;
    address = f->next;
    if (f->is_context_local || f->is_thread_local || f->is_static) continue;
    InstanceField field{method_table, f->token, "", f->offset, f->type, f->type_method_table};
    if (names) field.name = names->FieldName(f->token & 0xffffff).value_or("");
    fields.push_back(std::move(field));
  }
  return fields;
}

int TypeInspector::FieldSize(const InstanceField& field) { return FieldSize(field, 0); }

int TypeInspector::FieldSize(const InstanceField& field, int depth) {
  if (field.element_type != kValueType) return ElementSize(field.element_type);
  // A struct ClrMD cannot type counts one byte.
  if (field.type_method_table == 0 || depth > kMaxNesting) return 1;
  const InstanceField* last = nullptr;
  int last_size = 0;
  for (const InstanceField& f : InstanceFields(field.type_method_table)) {
    const int size = FieldSize(f, depth + 1);
    if (!last || f.offset > last->offset || (f.offset == last->offset && size > last_size)) {
      last = &f;
      last_size = size;
    }
  }
  return last ? static_cast<int>(last->offset) + last_size : 0;
}

const InstanceField* TypeInspector::FieldAt(uint64_t method_table, int64_t offset) {
  const InstanceField* found = nullptr;
  for (const InstanceField& f : InstanceFields(method_table)) {
    const int64_t start = f.offset;
    if (start <= offset && offset < start + FieldSize(f)) return &f;
    // A field whose size is unknown covers up to the next one.
    if (start <= offset && (!found || found->offset < f.offset)) found = &f;
  }
  return found;
}

void DisplayFields(TypeInspector& types, SosWriter& w, uint64_t mt,
                   const runtime::MethodTableData& info, const runtime::MethodTableFields& fields,
                   uint64_t object, bool value_class) {
  w.Indent();
  w.Out(fmt::format("{:>16} {:>8} {:>8} {:>20} {:>4} {:>8} {:>16} {}\n", "MT", "Field", "Offset",
                    "Type", "VT", "Attr", "Value", "Name"));
  FieldWalk walk{types, w, object, value_class};
  DisplayLevel(walk, mt, info, fields);
}

}  // namespace clrdump::cmd
