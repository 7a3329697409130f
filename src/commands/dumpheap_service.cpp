#include "commands/dumpheap_service.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

namespace clrdump::cmd {
namespace {

using runtime::GcSegment;
using runtime::HeapObject;

constexpr uint64_t kFragmentMinSize = 512 * 1024;

}  // namespace

HeapPrinter::HeapPrinter(CommandContext& ctx, runtime::ManagedHeap& heap,
                         runtime::Runtime& runtime, const HeapPrintOptions& options)
    : ctx_(ctx), heap_(heap), runtime_(runtime), options_(options), owners_(runtime),
      objects_(ctx.out, {columns::Pointer(), columns::Pointer(), columns::Integer(),
                         columns::Text()}) {}

void HeapPrinter::Add(const HeapObject& object, const GcSegment* segment) {
  if (failure_) return;
  if (options_.display == HeapDisplay::kThinLock) {
    AddThinLock(object);
    return;
  }
  if (options_.display == HeapDisplay::kShort) {
    ctx_.out << fmt::format("{:012x}\n", object.address);
    return;
  }
  const uint64_t size = object.valid() ? object.size : 0;
  if (!options_.stat) {
    if (!header_written_) {
      objects_.WriteHeader({"Address", "MT", "Size"});
      header_written_ = true;
    }
    // An object without a type shows no MethodTable.
    objects_.WriteRow({PointerCell(object.address),
                       object.valid() ? PointerCell(object.method_table) : "",
                       object.valid() ? IntegerCell(size) : "", object.free() ? "Free" : ""});
  }
  if (options_.fragmentation) TrackFragmentation(segment, object);
  if (options_.display == HeapDisplay::kStrings) {
    if (object.valid() && !object.type->is_string) {
      failure_ = MakeError(ErrorCode::kInvalidArgument,
                           fmt::format("Object {:x} is not a string, actual type: {}.",
                                       object.address, NameOf(object.method_table)));
      return;
    }
    strings_.Add(heap_, object, size);
    return;
  }
  // Without a type, dotnet-dump counts the pointer as stored, mark bit and all.
  const uint64_t key =
      object.valid() ? object.method_table : heap_.ReadPointer(object.address).value_or(0);
  auto [it, added] = stats_.try_emplace(key);
  if (added) order_.push_back(key);
  it->second.count++;
  it->second.size += size;
}

void HeapPrinter::Finish() {
  if (failure_) return;
  if (options_.display == HeapDisplay::kNormal && !stats_.empty()) PrintStats();
  if (options_.display == HeapDisplay::kStrings && !strings_.empty()) {
    if (!options_.stat) ctx_.out << "\n";
    strings_.Print(ctx_.out, ctx_.cancel);
  }
  PrintFragmentation();
}

void HeapPrinter::AddThinLock(const HeapObject& object) {
  if (!object.valid()) return;
  const uint32_t header = heap_.ReadU32(object.address - 4).value_or(0);
  if (header == 0) return;
  auto lock = owners_.Owner(header);
  if (!lock) return;
  if (!thin_locks_) {
    thin_locks_.emplace(ctx_.out, std::vector<Column>{columns::Pointer(), columns::Pointer(),
                                                      columns::HexValue(), columns::Integer()});
    thin_locks_->WriteHeader({"Object", "Thread", "OSId", "Recursion"});
  }
  const runtime::ManagedThread* thread = owners_.ThreadAt(lock->thread);
  thin_locks_->WriteRow({PointerCell(object.address), thread ? PointerCell(thread->address) : "",
                         HexValueCell(thread ? thread->os_id : 0),
                         IntegerCell(static_cast<int64_t>(static_cast<int32_t>(lock->recursion)))});
}

void HeapPrinter::TrackFragmentation(const GcSegment* segment, const HeapObject& object) {
  if (last_free_ && object.valid() && !object.free() &&
      last_free_->address + last_free_->size == object.address && segment &&
      segment->kind != runtime::SegmentKind::kLarge) {
    fragments_.emplace_back(*last_free_, object);
  }
  if (object.free() && object.size >= kFragmentMinSize) {
    last_free_ = object;
  } else {
    last_free_.reset();
  }
}

std::string HeapPrinter::NameOf(uint64_t method_table) {
  const std::string& name = heap_.TypeName(method_table);
  return name.empty() ? fmt::format("<unknown_type_{:x}>", method_table) : name;
}

void HeapPrinter::PrintStats() {
  if (!options_.stat) ctx_.out << "\n";
  ctx_.out << "Statistics:\n";
  std::vector<std::string> mts, counts, sizes;
  uint64_t total_count = 0, total_size = 0;
  for (uint64_t mt : order_) {
    const TypeStats& s = stats_[mt];
    mts.push_back(PointerCell(mt));
    counts.push_back(IntegerCell(s.count));
    sizes.push_back(IntegerCell(s.size));
    total_count += s.count;
    total_size += s.size;
  }
  Table table(ctx_.out, {columns::Pointer().Fitted(mts), columns::Integer().Fitted(counts),
                         columns::Integer().Fitted(sizes), columns::TypeName()});
  table.WriteHeader({"MT", "Count", "TotalSize", "Class Name"});
  std::vector<uint64_t> sorted = order_;
  std::stable_sort(sorted.begin(), sorted.end(), [&](uint64_t a, uint64_t b) {
    return options_.by_count ? stats_[a].count < stats_[b].count
                             : stats_[a].size < stats_[b].size;
  });
  for (uint64_t mt : sorted) {
    if (ctx_.cancelled()) return;
    const TypeStats& s = stats_[mt];
    table.WriteRow({PointerCell(mt), IntegerCell(s.count), IntegerCell(s.size), NameOf(mt)});
  }
  ctx_.out << "Total " << IntegerCell(total_count) << " objects, " << IntegerCell(total_size)
           << " bytes\n";
}

void HeapPrinter::PrintFragmentation() {
  if (fragments_.empty()) return;
  ctx_.out << "\nFragmented blocks larger than 0.5 MB:\n";
  Table table(ctx_.out, {columns::Pointer(), columns::Integer(), columns::Pointer(),
                         columns::TypeName()});
  table.WriteHeader({"Address", "Size", "Followed By"});
  for (const auto& [free, next] : fragments_) {
    table.WriteRow({PointerCell(free.address), IntegerCell(free.size), PointerCell(next.address),
                    NameOf(next.method_table)});
  }
}

}  // namespace clrdump::cmd
