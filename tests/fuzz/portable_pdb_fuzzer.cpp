// libFuzzer target: the portable PDB reader and the embedded-PDB extractor
// must reject or accept any bytes without crashing, reading out of bounds,
// or allocating without limit. The input is tried both as a PDB and as an
// assembly whose embedded PDB is then read the same way.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>

#include "dump/pdb_locator.h"
#include "dump/portable_pdb.h"

namespace {

// Rows beyond the first few hundred add time, not coverage.
constexpr uint32_t kMaxRows = 256;

void Exercise(std::span<const uint8_t> bytes) {
  auto pdb = clrdump::dump::PortablePdb::Parse(bytes);
  if (!pdb) return;
  for (uint32_t row = 0; row <= std::min(pdb->method_count() + 1, kMaxRows); ++row) {
    (void)pdb->SequencePoints(row);
    for (uint32_t il : {0u, 7u, 0x40u, 0xFFFFFFFFu}) (void)pdb->FindLine(0x06000000 | row, il);
  }
  for (uint32_t row = 0; row <= std::min(pdb->document_count() + 1, kMaxRows); ++row) {
    (void)pdb->DocumentName(row);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> bytes(data, size);
  Exercise(bytes);
  (void)clrdump::dump::ReadCodeView(bytes);
  if (auto embedded = clrdump::dump::ExtractEmbeddedPdb(bytes)) Exercise(*embedded);
  return 0;
}
