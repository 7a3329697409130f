#include "runtime/module_names.h"

#include <vector>

namespace clrdump::runtime {
namespace {

// Larger metadata is taken as a corrupt size, not read.
constexpr uint64_t kMaxMetadata = 256u << 20;

}  // namespace

const dump::MetadataNames* ModuleNames::Get(uint64_t module) {
  auto it = names_.find(module);
  if (it == names_.end()) {
    std::optional<dump::MetadataNames> names;
    auto m = runtime_.GetManagedModule(module);
    if (m && m->metadata_start != 0 && m->metadata_size != 0 && m->metadata_size <= kMaxMetadata) {
      std::vector<uint8_t> bytes(m->metadata_size);
      if (memory_.Read(m->metadata_start, bytes) == bytes.size()) {
        if (auto parsed = dump::MetadataNames::Parse(bytes)) names = std::move(*parsed);
      }
    }
    it = names_.emplace(module, std::move(names)).first;
  }
  return it->second ? &*it->second : nullptr;
}

}  // namespace clrdump::runtime
