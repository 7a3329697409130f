#include "runtime/statics.h"

#include <algorithm>

namespace clrdump::runtime {
namespace {

// Larger metadata is not a module's.
// ClrMD's ClrElementType.IsPrimitive: these statics live with the non-GC
// ones, every other kind with the GC statics.
bool IsPrimitive(uint32_t element_type) {
  constexpr uint32_t kBoolean = 0x2, kDouble = 0xd, kPointer = 0xf, kNativeInt = 0x18,
                     kNativeUInt = 0x19;
  return (element_type >= kBoolean && element_type <= kDouble) || element_type == kPointer ||
         element_type == kNativeInt || element_type == kNativeUInt;
}

// Signature element types (ECMA-335 II.23.1.16).
constexpr uint32_t kVoid = 0x01, kString = 0x0e, kPtr = 0x0f, kByRef = 0x10, kValueType = 0x11,
                   kClass = 0x12, kVar = 0x13, kArray = 0x14, kGenericInst = 0x15, kFnPtr = 0x1b,
                   kObject = 0x1c, kSzArray = 0x1d, kMVar = 0x1e, kCModReqd = 0x1f,
                   kCModOpt = 0x20;
constexpr uint32_t kFieldCallingConvention = 0x06;
constexpr int kMaxSignatureDepth = 64;

// ClrMD's basic types by name. Its table is indexed one off for Object
// and String, which therefore become primitive types named after the
// element type; a class it cannot find is taken as Object.
std::string BasicTypeName(uint32_t etype) {
  switch (etype) {
    case kVoid: return "System.Void";
    case 0x02: return "System.Boolean";
    case 0x03: return "System.Char";
    case 0x04: return "System.SByte";
    case 0x05: return "System.Byte";
    case 0x06: return "System.Int16";
    case 0x07: return "System.UInt16";
    case 0x08: return "System.Int32";
    case 0x09: return "System.UInt32";
    case 0x0a: return "System.Int64";
    case 0x0b: return "System.UInt64";
    case 0x0c: return "System.Single";
    case 0x0d: return "System.Double";
    case 0x18: return "System.IntPtr";
    case 0x19: return "System.UIntPtr";
    case kValueType: return "System.ValueType";
    case kString: return "String";
    default: return "Object";
  }
}

void SkipCustomModifiers(dump::BlobCursor& sig) {
  for (;;) {
    dump::BlobCursor peek = sig;
    const auto b = peek.ReadUnsigned();
    if (b != kCModReqd && b != kCModOpt) return;
    sig = peek;
    sig.ReadUnsigned();
  }
}

// A TypeDefOrRefOrSpecEncoded (II.23.2.8) as a metadata token.
std::optional<uint32_t> ReadTypeToken(dump::BlobCursor& sig) {
  const auto coded = sig.ReadUnsigned();
  if (!coded) return std::nullopt;
  constexpr uint32_t kTables[] = {0x02, 0x01, 0x1b, 0x00};
  const uint32_t table = kTables[*coded & 3];
  if (table == 0) return std::nullopt;
  return (table << 24) | (*coded >> 2);
}

// An array shape's sizes or lower bounds: a count, then that many values.
bool SkipCounted(dump::BlobCursor& sig) {
  const auto count = sig.ReadUnsigned();
  if (!count) return false;
  for (uint32_t i = 0; i < *count; ++i) {
    if (!sig.ReadUnsigned()) return false;
  }
  return true;
}

// ClrMD compares the runtime's answer with "initialized" exactly.
constexpr uint32_t kMethodTableInitialized = 1;

}  // namespace

std::optional<std::string> StaticVariables::Find(uint64_t address) {
  if (auto it = found_.find(address); it != found_.end()) return Label(it->second);
  for (;;) {
    if (next_pending_ == pending_.size()) {
      pending_.clear();
      next_pending_ = 0;
      if (!LoadNextType()) return std::nullopt;
      continue;
    }
    const Field& field = pending_[next_pending_++];
    found_[field.address] = field;
    if (field.address == address) return Label(field);
  }
}

bool StaticVariables::LoadNextType() {
  if (!started_) {
    started_ = true;
    modules_ = runtime_.EnumerateModules();
    // A field is listed once per domain; listing it again changes nothing
    // but no domain at all lists nothing.
    if (auto store = runtime_.GetAppDomainStore()) {
      domain_passes_ = std::max(store->domain_count, 0) + (store->shared_domain != 0 ? 1 : 0);
    }
  }
  if (domain_passes_ == 0) return false;
  while (next_type_ == types_.size()) {
    if (next_module_ == modules_.size()) return false;
    auto map = runtime_.GetModuleTypeMap(modules_[next_module_++], false);
    types_ = map ? std::move(*map) : std::vector<TypeMapEntry>{};
    next_type_ = 0;
  }
  LoadTypeStatics(types_[next_type_++].method_table);
  return true;
}

// The static fields ClrMD lists for a type, in FieldDesc order, with the
// addresses its .NET 9+ path computes (ISOSDacInterface14's bases plus the
// field's offset, nothing for a type whose constructor has not run).
void StaticVariables::LoadTypeStatics(uint64_t method_table) {
  if (method_table == 0) return;
  auto data = runtime_.GetMethodTableData(method_table);
  auto fields = runtime_.GetMethodTableFields(method_table);
  if (!data || !fields || fields->first_field == 0) return;
  // The FieldDesc list holds the type's own fields: the inherited instance
  // fields are counted but not listed.
  const uint32_t inherited = data->parent ? InstanceFieldCount(data->parent).value_or(0) : 0;
  const uint32_t total = uint32_t{fields->instance_count} + fields->static_count;
  std::optional<StaticBases> bases;
  const uint64_t module = data->module;
  uint64_t next = fields->first_field;
  for (uint32_t i = inherited; i < total; ++i) {
    auto desc = runtime_.GetFieldDesc(next);
    if (!desc) break;
    next = desc->next;
    if (desc->is_context_local || desc->is_thread_local || !desc->is_static) continue;
    if (!bases) {
      auto flags = runtime_.GetMethodTableInitFlags(method_table);
      auto read = runtime_.GetStaticBases(method_table);
      bases = (flags && *flags == kMethodTableInitialized && read) ? *read : StaticBases{};
    }
    const uint64_t base = IsPrimitive(desc->type) ? bases->non_gc : bases->gc;
    if (base == 0) continue;
    pending_.push_back(Field{base + desc->offset, module, *desc});
  }
}

// What ClrMD counts as a base type's fields: the instance fields the
// runtime reports for it (inherited ones included).
std::optional<uint32_t> StaticVariables::InstanceFieldCount(uint64_t method_table) {
  if (!runtime_.GetMethodTableData(method_table)) return std::nullopt;
  auto fields = runtime_.GetMethodTableFields(method_table);
  if (!fields) return std::nullopt;
  return fields->instance_count;
}

std::string StaticVariables::Label(const Field& field) {
  std::string name;
  if (const dump::MetadataNames* names = names_.Get(field.module)) {
    name = names->FieldName(field.desc.token & 0xffffff).value_or("");
  }
  return FieldTypeName(field) + "." + name;
}

// ClrField.Type: the type the runtime loaded for the field (its
// TypeMethodTable), named as ClrMD names it; when there is none (or only
// System.__Canon), the type ClrMD makes of the field's signature.
std::string StaticVariables::FieldTypeName(const Field& field) {
  const uint64_t mt = field.desc.type_method_table;
  if (mt != 0 && heap_.Type(mt)) {
    const std::string& name = heap_.TypeName(mt);
    if (name.find("__Canon") == std::string::npos) return name.empty() ? "Unknown" : name;
  }
  std::optional<std::string> name;
  bool generic_parameter = false;
  const dump::MetadataNames* names = names_.Get(field.module);
  auto sig = names ? names->FieldSignature(field.desc.token & 0xffffff) : std::nullopt;
  if (sig) {
    dump::BlobCursor cursor{ByteView(*sig)};
    if (cursor.ReadUnsigned() == kFieldCallingConvention) {
      SkipCustomModifiers(cursor);
      dump::BlobCursor peek = cursor;
      const auto etype = peek.ReadUnsigned();
      generic_parameter = etype == kVar || etype == kMVar;
      name = SignatureTypeName(field.module, cursor, 0);
    }
  }
  // A generic parameter, or nothing, gives way to the runtime's type.
  if ((!name || generic_parameter) && mt != 0 && heap_.Type(mt)) name = heap_.TypeName(mt);
  return name && !name->empty() ? *name : "Unknown";
}

std::optional<std::string> StaticVariables::SignatureTypeName(uint64_t module,
                                                              dump::BlobCursor& sig, int depth) {
  const auto etype = sig.ReadUnsigned();
  if (!etype || depth > kMaxSignatureDepth) return std::nullopt;
  if ((IsPrimitive(*etype) && *etype != kPtr) || *etype == kVoid || *etype == kObject ||
      *etype == kString) {
    return BasicTypeName(*etype);
  }
  auto inner = [&]() {
    return SignatureTypeName(module, sig, depth + 1).value_or(BasicTypeName(kVoid));
  };
  switch (*etype) {
    case kArray: {
      const std::string element = inner();
      const auto rank = sig.ReadUnsigned();
      if (!rank || !SkipCounted(sig) || !SkipCounted(sig)) return std::nullopt;
      return element + "[" + std::string(*rank > 1 ? *rank - 1 : 0, ',') + "]";
    }
    case kClass:
    case kValueType: {
      const auto token = ReadTypeToken(sig);
      if (!token) return std::nullopt;
      return TokenTypeName(module, *token).value_or(BasicTypeName(*etype));
    }
    case kFnPtr:
      if (!ReadTypeToken(sig)) return std::nullopt;
      return BasicTypeName(kVoid) + "*";
    case kGenericInst: {
      sig.ReadUnsigned();
      const auto token = ReadTypeToken(sig);
      const auto count = sig.ReadUnsigned();
      if (!token || !count) return std::nullopt;
      for (uint32_t i = 0; i < *count && !sig.AtEnd(); ++i) SignatureTypeName(module, sig, depth + 1);
      return TokenTypeName(module, *token).value_or(BasicTypeName(kClass));
    }
    case kPtr:
    case kByRef:
      SkipCustomModifiers(sig);
      return inner() + "*";
    case kSzArray:
      SkipCustomModifiers(sig);
      return inner() + "[]";
    default:
      // Generic parameters are named by the runtime's type instead.
      return std::nullopt;
  }
}

// ClrMD's GetOrCreateTypeFromToken: the MethodTable a module's TypeDef or
// TypeRef map gives the token (a TypeSpec is looked for among the TypeDefs,
// as ClrMD tests the token's bits, and never found).
std::optional<std::string> StaticVariables::TokenTypeName(uint64_t module, uint32_t token) {
  const uint32_t table = token >> 24;
  if (table != 0x01 && table != 0x02) return std::nullopt;
  for (const TypeMapEntry& e : TypeMap(module, table == 0x01)) {
    if (e.index != (token & 0xffffff)) continue;
    if (e.method_table == 0 || !heap_.Type(e.method_table)) return std::nullopt;
    return heap_.TypeName(e.method_table);
  }
  return std::nullopt;
}

const std::vector<TypeMapEntry>& StaticVariables::TypeMap(uint64_t module, bool type_refs) {
  auto key = std::make_pair(module, type_refs);
  auto it = type_maps_.find(key);
  if (it == type_maps_.end()) {
    auto map = runtime_.GetModuleTypeMap(module, type_refs);
    it = type_maps_.emplace(key, map ? std::move(*map) : std::vector<TypeMapEntry>{}).first;
  }
  return it->second;
}

}  // namespace clrdump::runtime
