#include "dump/metadata_tables.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace clrdump::dump {
namespace {

constexpr uint32_t kMetadataSignature = 0x424A5342;  // "BSJB"
constexpr uint32_t kMaxRowCount = 0xFFFFFF;          // a token's rid is 24 bits
constexpr size_t kMaxStreamName = 32;
constexpr uint8_t kHeapStringsWide = 0x01;
constexpr uint8_t kHeapGuidWide = 0x02;
constexpr uint8_t kHeapBlobWide = 0x04;
constexpr uint8_t kHeapExtraData = 0x40;  // 4 undocumented bytes follow the row counts
constexpr size_t kTableHeaderSize = 24;

Error Bad(std::string message) { return MakeError(ErrorCode::kMalformedInput, std::move(message)); }

constexpr uint8_t Id(TableId t) { return static_cast<uint8_t>(t); }

// ---- Schemas (II.22 and the portable PDB spec), in on-disk column order.
constexpr ColumnSchema kU16{ColumnKind::kU16, 0};
constexpr ColumnSchema kU32{ColumnKind::kU32, 0};
constexpr ColumnSchema kStr{ColumnKind::kString, 0};
constexpr ColumnSchema kGuid{ColumnKind::kGuid, 0};
constexpr ColumnSchema kBlob{ColumnKind::kBlob, 0};
constexpr ColumnSchema Row(TableId t) { return {ColumnKind::kTable, Id(t)}; }
constexpr ColumnSchema List(TableId t) { return {ColumnKind::kList, Id(t)}; }
constexpr ColumnSchema Coded(CodedIndex c) { return {ColumnKind::kCoded, static_cast<uint8_t>(c)}; }

using T = TableId;
using CI = CodedIndex;
constexpr ColumnSchema kModule[] = {kU16, kStr, kGuid, kGuid, kGuid};
constexpr ColumnSchema kTypeRef[] = {Coded(CI::kResolutionScope), kStr, kStr};
constexpr ColumnSchema kTypeDef[] = {
    kU32, kStr, kStr, Coded(CI::kTypeDefOrRef), List(T::kField), List(T::kMethodDef)};
constexpr ColumnSchema kFieldPtr[] = {Row(T::kField)};
constexpr ColumnSchema kField[] = {kU16, kStr, kBlob};
constexpr ColumnSchema kMethodPtr[] = {Row(T::kMethodDef)};
constexpr ColumnSchema kMethodDef[] = {kU32, kU16, kU16, kStr, kBlob, List(T::kParam)};
constexpr ColumnSchema kParamPtr[] = {Row(T::kParam)};
constexpr ColumnSchema kParam[] = {kU16, kU16, kStr};
constexpr ColumnSchema kInterfaceImpl[] = {Row(T::kTypeDef), Coded(CI::kTypeDefOrRef)};
constexpr ColumnSchema kMemberRef[] = {Coded(CI::kMemberRefParent), kStr, kBlob};
// Constant.Type is one byte followed by one byte of padding.
constexpr ColumnSchema kConstant[] = {kU16, Coded(CI::kHasConstant), kBlob};
constexpr ColumnSchema kCustomAttribute[] = {Coded(CI::kHasCustomAttribute),
                                             Coded(CI::kCustomAttributeType), kBlob};
constexpr ColumnSchema kFieldMarshal[] = {Coded(CI::kHasFieldMarshal), kBlob};
constexpr ColumnSchema kDeclSecurity[] = {kU16, Coded(CI::kHasDeclSecurity), kBlob};
constexpr ColumnSchema kClassLayout[] = {kU16, kU32, Row(T::kTypeDef)};
constexpr ColumnSchema kFieldLayout[] = {kU32, Row(T::kField)};
constexpr ColumnSchema kStandAloneSig[] = {kBlob};
constexpr ColumnSchema kEventMap[] = {Row(T::kTypeDef), List(T::kEvent)};
constexpr ColumnSchema kEventPtr[] = {Row(T::kEvent)};
constexpr ColumnSchema kEvent[] = {kU16, kStr, Coded(CI::kTypeDefOrRef)};
constexpr ColumnSchema kPropertyMap[] = {Row(T::kTypeDef), List(T::kProperty)};
constexpr ColumnSchema kPropertyPtr[] = {Row(T::kProperty)};
constexpr ColumnSchema kProperty[] = {kU16, kStr, kBlob};
constexpr ColumnSchema kMethodSemantics[] = {kU16, Row(T::kMethodDef), Coded(CI::kHasSemantics)};
constexpr ColumnSchema kMethodImpl[] = {Row(T::kTypeDef), Coded(CI::kMethodDefOrRef),
                                        Coded(CI::kMethodDefOrRef)};
constexpr ColumnSchema kModuleRef[] = {kStr};
constexpr ColumnSchema kTypeSpec[] = {kBlob};
constexpr ColumnSchema kImplMap[] = {kU16, Coded(CI::kMemberForwarded), kStr, Row(T::kModuleRef)};
constexpr ColumnSchema kFieldRva[] = {kU32, Row(T::kField)};
constexpr ColumnSchema kEncLog[] = {kU32, kU32};
constexpr ColumnSchema kEncMap[] = {kU32};
constexpr ColumnSchema kAssembly[] = {kU32, kU16, kU16, kU16, kU16, kU32, kBlob, kStr, kStr};
constexpr ColumnSchema kAssemblyProcessor[] = {kU32};
constexpr ColumnSchema kAssemblyOs[] = {kU32, kU32, kU32};
constexpr ColumnSchema kAssemblyRef[] = {kU16, kU16, kU16, kU16, kU32, kBlob, kStr, kStr, kBlob};
constexpr ColumnSchema kAssemblyRefProcessor[] = {kU32, Row(T::kAssemblyRef)};
constexpr ColumnSchema kAssemblyRefOs[] = {kU32, kU32, kU32, Row(T::kAssemblyRef)};
constexpr ColumnSchema kFile[] = {kU32, kStr, kBlob};
constexpr ColumnSchema kExportedType[] = {kU32, kU32, kStr, kStr, Coded(CI::kImplementation)};
constexpr ColumnSchema kManifestResource[] = {kU32, kU32, kStr, Coded(CI::kImplementation)};
constexpr ColumnSchema kNestedClass[] = {Row(T::kTypeDef), Row(T::kTypeDef)};
constexpr ColumnSchema kGenericParam[] = {kU16, kU16, Coded(CI::kTypeOrMethodDef), kStr};
constexpr ColumnSchema kMethodSpec[] = {Coded(CI::kMethodDefOrRef), kBlob};
constexpr ColumnSchema kGenericParamConstraint[] = {Row(T::kGenericParam),
                                                    Coded(CI::kTypeDefOrRef)};
constexpr ColumnSchema kDocument[] = {kBlob, kGuid, kBlob, kGuid};
constexpr ColumnSchema kMethodDebugInformation[] = {Row(T::kDocument), kBlob};
constexpr ColumnSchema kLocalScope[] = {Row(T::kMethodDef),
                                        Row(T::kImportScope),
                                        List(T::kLocalVariable),
                                        List(T::kLocalConstant),
                                        kU32,
                                        kU32};
constexpr ColumnSchema kLocalVariable[] = {kU16, kU16, kStr};
constexpr ColumnSchema kLocalConstant[] = {kStr, kBlob};
constexpr ColumnSchema kImportScope[] = {Row(T::kImportScope), kBlob};
constexpr ColumnSchema kStateMachineMethod[] = {Row(T::kMethodDef), Row(T::kMethodDef)};
constexpr ColumnSchema kCustomDebugInformation[] = {Coded(CI::kHasCustomDebugInformation), kGuid,
                                                    kBlob};

// clang-format off
constexpr std::span<const ColumnSchema> kSchemas[] = {
    kModule, kTypeRef, kTypeDef, kFieldPtr, kField, kMethodPtr, kMethodDef, kParamPtr,  // 0x00
    kParam, kInterfaceImpl, kMemberRef, kConstant, kCustomAttribute, kFieldMarshal,     // 0x08
    kDeclSecurity, kClassLayout,
    kFieldLayout, kStandAloneSig, kEventMap, kEventPtr, kEvent, kPropertyMap,           // 0x10
    kPropertyPtr, kProperty,
    kMethodSemantics, kMethodImpl, kModuleRef, kTypeSpec, kImplMap, kFieldRva, kEncLog, // 0x18
    kEncMap,
    kAssembly, kAssemblyProcessor, kAssemblyOs, kAssemblyRef, kAssemblyRefProcessor,    // 0x20
    kAssemblyRefOs, kFile, kExportedType,
    kManifestResource, kNestedClass, kGenericParam, kMethodSpec,                        // 0x28
    kGenericParamConstraint, {}, {}, {},  // 0x2D-0x2F are unassigned
    kDocument, kMethodDebugInformation, kLocalScope, kLocalVariable, kLocalConstant,    // 0x30
    kImportScope, kStateMachineMethod, kCustomDebugInformation};
// clang-format on
static_assert(std::size(kSchemas) == 0x38);
static_assert(kSchemas[0x06].data() == kMethodDef && kSchemas[0x1B].data() == kTypeSpec &&
              kSchemas[0x2C].data() == kGenericParamConstraint &&
              kSchemas[0x30].data() == kDocument &&
              kSchemas[0x37].data() == kCustomDebugInformation);

// ---- Coded indices: tag bits and the tables their tags name. Tags that
// name no table (kNoTable) do not count toward the width.
constexpr uint8_t kNoTable = 0xFF;
struct CodedIndexDef {
  int tag_bits;
  std::span<const uint8_t> tables;
};
constexpr uint8_t kTypeDefOrRefTables[] = {0x02, 0x01, 0x1B};
constexpr uint8_t kHasConstantTables[] = {0x04, 0x08, 0x17};
constexpr uint8_t kHasCustomAttributeTables[] = {0x06, 0x04, 0x01, 0x02, 0x08, 0x09, 0x0A, 0x00,
                                                 0x0E, 0x17, 0x14, 0x11, 0x1A, 0x1B, 0x20, 0x23,
                                                 0x26, 0x27, 0x28, 0x2A, 0x2C, 0x2B};
constexpr uint8_t kHasFieldMarshalTables[] = {0x04, 0x08};
constexpr uint8_t kHasDeclSecurityTables[] = {0x02, 0x06, 0x20};
constexpr uint8_t kMemberRefParentTables[] = {0x02, 0x01, 0x1A, 0x06, 0x1B};
constexpr uint8_t kHasSemanticsTables[] = {0x14, 0x17};
constexpr uint8_t kMethodDefOrRefTables[] = {0x06, 0x0A};
constexpr uint8_t kMemberForwardedTables[] = {0x04, 0x06};
constexpr uint8_t kImplementationTables[] = {0x26, 0x23, 0x27};
constexpr uint8_t kCustomAttributeTypeTables[] = {kNoTable, kNoTable, 0x06, 0x0A, kNoTable};
constexpr uint8_t kResolutionScopeTables[] = {0x00, 0x1A, 0x23, 0x01};
constexpr uint8_t kTypeOrMethodDefTables[] = {0x02, 0x06};
constexpr uint8_t kHasCustomDebugInformationTables[] = {
    0x06, 0x04, 0x01, 0x02, 0x08, 0x09, 0x0A, 0x00, 0x0E, 0x17, 0x14, 0x11, 0x1A, 0x1B,
    0x20, 0x23, 0x26, 0x27, 0x28, 0x2A, 0x2C, 0x2B, 0x30, 0x32, 0x33, 0x34, 0x35};

constexpr CodedIndexDef kCodedIndexes[] = {
    {2, kTypeDefOrRefTables},        {2, kHasConstantTables},
    {5, kHasCustomAttributeTables},  {1, kHasFieldMarshalTables},
    {2, kHasDeclSecurityTables},     {3, kMemberRefParentTables},
    {1, kHasSemanticsTables},        {1, kMethodDefOrRefTables},
    {1, kMemberForwardedTables},     {2, kImplementationTables},
    {3, kCustomAttributeTypeTables}, {2, kResolutionScopeTables},
    {1, kTypeOrMethodDefTables},     {5, kHasCustomDebugInformationTables},
};

// The Ptr table that a `#-` stream may route a list column through.
constexpr std::optional<uint8_t> PtrTableFor(uint8_t target) {
  switch (static_cast<TableId>(target)) {
    case T::kField:
      return Id(T::kFieldPtr);
    case T::kMethodDef:
      return Id(T::kMethodPtr);
    case T::kParam:
      return Id(T::kParamPtr);
    case T::kEvent:
      return Id(T::kEventPtr);
    case T::kProperty:
      return Id(T::kPropertyPtr);
    default:
      return std::nullopt;
  }
}

}  // namespace

std::span<const ColumnSchema> TableSchema(size_t table) {
  if (table >= std::size(kSchemas)) return {};
  return kSchemas[table];
}

// ---- Compressed integers and heaps.

std::optional<uint32_t> BlobCursor::ReadUnsignedWithWidth(int* width) {
  const auto b0 = bytes_.Get<uint8_t>(pos_);
  if (!b0) return std::nullopt;
  if ((*b0 & 0x80) == 0) {
    *width = 1;
    pos_ += 1;
    return *b0;
  }
  const int n = (*b0 & 0xC0) == 0x80 ? 2 : ((*b0 & 0xE0) == 0xC0 ? 4 : 0);
  if (n == 0 || !bytes_.Fits(pos_, static_cast<uint64_t>(n))) return std::nullopt;
  uint32_t value = *b0 & (n == 2 ? 0x3Fu : 0x1Fu);
  for (int i = 1; i < n; ++i) {
    value = (value << 8) | *bytes_.Get<uint8_t>(pos_ + static_cast<size_t>(i));
  }
  *width = n;
  pos_ += static_cast<size_t>(n);
  return value;
}

std::optional<uint32_t> BlobCursor::ReadUnsigned() {
  int width = 0;
  return ReadUnsignedWithWidth(&width);
}

std::optional<int32_t> BlobCursor::ReadSigned() {
  int width = 0;
  const auto raw = ReadUnsignedWithWidth(&width);
  if (!raw) return std::nullopt;
  auto value = static_cast<int32_t>(*raw >> 1);
  if ((*raw & 1) != 0) value -= width == 1 ? 0x40 : (width == 2 ? 0x2000 : 0x10000000);
  return value;
}

std::optional<ByteView> HeapBlob(ByteView heap, uint32_t index) {
  if (index == 0) return ByteView();
  if (index >= heap.size()) return std::nullopt;
  BlobCursor cursor(*heap.Sub(index, heap.size() - index));
  const auto length = cursor.ReadUnsigned();
  if (!length) return std::nullopt;
  return heap.Sub(uint64_t{index} + cursor.position(), *length);
}

// ---- Metadata root.

Result<MetadataRoot> MetadataRoot::Parse(std::span<const uint8_t> bytes) {
  const ByteView v(bytes);
  if (v.Get<uint32_t>(0) != kMetadataSignature) {
    return Bad("metadata root: no BSJB signature at offset 0");
  }
  const auto version_length = v.Get<uint32_t>(12);
  const auto version = version_length ? v.Sub(16, *version_length) : std::nullopt;
  if (!version) return Bad("metadata root: version string runs past the end");
  MetadataRoot root;
  const auto* text = reinterpret_cast<const char*>(version->bytes().data());
  root.version_.assign(text, strnlen(text, version->size()));

  const uint64_t count_at = 16 + uint64_t{*version_length} + 2;
  const auto count = v.Get<uint16_t>(count_at);
  if (!count)
    return Bad(fmt::format("metadata root: stream count at {:#x} is truncated", count_at));
  uint64_t at = count_at + 2;
  for (uint16_t i = 0; i < *count; ++i) {
    const auto offset = v.Get<uint32_t>(at);
    const auto size = v.Get<uint32_t>(at + 4);
    // Names are at most 32 bytes with their NUL; a longer one is damage.
    const auto name_area =
        offset && size ? v.Sub(at + 8, std::min<uint64_t>(kMaxStreamName, v.size() - (at + 8)))
                       : std::nullopt;
    const auto name = name_area ? name_area->CString(0) : std::nullopt;
    if (!name) {
      return Bad(fmt::format("metadata root: stream header {} at {:#x} is truncated", i, at));
    }
    const auto stream = v.Sub(*offset, *size);
    if (!stream) {
      return Bad(fmt::format("metadata root: stream {} ({:#x}+{:#x}) is outside the metadata",
                             *name, *offset, *size));
    }
    if (!name->empty() && name->front() == '#' && root.Stream(*name)) {
      return Bad(fmt::format("metadata root: stream {} appears twice", *name));
    }
    root.streams_.push_back({std::string(*name), *stream});
    at += 8 + ((name->size() + 4) & ~uint64_t{3});  // the NUL, then padding to 4
  }
  return root;
}

std::optional<ByteView> MetadataRoot::Stream(std::string_view name) const {
  for (const auto& s : streams_) {
    if (s.name == name) return s.bytes;
  }
  return std::nullopt;
}

// ---- Table stream.

Result<TableStream> TableStream::Parse(ByteView stream, const TableStreamOptions& options) {
  TableStream t;
  const auto heap_sizes = stream.Get<uint8_t>(6);
  const auto valid = stream.Get<uint64_t>(8);
  const auto sorted = stream.Get<uint64_t>(16);
  if (!heap_sizes || !valid || !sorted) return Bad("table stream: header is truncated");
  t.heap_sizes_ = *heap_sizes;
  t.valid_ = *valid;
  t.sorted_ = *sorted;
  t.all_wide_ = options.all_indices_wide;

  uint64_t at = kTableHeaderSize;
  for (size_t i = 0; i < kMaxTables; ++i) {
    if ((t.valid_ >> i & 1) == 0) continue;
    if (TableSchema(i).empty()) return Bad(fmt::format("table stream: unknown table {:#x}", i));
    const auto rows = stream.Get<uint32_t>(at);
    if (!rows) return Bad(fmt::format("table stream: row count of table {:#x} is truncated", i));
    if (*rows > kMaxRowCount) {
      return Bad(fmt::format("table stream: table {:#x} claims {} rows", i, *rows));
    }
    t.rows_[i] = *rows;
    at += 4;
  }
  if ((t.heap_sizes_ & kHeapExtraData) != 0) at += 4;
  for (size_t i = 0; i < kMaxTables; ++i) {
    t.sizing_rows_[i] = (t.valid_ >> i & 1) != 0 ? t.rows_[i] : options.external_rows[i];
  }
  for (size_t i = 0; i < kMaxTables; ++i) {
    if (t.rows_[i] == 0) continue;
    t.row_size_[i] = t.ComputeRowSize(i);
    t.table_offset_[i] = at;
    at += uint64_t{t.rows_[i]} * t.row_size_[i];
  }
  if (at > stream.size()) {
    return Bad(
        fmt::format("table stream: tables need {} bytes but the stream has {}", at, stream.size()));
  }
  t.data_ = stream;
  return t;
}

uint32_t TableStream::ColumnWidth(const ColumnSchema& column) const {
  const auto wide_if = [this](bool wide) -> uint32_t { return all_wide_ || wide ? 4 : 2; };
  switch (column.kind) {
    case ColumnKind::kU16:
      return 2;
    case ColumnKind::kU32:
      return 4;
    case ColumnKind::kString:
      return wide_if((heap_sizes_ & kHeapStringsWide) != 0);
    case ColumnKind::kGuid:
      return wide_if((heap_sizes_ & kHeapGuidWide) != 0);
    case ColumnKind::kBlob:
      return wide_if((heap_sizes_ & kHeapBlobWide) != 0);
    case ColumnKind::kTable:
      return wide_if(sizing_rows_[column.target] > 0xFFFF);
    case ColumnKind::kList: {
      const auto ptr = PtrTableFor(column.target);
      const uint32_t ptr_rows = ptr ? sizing_rows_[*ptr] : 0;
      return wide_if(std::max(sizing_rows_[column.target], ptr_rows) > 0xFFFF);
    }
    case ColumnKind::kCoded: {
      const CodedIndexDef& def = kCodedIndexes[column.target];
      uint32_t most = 0;
      for (uint8_t table : def.tables) {
        if (table != kNoTable) most = std::max(most, sizing_rows_[table]);
      }
      return wide_if(most >= (uint32_t{1} << (16 - def.tag_bits)));
    }
  }
  return 4;
}

uint32_t TableStream::ComputeRowSize(size_t table) const {
  uint32_t size = 0;
  for (const auto& column : TableSchema(table)) size += ColumnWidth(column);
  return size;
}

uint32_t TableStream::RowCount(TableId table) const { return rows_[Id(table)]; }

uint32_t TableStream::RowSize(TableId table) const {
  return rows_[Id(table)] != 0 ? row_size_[Id(table)] : ComputeRowSize(Id(table));
}

size_t TableStream::ColumnCount(TableId table) const { return TableSchema(Id(table)).size(); }

std::optional<uint32_t> TableStream::Cell(TableId table, uint32_t row, size_t column) const {
  const size_t i = Id(table);
  const auto schema = TableSchema(i);
  if (row == 0 || row > rows_[i] || column >= schema.size()) return std::nullopt;
  uint64_t at = table_offset_[i] + uint64_t{row - 1} * row_size_[i];
  for (size_t c = 0; c < column; ++c) at += ColumnWidth(schema[c]);
  if (ColumnWidth(schema[column]) == 2) {
    const auto narrow = data_.Get<uint16_t>(at);
    if (!narrow) return std::nullopt;
    return *narrow;
  }
  return data_.Get<uint32_t>(at);
}

}  // namespace clrdump::dump
