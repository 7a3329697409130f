#include "dump/pdb_locator.h"

#define ZLIB_CONST  // makes z_stream::next_in a pointer to const
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <zlib.h>

#include <algorithm>
#include <filesystem>

#include "base/byte_view.h"
#include "base/mapped_file.h"
#include "dump/pe_image.h"

namespace clrdump::dump {
namespace {

constexpr uint32_t kDebugDirectoryIndex = 6;
constexpr uint64_t kDebugEntrySize = 28;
constexpr uint32_t kCodeViewSignature = 0x53445352;     // "RSDS"
constexpr uint32_t kEmbeddedPdbSignature = 0x4244504D;  // "MPDB"
constexpr uint16_t kEmbeddedPdbMinor = 0x0100;
constexpr uint16_t kEmbeddedPdbMinMajor = 0x0100;
// Deflate cannot expand data by more than about 1032:1, so a declared
// size beyond that is a lie; the absolute cap bounds the allocation.
constexpr uint64_t kMaxDeflateRatio = 1032;
constexpr uint64_t kMaxPdbSize = uint64_t{1} << 30;

Error Bad(std::string message) { return MakeError(ErrorCode::kMalformedInput, std::move(message)); }

struct DirectoryExtent {
  uint32_t rva = 0;
  uint32_t size = 0;
};

// PeFile keeps only the CLI directory, so the debug directory's slot is
// read here from the optional header PeFile::Parse has already checked.
std::optional<DirectoryExtent> DebugDataDirectory(ByteView v) {
  const auto lfanew = v.Get<uint32_t>(0x3C);
  if (!lfanew) return std::nullopt;
  const uint64_t optional_header = uint64_t{*lfanew} + 24;
  const auto magic = v.Get<uint16_t>(optional_header);
  if (!magic) return std::nullopt;
  const uint64_t directories = optional_header + (*magic == 0x10B ? 96 : 112);
  const auto count = v.Get<uint32_t>(directories - 4);
  if (!count || *count <= kDebugDirectoryIndex) return std::nullopt;
  const auto rva = v.Get<uint32_t>(directories + kDebugDirectoryIndex * 8);
  const auto size = v.Get<uint32_t>(directories + kDebugDirectoryIndex * 8 + 4);
  if (!rva || !size) return std::nullopt;
  return DirectoryExtent{*rva, *size};
}

// The bytes an entry's data occupies in the file.
std::optional<ByteView> EntryData(const PeFile& pe, ByteView v, const DebugDirectoryEntry& e) {
  std::optional<uint64_t> offset = e.data_offset;
  if (e.data_offset == 0) offset = pe.RvaToOffset(e.data_rva);
  if (!offset) return std::nullopt;
  return v.Sub(*offset, e.data_size);
}

Result<std::vector<uint8_t>> Inflate(ByteView compressed, uint32_t expected) {
  std::vector<uint8_t> out(expected);
  z_stream zs{};
  if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) {  // negative: raw deflate, no zlib header
    return MakeError(ErrorCode::kIo, "embedded PDB: zlib initialisation failed");
  }
  zs.next_in = compressed.bytes().data();
  zs.avail_in = static_cast<uInt>(compressed.size());
  zs.next_out = out.data();
  zs.avail_out = expected;
  const int rc = inflate(&zs, Z_FINISH);
  const uLong produced = zs.total_out;
  const uInt left_over = zs.avail_in;
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) {
    return Bad(
        fmt::format("embedded PDB: deflate data is corrupt or longer than the declared "
                    "{} bytes (zlib {})",
                    expected, rc));
  }
  if (produced != expected || left_over != 0) {
    return Bad(fmt::format("embedded PDB: inflated to {} bytes with {} bytes unused; declared {}",
                           produced, left_over, expected));
  }
  return out;
}

std::string FileNameOf(std::string_view path) {
  const size_t slash = path.find_last_of("/\\");
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

// Reads and checks one file candidate; the error names the file and says
// why it was refused.
Result<std::vector<uint8_t>> TryPdbFile(const std::string& path,
                                        const std::optional<CodeViewPdb>& codeview) {
  auto file = MappedFile::Open(path);
  if (!file) return file.error();  // MappedFile's messages name the path
  auto pdb = PortablePdb::Parse(file->bytes());
  if (!pdb) return MakeError(pdb.error().code, fmt::format("{}: {}", path, pdb.error().message));
  if (codeview && codeview->portable && pdb->id() != codeview->id) {
    return MakeError(ErrorCode::kNotFound,
                     fmt::format("{}: PDB id does not match the assembly (stale PDB)", path));
  }
  return std::vector<uint8_t>(file->bytes().begin(), file->bytes().end());
}

}  // namespace

Result<std::vector<DebugDirectoryEntry>> ReadDebugDirectory(std::span<const uint8_t> pe_bytes) {
  auto pe = PeFile::Parse(pe_bytes, "assembly");
  if (!pe) return pe.error();
  const ByteView v(pe_bytes);
  std::vector<DebugDirectoryEntry> entries;
  const auto extent = DebugDataDirectory(v);
  if (!extent || extent->rva == 0 || extent->size == 0) return entries;
  if (extent->size % kDebugEntrySize != 0) {
    return Bad(fmt::format("debug directory size {} is not a multiple of 28", extent->size));
  }
  const auto offset = pe->RvaToOffset(extent->rva);
  const auto table = offset ? v.Sub(*offset, extent->size) : std::nullopt;
  if (!table) {
    return Bad(fmt::format("debug directory at RVA {:#x} is outside the file", extent->rva));
  }
  for (uint64_t at = 0; at < extent->size; at += kDebugEntrySize) {
    const ByteView e = *table->Sub(at, kDebugEntrySize);
    entries.push_back({*e.Get<uint32_t>(4), *e.Get<uint16_t>(8), *e.Get<uint16_t>(10),
                       *e.Get<uint32_t>(12), *e.Get<uint32_t>(16), *e.Get<uint32_t>(20),
                       *e.Get<uint32_t>(24)});
  }
  return entries;
}

std::optional<CodeViewPdb> ReadCodeView(std::span<const uint8_t> pe_bytes) {
  auto entries = ReadDebugDirectory(pe_bytes);
  if (!entries) return std::nullopt;
  const DebugDirectoryEntry* chosen = nullptr;
  for (const auto& e : *entries) {
    if (e.type != kDebugTypeCodeView) continue;
    if (!chosen || (e.minor_version == kPortableCodeViewMinor &&
                    chosen->minor_version != kPortableCodeViewMinor)) {
      chosen = &e;
    }
  }
  auto pe = PeFile::Parse(pe_bytes, "assembly");
  const ByteView v(pe_bytes);
  const auto data = chosen && pe ? EntryData(*pe, v, *chosen) : std::nullopt;
  if (!data || data->Get<uint32_t>(0) != kCodeViewSignature) return std::nullopt;
  const auto guid = data->Sub(4, 16);
  const auto age = data->Get<uint32_t>(20);
  const auto path = data->CString(24);
  if (!guid || !age || !path) return std::nullopt;
  CodeViewPdb cv;
  std::copy(guid->bytes().begin(), guid->bytes().end(), cv.id.begin());
  for (size_t i = 0; i < 4; ++i) cv.id[16 + i] = static_cast<uint8_t>(chosen->stamp >> (8 * i));
  cv.age = *age;
  cv.path = std::string(*path);
  cv.portable = chosen->minor_version == kPortableCodeViewMinor;
  return cv;
}

Result<std::vector<uint8_t>> ExtractEmbeddedPdb(std::span<const uint8_t> pe_bytes) {
  auto pe = PeFile::Parse(pe_bytes, "assembly");
  if (!pe) return pe.error();
  auto entries = ReadDebugDirectory(pe_bytes);
  if (!entries) return entries.error();
  const auto it = std::find_if(entries->begin(), entries->end(), [](const auto& e) {
    return e.type == kDebugTypeEmbeddedPortablePdb;
  });
  if (it == entries->end()) return MakeError(ErrorCode::kNotFound, "no embedded portable PDB");
  if (it->minor_version != kEmbeddedPdbMinor || it->major_version < kEmbeddedPdbMinMajor) {
    return MakeError(ErrorCode::kUnsupported,
                     fmt::format("embedded PDB: unknown format version {:#x}.{:#x}",
                                 it->major_version, it->minor_version));
  }
  const auto data = EntryData(*pe, ByteView(pe_bytes), *it);
  if (!data) return Bad("embedded PDB: data lies outside the file");
  const auto size = data->Get<int32_t>(4);
  if (data->Get<uint32_t>(0) != kEmbeddedPdbSignature || !size) {
    return Bad("embedded PDB: no MPDB header");
  }
  const uint64_t compressed = data->size() - 8;
  if (*size <= 0 || static_cast<uint64_t>(*size) > compressed * kMaxDeflateRatio + 64 ||
      static_cast<uint64_t>(*size) > kMaxPdbSize) {
    return Bad(fmt::format("embedded PDB: implausible size {} for {} compressed bytes", *size,
                           compressed));
  }
  return Inflate(*data->Sub(8, compressed), static_cast<uint32_t>(*size));
}

Result<std::vector<uint8_t>> LocatePortablePdb(const std::string& assembly_path) {
  auto assembly = MappedFile::Open(assembly_path);
  if (!assembly) return assembly.error();
  const auto bytes = assembly->bytes();
  if (auto pe = PeFile::Parse(bytes, assembly_path); !pe) return pe.error();

  std::vector<std::string> tried;
  auto embedded = ExtractEmbeddedPdb(bytes);
  if (embedded) return embedded;
  tried.push_back(fmt::format("embedded: {}", embedded.error().message));

  const std::filesystem::path assembly_fs(assembly_path);
  const auto directory = assembly_fs.parent_path();
  std::vector<std::string> candidates;
  const auto codeview = ReadCodeView(bytes);
  if (codeview) {
    const std::string name = FileNameOf(codeview->path);
    if (!name.empty() && name != "." && name != "..") {
      candidates.push_back((directory / name).string());
    }
  }
  const std::string by_name = std::filesystem::path(assembly_fs).replace_extension(".pdb");
  if (std::find(candidates.begin(), candidates.end(), by_name) == candidates.end()) {
    candidates.push_back(by_name);
  }
  for (const auto& candidate : candidates) {
    auto pdb = TryPdbFile(candidate, codeview);
    if (pdb) return pdb;
    tried.push_back(pdb.error().message);
  }
  return MakeError(ErrorCode::kNotFound, fmt::format("no portable PDB for {} ({})", assembly_path,
                                                     fmt::join(tried, "; ")));
}

}  // namespace clrdump::dump
