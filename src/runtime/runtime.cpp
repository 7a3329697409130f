#include "runtime/runtime.h"

#include <set>

#include <fmt/format.h>

#include "base/mapped_file.h"
#include "dump/elf_image.h"

namespace clrdump::runtime {
namespace {

constexpr const char* kCoreclr = "libcoreclr.so";
constexpr const char* kDac = "libmscordaccore.so";

std::string Directory(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

std::optional<std::vector<uint8_t>> FileBuildId(const std::string& path) {
  auto file = MappedFile::Open(path);
  if (!file) return std::nullopt;
  return dump::ReadBuildId(dump::SpanReader(file->bytes()), dump::ImageLayout::kFile);
}

// The exports `runtimes` shows, read from the (build-id checked) file.
std::vector<std::pair<std::string, std::optional<uint64_t>>> RuntimeExports(
    const std::string& path, uint64_t base) {
  std::vector<std::pair<std::string, std::optional<uint64_t>>> exports;
  auto file = MappedFile::Open(path);
  for (const char* name : {"DotNetRuntimeInfo", "g_dacTable", "DotNetRuntimeDebugHeader",
                           "DotNetRuntimeContractDescriptor"}) {
    std::optional<uint64_t> value;
    if (file) value = dump::FindDynamicSymbol(dump::SpanReader(file->bytes()), name);
    // Shared libraries are linked at 0: the value is the offset from base.
    exports.emplace_back(name, value ? std::optional<uint64_t>(base + *value) : std::nullopt);
  }
  return exports;
}

}  // namespace

std::string VersionNumber(const std::string& version_string) {
  // Digits and dots up to the first space, at most four components.
  std::string out;
  int components = 1;
  for (char ch : version_string) {
    if (ch == ' ') break;
    if (ch == '.') {
      if (++components > 4) break;
      out += ch;
    } else if (ch >= '0' && ch <= '9') {
      out += ch;
    }
  }
  while (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

Result<RuntimeLocation> LocateRuntime(const std::vector<dump::Module>& modules,
                                      const dump::ProcessMemory& memory,
                                      const std::string& clr_path) {
  const dump::Module* coreclr = nullptr;
  for (const auto& m : modules) {
    const std::string name = m.path.substr(m.path.rfind('/') + 1);
    if (name == kCoreclr) coreclr = &m;
  }
  if (!coreclr) {
    return MakeError(ErrorCode::kNotFound, "No CLR runtime found: the dump has no libcoreclr.so.");
  }
  RuntimeLocation location;
  location.coreclr = *coreclr;
  location.build_id = memory.LoadedBuildId(coreclr->base).value_or(std::vector<uint8_t>{});
  const uint64_t base = coreclr->base;
  location.version_string =
      dump::ReadVersionString([&memory, base](uint64_t offset, std::span<uint8_t> out) {
        return memory.Read(base + offset, out);
      }).value_or("");
  const std::string dir = clr_path.empty() ? Directory(coreclr->path) : clr_path;
  location.dac_path = dir + "/" + kDac;
  if (!MappedFile::Open(location.dac_path)) {
    return MakeError(ErrorCode::kNotFound,
                     fmt::format("No CLR runtime found: the DAC {} does not exist. Point "
                                 "setclrpath at the directory of the runtime the dump was "
                                 "taken with.",
                                 location.dac_path));
  }
  // A DAC reads the runtime's private structures: only the DAC of the very
  // build that made the dump may be used.
  const auto local = FileBuildId(dir + "/" + kCoreclr);
  if (!location.build_id.empty() && local && *local != location.build_id) {
    return MakeError(ErrorCode::kUnsupported,
                     fmt::format("The runtime in {} is build {}, but the dump was made by build "
                                 "{}; use setclrpath to name the directory of the matching "
                                 "runtime.",
                                 dir, dump::HexString(*local), dump::HexString(location.build_id)));
  }
  if (local) location.exports = RuntimeExports(dir + "/" + kCoreclr, coreclr->base);
  return location;
}

Result<std::vector<ManagedThread>> Runtime::GetThreads() {
  auto store = GetThreadStore();
  if (!store) return store.error();
  std::vector<ManagedThread> threads;
  std::set<uint64_t> seen;
  // The list is bounded by the store's count and cut at a repeat, so a
  // corrupt list cannot loop.
  for (uint64_t next = store->first_thread;
       next != 0 && threads.size() < static_cast<size_t>(std::max(store->thread_count, 0)) &&
       seen.insert(next).second;) {
    auto thread = GetThread(next);
    if (!thread) return thread.error();
    next = thread->next;
    threads.push_back(*thread);
  }
  return threads;
}

}  // namespace clrdump::runtime
