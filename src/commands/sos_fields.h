// SOS's field table (DisplayFields) and the output conventions it relies
// on, shared by dumpobj, dumpvc, dumparray -details, dumpclass and dumpmt.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "commands/command.h"
#include "dump/metadata_names.h"
#include "runtime/module_names.h"
#include "runtime/runtime.h"

namespace clrdump::cmd {

// SOS prefixes every output call (not every line) with four spaces per
// indent level; dumparray -details nests objects that way.
class SosWriter {
 public:
  explicit SosWriter(std::ostream& out) : out_(out) {}
  // SOS formats each call into an 8 KiB buffer and prints nothing when the
  // text does not fit; its indent is a separate call and always printed.
  void Out(const std::string& text) {
    Indent();
    if (text.size() < kPrintBuffer) out_ << text;
  }
  void Indent() { out_ << std::string(4 * indent_, ' '); }
  void Push() { ++indent_; }
  void Pop() { indent_ = indent_ > 0 ? indent_ - 1 : 0; }

 private:
  static constexpr size_t kPrintBuffer = 8192;
  std::ostream& out_;
  unsigned indent_ = 0;
};

// CorElementType names as SOS prints them ("Int32", "CLASS", ...).
std::string ElementTypeName(uint32_t type);
bool IsElementValueType(uint32_t type);

// An instance field as ClrMD lists a type's fields (ClrType.Fields), the
// view dotnet-dump's managed commands have of them.
struct InstanceField {
  uint64_t declaring_method_table = 0;
  uint32_t token = 0;
  std::string name;               // "" when the module's metadata has none
  uint32_t offset = 0;            // from the start of the instance data
  uint32_t element_type = 0;      // CorElementType as the FieldDesc stores it
  uint64_t type_method_table = 0; // 0 when the runtime has not loaded the type
  bool same_as(const InstanceField& other) const {
    return declaring_method_table == other.declaring_method_table && token == other.token;
  }
};

// The inspection commands' view of the runtime: the runtime itself plus
// module metadata read once per command.
class TypeInspector {
 public:
  TypeInspector(CommandContext& ctx, runtime::Runtime& rt);
  runtime::Runtime& rt() { return rt_; }
  CommandContext& ctx() { return ctx_; }
  // GetMethodTableName, or "" when the runtime does not know it.
  std::string TypeName(uint64_t method_table);
  // SOS's FileNameForModule by module address; "" when unknown.
  std::string ModuleFile(uint64_t module);
  // The metadata names of a module; nullptr when unreadable.
  const dump::MetadataNames* Names(uint64_t module);
  // Offset from an object's start of the named instance field, searching
  // the class and its parents; 0 when absent (SOS's GetObjFieldOffset).
  uint64_t InstanceFieldOffset(uint64_t mt, const std::string& wanted);

  // ClrMD's ClrType.Fields: the parents' instance fields first, then those
  // `method_table` declares; read once per MethodTable.
  const std::vector<InstanceField>& InstanceFields(uint64_t method_table);
  // ClrMD's ClrField.Size: a struct spans to the end of its last field.
  int FieldSize(const InstanceField& field);
  // ClrMD's FindField: the first field covering `offset`, else the last
  // one starting before it; nullptr when none does.
  const InstanceField* FieldAt(uint64_t method_table, int64_t offset);

 private:
  const std::vector<InstanceField>& InstanceFields(uint64_t method_table, int depth);
  int FieldSize(const InstanceField& field, int depth);
  std::vector<InstanceField> DeclaredFields(uint64_t method_table, size_t inherited);

  CommandContext& ctx_;
  runtime::Runtime& rt_;
  runtime::ModuleNames names_;
  std::map<uint64_t, std::vector<InstanceField>> fields_;
};

// SOS's DisplayFields: the header, then the fields of `mt`'s parents and of
// `mt`. `object` 0 prints no values; a value class's fields start at
// `object` itself instead of after a MethodTable pointer.
void DisplayFields(TypeInspector& types, SosWriter& w, uint64_t mt,
                   const runtime::MethodTableData& info, const runtime::MethodTableFields& fields,
                   uint64_t object, bool value_class);

}  // namespace clrdump::cmd
