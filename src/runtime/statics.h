// Static variables by the address ClrMD gives them, as dotnet-dump's
// StaticVariableService finds them for gcroot's "(static variable: ...)"
// label: every static field of every type in each module's TypeDef map,
// enumerated lazily and remembered per dump, the first match winning.
// ClrMD's addresses and field types are reproduced even where they name
// another field than the one stored there, since that is what is printed.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "dump/metadata_names.h"
#include "dump/metadata_tables.h"
#include "dump/process_memory.h"
#include "runtime/heap.h"
#include "runtime/module_names.h"
#include "runtime/runtime.h"

namespace clrdump::runtime {

class StaticVariables {
 public:
  StaticVariables(Runtime& runtime, ManagedHeap& heap, const dump::ProcessMemory& memory)
      : runtime_(runtime), heap_(heap), memory_(memory), names_(runtime, memory) {}

  // "<field type>.<field name>" of the static ClrMD places at `address`
  // (its type "Unknown" when ClrMD resolves none); nullopt when no static
  // field maps there. Answers depend on earlier questions exactly as the
  // service's cache does.
  std::optional<std::string> Find(uint64_t address);

 private:
  struct Field {
    uint64_t address = 0;
    uint64_t module = 0;
    FieldDescInfo desc;
  };
  // Appends the static fields of the next type of the next module to
  // pending_; false when every module has been enumerated.
  bool LoadNextType();
  void LoadTypeStatics(uint64_t method_table);
  std::optional<uint32_t> InstanceFieldCount(uint64_t method_table);
  std::string Label(const Field& field);
  std::string FieldTypeName(const Field& field);
  // ClrMD's type for a field signature, by name: nullopt when it makes
  // none.
  std::optional<std::string> SignatureTypeName(uint64_t module, dump::BlobCursor& sig, int depth);
  std::optional<std::string> TokenTypeName(uint64_t module, uint32_t token);
  const std::vector<TypeMapEntry>& TypeMap(uint64_t module, bool type_refs);

  Runtime& runtime_;
  ManagedHeap& heap_;
  const dump::ProcessMemory& memory_;
  bool started_ = false;
  // How many times each field is listed: once per AppDomain, and for the
  // shared domain when there is one.
  int domain_passes_ = 0;
  std::vector<uint64_t> modules_;
  size_t next_module_ = 0;
  std::vector<TypeMapEntry> types_;  // of modules_[next_module_ - 1]
  size_t next_type_ = 0;
  std::vector<Field> pending_;
  size_t next_pending_ = 0;
  // The service's dictionary: a later entry for the same address replaces
  // the earlier one.
  std::unordered_map<uint64_t, Field> found_;
  ModuleNames names_;
  std::map<std::pair<uint64_t, bool>, std::vector<TypeMapEntry>> type_maps_;
};

}  // namespace clrdump::runtime
