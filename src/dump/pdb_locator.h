// Finds the portable PDB of a managed assembly on disk: embedded in the
// assembly's debug directory, or a file beside it, the way
// System.Reflection.Metadata and dotnet-dump look for one (minus the
// symbol server).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "dump/portable_pdb.h"

namespace clrdump::dump {

inline constexpr uint32_t kDebugTypeCodeView = 2;
inline constexpr uint32_t kDebugTypeEmbeddedPortablePdb = 17;
// CodeView entries of portable PDBs carry this minor version ("PM").
inline constexpr uint16_t kPortableCodeViewMinor = 0x504D;

// One 28-byte IMAGE_DEBUG_DIRECTORY entry.
struct DebugDirectoryEntry {
  uint32_t stamp = 0;
  uint16_t major_version = 0;
  uint16_t minor_version = 0;
  uint32_t type = 0;
  uint32_t data_size = 0;
  uint32_t data_rva = 0;
  uint32_t data_offset = 0;  // file offset of the data
};

// What a CodeView ("RSDS") entry says about the PDB written with the
// assembly.
struct CodeViewPdb {
  // GUID + the entry's stamp; compared with PortablePdb::id() only when
  // `portable` (a Windows PDB is matched by GUID and age instead).
  PdbId id{};
  uint32_t age = 0;
  std::string path;  // as the compiler wrote it; may be a Windows path
  bool portable = false;
};

// The debug directory of a PE file in file layout (as on disk). An image
// without one has no entries; kMalformedInput when it is damaged.
Result<std::vector<DebugDirectoryEntry>> ReadDebugDirectory(std::span<const uint8_t> pe_bytes);

// The CodeView entry, preferring the portable-PDB one when there are
// several; nullopt when there is none or it cannot be read.
std::optional<CodeViewPdb> ReadCodeView(std::span<const uint8_t> pe_bytes);

// The inflated bytes of the embedded portable PDB (debug entry type 17);
// kNotFound when the assembly embeds none, kMalformedInput when the
// "MPDB" header or the deflate stream is damaged or its size disagrees.
Result<std::vector<uint8_t>> ExtractEmbeddedPdb(std::span<const uint8_t> pe_bytes);

// The portable PDB of the assembly at `assembly_path`, tried in order:
// (1) embedded in the assembly, (2) the CodeView entry's file name in the
// assembly's directory, (3) the assembly's name with ".pdb" in that
// directory. A file candidate must parse as a portable PDB and, when the
// assembly has a portable CodeView entry, carry the same id — a stale PDB
// would name wrong lines. kNotFound lists the places tried and why each
// failed; an unreadable assembly gives its own error.
Result<std::vector<uint8_t>> LocatePortablePdb(const std::string& assembly_path);

}  // namespace clrdump::dump
