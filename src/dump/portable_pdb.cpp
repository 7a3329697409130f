#include "dump/portable_pdb.h"

#include <fmt/format.h>

#include <algorithm>

namespace clrdump::dump {
namespace {

constexpr uint32_t kMethodDefTokenType = 0x06;
// Limits on sequence points as System.Reflection.Metadata (which SOS
// reads PDBs with) enforces them; beyond them the blob is damaged, and
// refusing it keeps the arithmetic far from overflow.
constexpr int64_t kMaxIlOffset = 0x1FFFFFFF;
constexpr int64_t kMaxLine = kHiddenLine - 1;
constexpr int64_t kMaxColumn = 0xFFFE;
// Real paths are a few hundred bytes; the cap stops a small blob that
// names one large part many times from building a huge string.
constexpr size_t kMaxDocumentName = 64 * 1024;
constexpr size_t kPdbIdSize = 20;

Error Bad(std::string message) { return MakeError(ErrorCode::kMalformedInput, std::move(message)); }

// Reads the #Pdb stream: the id, the entry point, and the row counts of
// the assembly tables that the debug tables' indices are sized by.
Status ReadPdbStream(ByteView pdb, PdbId* id, uint32_t* entry_point, TableRowCounts* rows) {
  const auto id_bytes = pdb.Sub(0, kPdbIdSize);
  const auto entry = pdb.Get<uint32_t>(20);
  const auto referenced = pdb.Get<uint64_t>(24);
  if (!id_bytes || !entry || !referenced) return Bad("#Pdb stream is truncated");
  std::copy(id_bytes->bytes().begin(), id_bytes->bytes().end(), id->begin());
  if (*entry != 0 && (*entry >> 24) != kMethodDefTokenType) {
    return Bad(fmt::format("#Pdb entry point {:#010x} is not a MethodDef token", *entry));
  }
  *entry_point = *entry;
  if ((*referenced >> (kLastTypeSystemTable + 1)) != 0) {
    return Bad(fmt::format("#Pdb references non-type-system tables (mask {:#x})", *referenced));
  }
  uint64_t at = 32;
  for (size_t i = 0; i <= kLastTypeSystemTable; ++i) {
    if ((*referenced >> i & 1) == 0) continue;
    const auto count = pdb.Get<uint32_t>(at);
    if (!count) return Bad(fmt::format("#Pdb row count of table {:#x} is truncated", i));
    if (*count > 0xFFFFFF) return Bad(fmt::format("#Pdb table {:#x} claims {} rows", i, *count));
    (*rows)[i] = *count;
    at += 4;
  }
  return Ok{};
}

// State carried between records of one sequence-points blob.
struct SequencePointDecoder {
  BlobCursor cursor;
  uint32_t document_rows = 0;
  uint32_t document = 0;
  int64_t il_offset = 0;
  bool first_record = true;
  bool seen_visible = false;
  int64_t prev_line = 0;
  int64_t prev_column = 0;

  Status Document(std::optional<uint32_t> row) {
    if (!row || *row == 0 || *row > document_rows) {
      return Bad(
          fmt::format("sequence points name document {} of {}", row.value_or(0), document_rows));
    }
    document = *row;
    return Ok{};
  }

  // Start line and column: absolute for the first visible point, signed
  // deltas from the previous visible point after that.
  Status VisibleStart(SequencePoint* p) {
    std::optional<int64_t> line, column;
    if (seen_visible) {
      if (auto d = cursor.ReadSigned()) line = prev_line + *d;
      if (auto d = cursor.ReadSigned()) column = prev_column + *d;
    } else {
      if (auto v = cursor.ReadUnsigned()) line = *v;
      if (auto v = cursor.ReadUnsigned()) column = *v;
    }
    if (!line || !column || *line < 0 || *line > kMaxLine || *column < 0 || *column > kMaxColumn) {
      return Bad(fmt::format("bad sequence point start at IL offset {:#x}", p->il_offset));
    }
    prev_line = *line;
    prev_column = *column;
    seen_visible = true;
    p->start_line = static_cast<uint32_t>(*line);
    p->start_column = static_cast<uint32_t>(*column);
    return Ok{};
  }

  // One record; a document record yields no point (*out stays nullopt).
  Status Record(std::optional<SequencePoint>* out) {
    const auto delta_il = cursor.ReadUnsigned();
    if (!delta_il) return Bad("sequence point IL offset is truncated");
    if (!first_record && *delta_il == 0) return Document(cursor.ReadUnsigned());
    il_offset = first_record ? *delta_il : il_offset + *delta_il;
    first_record = false;
    if (il_offset > kMaxIlOffset) return Bad("sequence point IL offset out of range");
    SequencePoint p;
    p.il_offset = static_cast<uint32_t>(il_offset);
    p.document_row = document;
    const auto delta_lines = cursor.ReadUnsigned();
    std::optional<int64_t> delta_columns;
    if (delta_lines && *delta_lines == 0) {
      if (auto v = cursor.ReadUnsigned()) delta_columns = *v;
    } else if (delta_lines) {
      if (auto v = cursor.ReadSigned()) delta_columns = *v;
    }
    if (!delta_lines || !delta_columns) return Bad("sequence point extent is truncated");
    if (*delta_lines == 0 && *delta_columns == 0) {
      p.start_line = p.end_line = kHiddenLine;
      *out = p;
      return Ok{};
    }
    if (auto status = VisibleStart(&p); !status) return status;
    const int64_t end_line = int64_t{p.start_line} + *delta_lines;
    const int64_t end_column = int64_t{p.start_column} + *delta_columns;
    if (end_line > kMaxLine || end_column < 0 || end_column > kMaxColumn) {
      return Bad(fmt::format("bad sequence point extent at IL offset {:#x}", p.il_offset));
    }
    p.end_line = static_cast<uint32_t>(end_line);
    p.end_column = static_cast<uint32_t>(end_column);
    *out = p;
    return Ok{};
  }
};

}  // namespace

Result<PortablePdb> PortablePdb::Parse(std::span<const uint8_t> bytes) {
  PortablePdb pdb;
  pdb.bytes_ = std::make_shared<const std::vector<uint8_t>>(bytes.begin(), bytes.end());
  auto root = MetadataRoot::Parse(*pdb.bytes_);
  if (!root) return root.error();
  const auto pdb_stream = root->Stream("#Pdb");
  if (!pdb_stream) {
    return MakeError(ErrorCode::kUnsupported,
                     fmt::format("metadata \"{}\" has no #Pdb stream (not a standalone "
                                 "portable PDB)",
                                 root->version()));
  }
  auto tables = root->Stream("#~");
  if (!tables) tables = root->Stream("#-");
  if (!tables) return Bad("portable PDB has no table stream");
  pdb.blob_heap_ = root->Stream("#Blob").value_or(ByteView());

  TableStreamOptions options;
  options.all_indices_wide = root->Stream("#JTD").has_value();
  if (auto status = ReadPdbStream(*pdb_stream, &pdb.id_, &pdb.entry_point_, &options.external_rows);
      !status) {
    return status.error();
  }
  auto table_stream = TableStream::Parse(*tables, options);
  if (!table_stream) return table_stream.error();
  pdb.tables_ = std::move(*table_stream);
  return pdb;
}

uint32_t PortablePdb::document_count() const { return tables_.RowCount(TableId::kDocument); }

uint32_t PortablePdb::method_count() const {
  return tables_.RowCount(TableId::kMethodDebugInformation);
}

Result<std::vector<SequencePoint>> PortablePdb::DecodeSequencePoints(
    uint32_t method_def_row) const {
  constexpr TableId kMdi = TableId::kMethodDebugInformation;
  const auto document = tables_.Cell(kMdi, method_def_row, 0);
  const auto blob_index = tables_.Cell(kMdi, method_def_row, 1);
  if (!document || !blob_index || *blob_index == 0) {
    return MakeError(ErrorCode::kNotFound,
                     fmt::format("no sequence points for MethodDef row {}", method_def_row));
  }
  const auto blob = Blob(*blob_index);
  if (!blob) return Bad(fmt::format("sequence points blob {:#x} is truncated", *blob_index));

  SequencePointDecoder decoder{BlobCursor(*blob)};
  decoder.document_rows = document_count();
  const auto local_signature = decoder.cursor.ReadUnsigned();
  if (!local_signature) return Bad("sequence points header is truncated");
  // The initial document is stored only when the row's column cannot name
  // one, i.e. for methods whose points span several documents.
  const auto initial = *document != 0 ? document : decoder.cursor.ReadUnsigned();
  if (auto status = decoder.Document(initial); !status) return status.error();

  std::vector<SequencePoint> points;
  while (!decoder.cursor.AtEnd()) {
    std::optional<SequencePoint> point;
    if (auto status = decoder.Record(&point); !status) return status.error();
    if (point) points.push_back(*point);
  }
  return points;
}

std::vector<SequencePoint> PortablePdb::SequencePoints(uint32_t method_def_row) const {
  auto points = DecodeSequencePoints(method_def_row);
  if (!points) return {};
  return std::move(*points);
}

std::string PortablePdb::DocumentName(uint32_t document_row) const {
  const auto index = tables_.Cell(TableId::kDocument, document_row, 0);
  const auto blob = index ? Blob(*index) : std::nullopt;
  const auto separator = blob ? blob->Get<uint8_t>(0) : std::nullopt;
  if (!separator || *separator > 0x7F) return {};
  BlobCursor cursor(*blob->Sub(1, blob->size() - 1));
  std::string name;
  bool first_part = true;
  while (!cursor.AtEnd()) {
    const auto part_index = cursor.ReadUnsigned();
    const auto part = part_index ? Blob(*part_index) : std::nullopt;
    if (!part) return {};
    if (!first_part && *separator != 0) name.push_back(static_cast<char>(*separator));
    first_part = false;
    if (name.size() + part->size() > kMaxDocumentName) return {};
    const auto text = part->bytes();
    name.append(text.begin(), text.end());
  }
  return name;
}

std::optional<SourceLine> PortablePdb::FindLine(uint32_t method_token, uint32_t il_offset) const {
  if ((method_token >> 24) != kMethodDefTokenType) return std::nullopt;
  const auto points = SequencePoints(method_token & 0xFFFFFF);
  const SequencePoint* best = nullptr;
  for (const auto& p : points) {
    // Offsets ascend, so nothing after the first later point can apply.
    if (p.il_offset > il_offset) break;
    if (!p.hidden() && p.start_line != 0) best = &p;
  }
  if (!best) return std::nullopt;
  std::string document = DocumentName(best->document_row);
  if (document.empty()) return std::nullopt;
  return SourceLine{std::move(document), best->start_line, best->start_column, best->document_row};
}

}  // namespace clrdump::dump
