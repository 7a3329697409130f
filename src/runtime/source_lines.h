// Source lines of managed code: portable PDBs found for the dump's
// assemblies (embedded, named by CodeView, or beside the file), parsed
// once each and kept for the session.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "dump/portable_pdb.h"

namespace clrdump::runtime {

// IL offsets the DAC reports for code outside the IL-to-native map.
inline constexpr uint32_t kIlNoMapping = 0xFFFFFFFF;
inline constexpr uint32_t kIlProlog = 0xFFFFFFFE;
inline constexpr uint32_t kIlEpilog = 0xFFFFFFFD;

class SourceLines {
 public:
  // The line SOS shows for `il_offset` of the method `token` in the
  // assembly at `module_path`; nullopt when there is no PDB, no mapping or
  // no line. The prolog counts as offset 0, the epilog as the method's end.
  std::optional<dump::SourceLine> Find(const std::string& module_path, uint32_t token,
                                       uint32_t il_offset);

 private:
  const dump::PortablePdb* PdbFor(const std::string& module_path);
  std::map<std::string, std::unique_ptr<dump::PortablePdb>> pdbs_;  // nullptr: none found
};

}  // namespace clrdump::runtime
