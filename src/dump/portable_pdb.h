// A reader of standalone portable PDBs (the format Roslyn writes for
// .NET Core): just enough to turn a (MethodDef token, IL offset) into the
// "[file @ line]" that SOS prints after a managed frame.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/byte_view.h"
#include "base/result.h"
#include "dump/metadata_tables.h"

namespace clrdump::dump {

// Start and end line of a hidden sequence point: code the debugger should
// step over (compiler-generated branches, `#line hidden`).
inline constexpr uint32_t kHiddenLine = 0xFEEFEE;

struct SequencePoint {
  uint32_t il_offset = 0;
  uint32_t start_line = 0;
  uint32_t start_column = 0;
  uint32_t end_line = 0;
  uint32_t end_column = 0;
  uint32_t document_row = 0;  // Document table row (1-based)

  bool hidden() const { return start_line == kHiddenLine; }
};

struct SourceLine {
  std::string document;  // the Document name exactly as the PDB stores it
  uint32_t line = 0;
  uint32_t column = 0;
  uint32_t document_row = 0;
};

// 16-byte GUID followed by a 4-byte stamp; the assembly's CodeView debug
// directory entry names the same 20 bytes, which is how a PDB on disk is
// matched to its assembly.
using PdbId = std::array<uint8_t, 20>;

class PortablePdb {
 public:
  // Copies `bytes`, so the caller may free them at once; copies of a
  // PortablePdb share one immutable buffer. kMalformedInput names what is
  // wrong (signature, a stream, a table extent); kUnsupported for metadata
  // without a #Pdb stream (debug tables embedded in an assembly).
  static Result<PortablePdb> Parse(std::span<const uint8_t> bytes);

  const PdbId& id() const { return id_; }
  // The MethodDef token of the entry point, or 0.
  uint32_t entry_point_token() const { return entry_point_; }
  uint32_t document_count() const;
  // Rows of MethodDebugInformation: 0, or one per MethodDef of the assembly.
  uint32_t method_count() const;

  // The sequence points of MethodDef row `method_def_row`, in blob (= IL
  // offset) order. Empty when the method has none, the row does not exist,
  // or the blob is malformed anywhere: a prefix of a damaged blob could
  // name the wrong line for later offsets, and no line beats a wrong one.
  std::vector<SequencePoint> SequencePoints(uint32_t method_def_row) const;
  // The same, saying why a blob was refused (kNotFound for no information).
  Result<std::vector<SequencePoint>> DecodeSequencePoints(uint32_t method_def_row) const;

  // The Document's name (its parts joined by the stored separator); empty
  // when the row does not exist or the name blob is malformed.
  std::string DocumentName(uint32_t document_row) const;

  // The source line SOS shows for `il_offset` in the method `method_token`
  // (a 0x06xxxxxx MethodDef token): the start line of the last sequence
  // point at or before `il_offset` that is neither hidden nor on line 0.
  std::optional<SourceLine> FindLine(uint32_t method_token, uint32_t il_offset) const;

 private:
  PortablePdb() = default;
  std::optional<ByteView> Blob(uint32_t index) const { return HeapBlob(blob_heap_, index); }

  std::shared_ptr<const std::vector<uint8_t>> bytes_;
  // Views into *bytes_; the heap buffer never moves, so copies stay valid.
  ByteView blob_heap_;
  TableStream tables_;
  PdbId id_{};
  uint32_t entry_point_ = 0;
};

}  // namespace clrdump::dump
