// A minimal ECMA-335 metadata reader (Partition II §24): the "BSJB" root and
// its stream headers, heap lookups, compressed integers, and the table
// stream's header with row sizes for every table, so that rows of any table
// can be located without knowing what the other tables mean. Everything is
// a view over caller-owned bytes; nothing here copies the metadata.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/byte_view.h"
#include "base/result.h"

namespace clrdump::dump {

// Table numbers are fixed by the format (they are also the high byte of a
// metadata token), so the enumerators carry their on-disk values.
enum class TableId : uint8_t {
  kModule = 0x00,
  kTypeRef = 0x01,
  kTypeDef = 0x02,
  kFieldPtr = 0x03,
  kField = 0x04,
  kMethodPtr = 0x05,
  kMethodDef = 0x06,
  kParamPtr = 0x07,
  kParam = 0x08,
  kInterfaceImpl = 0x09,
  kMemberRef = 0x0A,
  kConstant = 0x0B,
  kCustomAttribute = 0x0C,
  kFieldMarshal = 0x0D,
  kDeclSecurity = 0x0E,
  kClassLayout = 0x0F,
  kFieldLayout = 0x10,
  kStandAloneSig = 0x11,
  kEventMap = 0x12,
  kEventPtr = 0x13,
  kEvent = 0x14,
  kPropertyMap = 0x15,
  kPropertyPtr = 0x16,
  kProperty = 0x17,
  kMethodSemantics = 0x18,
  kMethodImpl = 0x19,
  kModuleRef = 0x1A,
  kTypeSpec = 0x1B,
  kImplMap = 0x1C,
  kFieldRva = 0x1D,
  kEncLog = 0x1E,
  kEncMap = 0x1F,
  kAssembly = 0x20,
  kAssemblyProcessor = 0x21,
  kAssemblyOs = 0x22,
  kAssemblyRef = 0x23,
  kAssemblyRefProcessor = 0x24,
  kAssemblyRefOs = 0x25,
  kFile = 0x26,
  kExportedType = 0x27,
  kManifestResource = 0x28,
  kNestedClass = 0x29,
  kGenericParam = 0x2A,
  kMethodSpec = 0x2B,
  kGenericParamConstraint = 0x2C,
  kDocument = 0x30,
  kMethodDebugInformation = 0x31,
  kLocalScope = 0x32,
  kLocalVariable = 0x33,
  kLocalConstant = 0x34,
  kImportScope = 0x35,
  kStateMachineMethod = 0x36,
  kCustomDebugInformation = 0x37,
};

// The valid/sorted masks are 64 bits wide, so per-table arrays are too.
inline constexpr size_t kMaxTables = 64;
// The last type-system table; a standalone PDB may reference only these.
inline constexpr uint8_t kLastTypeSystemTable = 0x2C;

using TableRowCounts = std::array<uint32_t, kMaxTables>;

// Coded indices (II.24.2.6 and the portable PDB spec): a row id with a
// few low tag bits naming one of several tables.
enum class CodedIndex : uint8_t {
  kTypeDefOrRef,
  kHasConstant,
  kHasCustomAttribute,
  kHasFieldMarshal,
  kHasDeclSecurity,
  kMemberRefParent,
  kHasSemantics,
  kMethodDefOrRef,
  kMemberForwarded,
  kImplementation,
  kCustomAttributeType,
  kResolutionScope,
  kTypeOrMethodDef,
  kHasCustomDebugInformation,
};

// What decides a column's width: a constant, a heap index, a row index
// into one table (kTable; kList for the run-start columns, which may point
// through a Ptr table), or a coded index. `target` is the TableId for
// kTable/kList and the CodedIndex for kCoded.
enum class ColumnKind : uint8_t { kU16, kU32, kString, kGuid, kBlob, kTable, kList, kCoded };
struct ColumnSchema {
  ColumnKind kind;
  uint8_t target;
};

// The columns of `table` in on-disk order; empty for unassigned numbers.
std::span<const ColumnSchema> TableSchema(size_t table);

// Compressed integers (II.23.2) and heap entries read front to back.
class BlobCursor {
 public:
  explicit BlobCursor(ByteView bytes) : bytes_(bytes) {}

  bool AtEnd() const { return pos_ >= bytes_.size(); }
  size_t position() const { return pos_; }
  // 1, 2 or 4 bytes, most significant first; nullopt when truncated or
  // when the first byte is the invalid 111xxxxx form.
  std::optional<uint32_t> ReadUnsigned();
  // The signed form: the low bit is the sign, rotated in at the width the
  // unsigned read used (so 0x7B is -3 but 0x80 0x7B is not).
  std::optional<int32_t> ReadSigned();

 private:
  std::optional<uint32_t> ReadUnsignedWithWidth(int* width);
  ByteView bytes_;
  size_t pos_ = 0;
};

// One entry of the #Blob (or #US) heap: the bytes after the compressed
// length. Index 0 is the empty blob.
std::optional<ByteView> HeapBlob(ByteView heap, uint32_t index);

struct MetadataStream {
  std::string name;
  ByteView bytes;
};

class MetadataRoot {
 public:
  // kMalformedInput when the signature, a stream header, or a stream's
  // extent is wrong; a duplicated well-known stream is also refused, since
  // which copy a runtime would read is not defined.
  static Result<MetadataRoot> Parse(std::span<const uint8_t> bytes);

  const std::string& version() const { return version_; }
  const std::vector<MetadataStream>& streams() const { return streams_; }
  // The named stream, or nullopt when absent.
  std::optional<ByteView> Stream(std::string_view name) const;

 private:
  std::string version_;
  std::vector<MetadataStream> streams_;
};

struct TableStreamOptions {
  // Row counts of tables that live elsewhere: a standalone PDB's #~ holds
  // only the debug tables, yet its MethodDef-typed columns are sized by
  // the assembly's tables, whose counts the #Pdb stream carries.
  TableRowCounts external_rows{};
  // A #JTD stream (EnC minimal delta) makes every index 4 bytes wide.
  bool all_indices_wide = false;
};

class TableStream {
 public:
  static Result<TableStream> Parse(ByteView stream, const TableStreamOptions& options);

  uint8_t heap_sizes() const { return heap_sizes_; }
  uint64_t valid_mask() const { return valid_; }
  uint64_t sorted_mask() const { return sorted_; }
  // Rows physically present in this stream (0 for absent tables).
  uint32_t RowCount(TableId table) const;
  uint32_t RowSize(TableId table) const;
  size_t ColumnCount(TableId table) const;
  // Column `column` (0-based) of row `row` (1-based), zero-extended;
  // nullopt when the row or column does not exist.
  std::optional<uint32_t> Cell(TableId table, uint32_t row, size_t column) const;

 private:
  uint32_t ColumnWidth(const ColumnSchema& column) const;
  uint32_t ComputeRowSize(size_t table) const;

  ByteView data_;
  uint8_t heap_sizes_ = 0;
  uint64_t valid_ = 0;
  uint64_t sorted_ = 0;
  bool all_wide_ = false;
  TableRowCounts rows_{};
  // Own rows where present, external ones otherwise: what index widths
  // are computed from.
  TableRowCounts sizing_rows_{};
  std::array<uint64_t, kMaxTables> table_offset_{};
  std::array<uint32_t, kMaxTables> row_size_{};
};

}  // namespace clrdump::dump
