#include "harness/corrupt_dump.h"

#include <elf.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "harness/env.h"
#include "harness/subprocess.h"

namespace clrdump::test {
namespace {

namespace fs = std::filesystem;

// The addresses `dumpheap -type <type> -short` prints.
std::vector<uint64_t> ObjectsOf(const std::string& dump, const std::string& type) {
  const RunResult r = Run({ClrdumpPath(), "analyze", dump, "-c",
                           "dumpheap -short -type " + type, "-c", "exit"});
  std::vector<uint64_t> objects;
  std::istringstream in(r.out);
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() != 12 || line.find_first_not_of("0123456789abcdef") != std::string::npos) {
      continue;
    }
    objects.push_back(std::stoull(line, nullptr, 16));
  }
  return objects;
}

// Writes `bytes` at the file offset holding `address`; false when no
// PT_LOAD segment stores it.
bool Patch(std::fstream& file, uint64_t address, const std::vector<uint8_t>& bytes) {
  Elf64_Ehdr header{};
  file.seekg(0);
  file.read(reinterpret_cast<char*>(&header), sizeof header);
  for (uint16_t i = 0; i < header.e_phnum; ++i) {
    Elf64_Phdr ph{};
    file.seekg(static_cast<std::streamoff>(header.e_phoff + uint64_t{i} * header.e_phentsize));
    file.read(reinterpret_cast<char*>(&ph), sizeof ph);
    if (ph.p_type != PT_LOAD || address < ph.p_vaddr ||
        address + bytes.size() > ph.p_vaddr + ph.p_filesz) {
      continue;
    }
    file.seekp(static_cast<std::streamoff>(ph.p_offset + (address - ph.p_vaddr)));
    file.write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
    return file.good();
  }
  return false;
}

std::vector<uint8_t> Le(uint64_t value, size_t size) {
  std::vector<uint8_t> bytes(size);
  for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<uint8_t>(value >> (8 * i));
  return bytes;
}

}  // namespace

CorruptDump MakeCorruptDump(const std::string& dump) {
  CorruptDump c;
  const auto exceptions = ObjectsOf(dump, "System.OutOfMemoryException");
  const auto dictionaries = ObjectsOf(dump, "System.Collections.Generic.Dictionary");
  const auto comparers = ObjectsOf(dump, "System.OrdinalIgnoreCaseComparer");
  const auto arrays = ObjectsOf(dump, "System.Int32[]");
  if (exceptions.empty() || dictionaries.empty() || comparers.empty() || arrays.empty()) {
    c.error = "dumpheap found none of the objects to corrupt in " + dump;
    return c;
  }
  c.bad_method_table = exceptions.front();
  c.bad_reference = dictionaries.front();
  c.bad_header = comparers.front();
  c.long_array = arrays.back();
  const std::string dir = MakeTempDir("corrupt");
  c.path = dir + "/" + fs::path(dump).filename().string();
  fs::copy_file(dump, c.path);
  std::fstream file(c.path, std::ios::in | std::ios::out | std::ios::binary);
  const bool ok =
      Patch(file, c.bad_method_table, Le(0x4141414141414141, 8)) &&
      Patch(file, c.bad_reference + 8, Le(0x12345678, 8)) &&
      // Sync block index 5 (bit 27 set, no hash code), which no block has.
      Patch(file, c.bad_header - 4, Le(0x08000005, 4)) &&
      Patch(file, c.long_array + 8, Le(0x7fffffff, 4));
  if (!ok) c.error = "could not patch the copy of " + dump + " at " + c.path;
  return c;
}

void RemoveCorruptDump(const CorruptDump& corrupt) {
  if (corrupt.path.empty()) return;
  std::error_code ignored;
  fs::remove_all(fs::path(corrupt.path).parent_path(), ignored);
}

}  // namespace clrdump::test
