#include "runtime/roots.h"

#include <algorithm>
#include <cstring>

#include "runtime/isolated_stack_refs.h"

namespace clrdump::runtime {
namespace {

// The runtime's thread states that make a thread not alive (ClrMD's rule).
constexpr uint32_t kThreadUnstarted = 0x400;
constexpr uint32_t kThreadDead = 0x800;
constexpr uint32_t kInteriorFlag = 1;
constexpr uint32_t kSourceIsIp = 0;
constexpr uint32_t kSourceIsFrame = 1;

bool IsStrong(const GcHandle& h) {
  switch (h.kind) {
    case HandleKind::kRefCounted:
      return h.ref_count > 0;
    case HandleKind::kWeakLong:
    case HandleKind::kWeakShort:
    case HandleKind::kDependent:
    case HandleKind::kWeakWinRT:
      return false;
    default:
      return true;
  }
}

// The DAC's names of x64 registers; negative numbers are the caller's.
std::string RegisterName(int32_t reg) {
  static constexpr const char* kNames[] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp",
                                           "rsi", "rdi", "r8",  "r9",  "r10", "r11",
                                           "r12", "r13", "r14", "r15"};
  const bool caller = reg < 0;
  const int32_t index = caller ? -reg - 1 : reg;
  if (index >= static_cast<int32_t>(std::size(kNames))) return "???";
  return caller ? std::string("caller.") + kNames[index] : kNames[index];
}

}  // namespace

AddressSet::AddressSet(const ManagedHeap& heap) {
  size_t words = 0;
  for (const GcSegment* seg : heap.segments()) {
    if (seg->objects.size() == 0) continue;
    Range r{seg->objects.start & ~uint64_t{7}, seg->objects.end, words};
    words += ((r.end - r.start) / 8 + 63) / 64;
    ranges_.push_back(r);
  }
  bits_.assign(words, 0);
}

const AddressSet::Range* AddressSet::RangeOf(uint64_t address) const {
  if (last_ && address >= last_->start && address < last_->end) {
    return (address & 7) == 0 ? last_ : nullptr;
  }
  auto it = std::upper_bound(ranges_.begin(), ranges_.end(), address,
                             [](uint64_t a, const Range& r) { return a < r.start; });
  if (it == ranges_.begin()) return nullptr;
  --it;
  if (address >= it->end) return nullptr;
  last_ = &*it;
  return (address & 7) == 0 ? last_ : nullptr;
}

bool AddressSet::Insert(uint64_t address) {
  if (const Range* r = RangeOf(address)) {
    const uint64_t bit = (address - r->start) / 8;
    uint64_t& word = bits_[r->first_word + bit / 64];
    const uint64_t mask = uint64_t{1} << (bit % 64);
    if (word & mask) return false;
    word |= mask;
  } else if (!others_.insert(address).second) {
    return false;
  }
  ++size_;
  return true;
}

bool AddressSet::Contains(uint64_t address) const {
  if (const Range* r = RangeOf(address)) {
    const uint64_t bit = (address - r->start) / 8;
    return (bits_[r->first_word + bit / 64] >> (bit % 64)) & 1;
  }
  return others_.count(address) > 0;
}

void AddressSet::Erase(uint64_t address) {
  if (const Range* r = RangeOf(address)) {
    const uint64_t bit = (address - r->start) / 8;
    uint64_t& word = bits_[r->first_word + bit / 64];
    const uint64_t mask = uint64_t{1} << (bit % 64);
    if (!(word & mask)) return;
    word &= ~mask;
  } else if (others_.erase(address) == 0) {
    return;
  }
  --size_;
}

bool Roots::TakeCachingNotice() {
  if (notice_given_) return false;
  notice_given_ = true;
  return true;
}

bool Roots::TakeStackCachingNotice() {
  if (stacks_ || stack_notice_given_) return false;
  stack_notice_given_ = true;
  return true;
}

void Roots::LoadHandles() {
  if (handles_) return;
  handles_.emplace();
  auto handles = runtime_.GetHandles({});
  if (!handles) return;  // as ClrMD, a runtime that cannot list handles has none
  for (const GcHandle& h : *handles) {
    const uint64_t object = heap_.ReadPointer(h.address).value_or(0);
    if (h.kind == HandleKind::kDependent) dependent_.emplace_back(object, h.secondary);
    if (!IsStrong(h)) continue;
    Root r;
    r.kind = RootKind::kHandle;
    r.address = h.address;
    r.object = object;
    r.handle_kind = h.kind;
    r.ref_count = h.ref_count;
    handles_->push_back(std::move(r));
  }
  std::stable_sort(dependent_.begin(), dependent_.end());
}

const std::vector<Root>& Roots::HandleRoots() {
  LoadHandles();
  return *handles_;
}

const std::vector<std::pair<uint64_t, uint64_t>>& Roots::DependentHandles() {
  LoadHandles();
  return dependent_;
}

bool Roots::IsDependentLink(uint64_t source, uint64_t target) {
  const auto& d = DependentHandles();
  return std::binary_search(d.begin(), d.end(), std::make_pair(source, target));
}

const std::vector<Root>& Roots::FinalizerRoots() {
  if (finalizer_) return *finalizer_;
  finalizer_.emplace();
  for (const GcSubHeap& sub : heap_.sub_heaps()) {
    const auto& fp = sub.finalization_pointers;
    const size_t first = sub.has_regions() ? 4 : 3;
    if (fp.size() <= first + 2) continue;
    for (uint64_t slot = fp[first]; slot < fp[first + 2]; slot += 8) {
      const uint64_t object = heap_.ReadPointer(slot).value_or(0);
      if (object == 0) continue;
      auto mt = heap_.ReadPointer(object);
      if (!mt || !heap_.Type(*mt & ~uint64_t{1})) continue;
      Root r;
      r.kind = RootKind::kFinalizer;
      r.address = slot;
      r.object = object;
      finalizer_->push_back(r);
    }
  }
  return *finalizer_;
}

Root Roots::StackRoot(const StackReference& ref, uint32_t os_thread,
                      const std::vector<size_t>& thread_frames) {
  Root r;
  r.kind = RootKind::kStack;
  r.address = ref.address;
  r.os_thread = os_thread;
  const uint64_t ip = ref.source_type == kSourceIsIp ? ref.source : 0;
  const uint64_t frame = ref.source_type == kSourceIsFrame ? ref.source : 0;
  r.frame = frames_.size();
  for (size_t index : thread_frames) {
    const RootFrame& f = frames_[index];
    const bool runtime_frame = !f.frame_name.empty();
    if (runtime_frame ? (f.sp == ref.stack_pointer || f.sp == frame)
                      : (f.ip == ip && f.sp == ref.stack_pointer)) {
      r.frame = index;
      break;
    }
  }
  if (r.frame == frames_.size()) {
    RootFrame unknown;
    unknown.sp = ref.stack_pointer;
    unknown.ip = ip;
    frames_.push_back(std::move(unknown));
  }
  if (ref.has_register) {
    r.has_register = true;
    r.register_name = RegisterName(ref.reg);
    r.register_offset = ref.offset;
  }
  r.object = ref.object;
  if (ref.flags & kInteriorFlag) {
    uint64_t object = ref.object;
    const GcSegment* seg = heap_.SegmentOf(object);
    if (!seg) {
      if (auto inner = heap_.ReadPointer(object)) {
        seg = heap_.SegmentOf(*inner);
        if (seg) object = *inner;
      }
    }
    if (!seg) {
      r.object = 0;
      r.frame = SIZE_MAX;  // dropped by the caller
      return r;
    }
    uint64_t previous = 0;
    heap_.Walk(*seg, [&](const HeapObject& o) {
      if (o.address > object) return false;
      previous = o.address;
      return true;
    });
    r.object = previous;
  }
  return r;
}

const std::vector<Root>& Roots::StackRoots() {
  if (stacks_) return *stacks_;
  stacks_.emplace();
  auto threads = runtime_.GetThreads();
  if (!threads) return *stacks_;
  std::vector<uint32_t> alive;
  for (const ManagedThread& t : *threads) {
    if (t.os_id != 0 && !(t.state & (kThreadUnstarted | kThreadDead))) alive.push_back(t.os_id);
  }
  const auto all_refs = IsolatedStackReferences(runtime_, alive);
  for (size_t i = 0; i < alive.size(); ++i) {
    const uint32_t os_id = alive[i];
    const auto& refs = all_refs[i];
    if (!refs || refs->empty()) continue;
    std::vector<size_t> thread_frames;
    if (auto walk = runtime_.WalkStack(os_id, StackWalkOptions{})) {
      for (const StackFrame& f : *walk) {
        RootFrame rf;
        rf.sp = f.frame_address ? f.frame_address : f.sp;
        rf.ip = f.ip;
        rf.frame_name = f.frame_address ? (f.frame_name.empty() ? "Frame" : f.frame_name) : "";
        rf.has_method = f.method_desc != 0;
        rf.method_name = f.method_name;
        rf.method_token = f.method_token;
        rf.module_path = f.module_path;
        // dotnet-dump takes the first IL map entry whose range holds the
        // address, ends included: at a boundary that is the earlier entry,
        // the one that holds the byte before.
        rf.il_offset = f.il_offset_before ? f.il_offset_before : f.il_offset;
        thread_frames.push_back(frames_.size());
        frames_.push_back(std::move(rf));
      }
    }
    for (const StackReference& ref : *refs) {
      if (ref.object == 0) continue;
      Root r = StackRoot(ref, os_id, thread_frames);
      if (r.frame != SIZE_MAX) stacks_->push_back(std::move(r));
    }
  }
  return *stacks_;
}

std::vector<const Root*> Roots::AllRoots() {
  std::vector<const Root*> all;
  for (const Root& r : HandleRoots()) all.push_back(&r);
  for (const Root& r : FinalizerRoots()) all.push_back(&r);
  // Walking every root is how dotnet-dump reaches stacks without their own
  // notice.
  stack_notice_given_ = true;
  for (const Root& r : StackRoots()) all.push_back(&r);
  return all;
}

const AddressSet& Roots::Live(size_t& root_count) {
  const std::vector<const Root*> all = AllRoots();
  root_count = all.size();
  if (!live_) live_ = Reachable(all);
  return *live_;
}

const AddressSet& Roots::LiveWithoutFinalizer() {
  if (live_without_finalizer_) return *live_without_finalizer_;
  std::vector<const Root*> roots;
  for (const Root& r : StackRoots()) roots.push_back(&r);
  for (const Root& r : HandleRoots()) roots.push_back(&r);
  live_without_finalizer_ = Reachable(roots);
  return *live_without_finalizer_;
}

std::unique_ptr<AddressSet> Roots::Reachable(const std::vector<const Root*>& roots) {
  auto set = std::make_unique<AddressSet>(heap_);
  std::vector<uint64_t> todo;
  for (const Root* r : roots) {
    if (set->Insert(r->object)) todo.push_back(r->object);
  }
  // The set does not depend on the visiting order, so a stack serves.
  uint64_t visited = 0;
  while (!todo.empty()) {
    const uint64_t address = todo.back();
    todo.pop_back();
    // As the root search: reads jump all over the heap, so mapped pages
    // are let go now and then.
    if ((++visited & kSearchReleaseMask) == 0) heap_.ReleaseResident();
    const HeapObject object = heap_.ObjectAt(address, nullptr);
    ForEachReference(object, [&](uint64_t target) {
      if (!set->Insert(target)) return;
      heap_.Prefetch(target);
      todo.push_back(target);
    });
  }
  return set;
}

}  // namespace clrdump::runtime
