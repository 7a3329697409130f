// dumpheap -strings' summary: how many strings of each value and size the
// heap holds, printed with dotnet-dump's sanitizing of the values.
#pragma once

#include <atomic>
#include <cstdint>
#include <ostream>
#include <string>
#include <unordered_map>
#include <vector>

#include "runtime/heap.h"

namespace clrdump::cmd {

class StringTable {
 public:
  // Counts `object` (a System.String of `size` bytes) by its first 1024
  // characters and its size.
  void Add(runtime::ManagedHeap& heap, const runtime::HeapObject& object, uint64_t size);
  bool empty() const { return entries_.empty(); }
  // "Statistics:" and one row per (value, size), least total size first.
  void Print(std::ostream& out, const std::atomic<bool>* cancel) const;

 private:
  struct Entry {
    std::u16string value;
    uint64_t size = 0;
    uint64_t count = 0;
  };
  std::vector<Entry> entries_;  // first-seen order, which ties keep
  std::unordered_map<std::u16string, std::vector<size_t>> index_;
};

}  // namespace clrdump::cmd
