#include "dump/metadata_names.h"

#include <memory>

namespace clrdump::dump {
namespace {

// TypeDef flags: the visibility bits; values from NestedPublic up mean the
// type is nested (II.23.1.15).
constexpr uint32_t kVisibilityMask = 0x7;
constexpr uint32_t kNestedPublic = 0x2;
// Nesting deeper than this is taken as a cycle in corrupt metadata.
constexpr int kMaxNesting = 64;

Error Bad(const char* message) { return MakeError(ErrorCode::kMalformedInput, message); }

}  // namespace

Result<MetadataNames> MetadataNames::Parse(std::span<const uint8_t> metadata) {
  MetadataNames names;
  names.bytes_ = std::make_shared<const std::vector<uint8_t>>(metadata.begin(), metadata.end());
  auto root = MetadataRoot::Parse(*names.bytes_);
  if (!root) return root.error();
  auto tables = root->Stream("#~");
  if (!tables) tables = root->Stream("#-");  // uncompressed (edit-and-continue) layout
  if (!tables) return Bad("metadata: no table stream");
  auto stream = TableStream::Parse(*tables, {});
  if (!stream) return stream.error();
  names.tables_ = std::move(*stream);
  names.strings_ = root->Stream("#Strings").value_or(ByteView());
  names.blobs_ = root->Stream("#Blob").value_or(ByteView());
  return names;
}

std::optional<std::string> MetadataNames::HeapString(std::optional<uint32_t> index) const {
  if (!index) return std::nullopt;
  auto text = strings_.CString(*index);
  if (!text) return std::nullopt;
  return std::string(*text);
}

std::optional<uint32_t> MetadataNames::EnclosingType(uint32_t nested_row) const {
  const uint32_t rows = tables_->RowCount(TableId::kNestedClass);
  for (uint32_t r = 1; r <= rows; ++r) {
    if (tables_->Cell(TableId::kNestedClass, r, 0) == nested_row) {
      return tables_->Cell(TableId::kNestedClass, r, 1);
    }
  }
  return std::nullopt;
}

std::optional<std::string> MetadataNames::TypeDefNameAt(uint32_t row, int depth) const {
  if (depth > kMaxNesting) return std::nullopt;
  auto flags = tables_->Cell(TableId::kTypeDef, row, 0);
  auto name = HeapString(tables_->Cell(TableId::kTypeDef, row, 1));
  auto space = HeapString(tables_->Cell(TableId::kTypeDef, row, 2));
  if (!flags || !name || !space) return std::nullopt;
  std::string full = space->empty() ? *name : *space + "." + *name;
  if ((*flags & kVisibilityMask) < kNestedPublic) return full;
  auto outer = EnclosingType(row);
  if (!outer) return std::nullopt;
  auto outer_name = TypeDefNameAt(*outer, depth + 1);
  if (!outer_name) return std::nullopt;
  return *outer_name + "+" + full;
}

std::optional<std::string> MetadataNames::TypeDefName(uint32_t row) const {
  return TypeDefNameAt(row, 0);
}

std::optional<std::string> MetadataNames::FieldName(uint32_t row) const {
  return HeapString(tables_->Cell(TableId::kField, row, 1));
}

std::optional<std::vector<uint8_t>> MetadataNames::FieldSignature(uint32_t row) const {
  auto index = tables_->Cell(TableId::kField, row, 2);
  if (!index) return std::nullopt;
  auto blob = HeapBlob(blobs_, *index);
  if (!blob) return std::nullopt;
  return std::vector<uint8_t>(blob->bytes().begin(), blob->bytes().end());
}

std::optional<std::string> MetadataNames::MethodName(uint32_t row) const {
  return HeapString(tables_->Cell(TableId::kMethodDef, row, 3));
}

std::optional<uint32_t> MetadataNames::MethodOwner(uint32_t row) const {
  // Each TypeDef's methods run from its MethodList to the next one's.
  const uint32_t types = tables_->RowCount(TableId::kTypeDef);
  const uint32_t methods = tables_->RowCount(TableId::kMethodDef);
  if (row == 0 || row > methods) return std::nullopt;
  std::optional<uint32_t> owner;
  for (uint32_t t = 1; t <= types; ++t) {
    auto start = tables_->Cell(TableId::kTypeDef, t, 5);
    if (!start || *start > row) break;
    owner = t;
  }
  return owner;
}

}  // namespace clrdump::dump
