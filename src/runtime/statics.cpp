#include "runtime/statics.h"

#include <algorithm>

namespace clrdump::runtime {
namespace {

// Larger metadata is not a module's.
constexpr uint64_t kMaxMetadata = 256u << 20;

// ClrMD's ClrElementType.IsPrimitive: these statics live with the non-GC
// ones, every other kind with the GC statics.
bool IsPrimitive(uint32_t element_type) {
  constexpr uint32_t kBoolean = 0x2, kDouble = 0xd, kPointer = 0xf, kNativeInt = 0x18,
                     kNativeUInt = 0x19;
  return (element_type >= kBoolean && element_type <= kDouble) || element_type == kPointer ||
         element_type == kNativeInt || element_type == kNativeUInt;
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
  if (const dump::MetadataNames* names = Names(field.module)) {
    name = names->FieldName(field.desc.token & 0xffffff).value_or("");
  }
  return FieldTypeName(field) + "." + name;
}

// ClrField.Type: the type the runtime loaded for the field (its
// TypeMethodTable), named as ClrMD names it.
std::string StaticVariables::FieldTypeName(const Field& field) {
  const uint64_t mt = field.desc.type_method_table;
  if (mt == 0 || !heap_.Type(mt)) return "Unknown";
  const std::string& name = heap_.TypeName(mt);
  return name.empty() ? "Unknown" : name;
}

const dump::MetadataNames* StaticVariables::Names(uint64_t module) {
  auto it = names_.find(module);
  if (it == names_.end()) {
    std::optional<dump::MetadataNames> names;
    auto m = runtime_.GetManagedModule(module);
    if (m && m->metadata_start != 0 && m->metadata_size != 0 && m->metadata_size <= kMaxMetadata) {
      std::vector<uint8_t> bytes(m->metadata_size);
      if (memory_.Read(m->metadata_start, bytes) == bytes.size()) {
        if (auto parsed = dump::MetadataNames::Parse(bytes)) names = std::move(*parsed);
      }
    }
    it = names_.emplace(module, std::move(names)).first;
  }
  return it->second ? &*it->second : nullptr;
}

}  // namespace clrdump::runtime
