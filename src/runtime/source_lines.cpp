#include "runtime/source_lines.h"

#include "dump/pdb_locator.h"

namespace clrdump::runtime {

const dump::PortablePdb* SourceLines::PdbFor(const std::string& module_path) {
  auto it = pdbs_.find(module_path);
  if (it != pdbs_.end()) return it->second.get();
  std::unique_ptr<dump::PortablePdb> pdb;
  if (auto bytes = dump::LocatePortablePdb(module_path)) {
    if (auto parsed = dump::PortablePdb::Parse(*bytes)) {
      pdb = std::make_unique<dump::PortablePdb>(std::move(*parsed));
    }
  }
  return pdbs_.emplace(module_path, std::move(pdb)).first->second.get();
}

std::optional<dump::SourceLine> SourceLines::Find(const std::string& module_path, uint32_t token,
                                                  uint32_t il_offset) {
  if (module_path.empty() || il_offset == kIlNoMapping) return std::nullopt;
  const dump::PortablePdb* pdb = PdbFor(module_path);
  if (!pdb) return std::nullopt;
  if (il_offset == kIlProlog) il_offset = 0;
  // The last sequence point at or before any real offset of the method.
  if (il_offset == kIlEpilog) il_offset = kIlEpilog - 1;
  return pdb->FindLine(token, il_offset);
}

}  // namespace clrdump::runtime
