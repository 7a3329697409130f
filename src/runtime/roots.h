// The GC's roots as dotnet-dump's root cache sees them (strong handles, the
// finalizer queue's ready part, thread stacks), the liveness set built from
// them, and ClrMD's path search from a root to a target. Everything here is
// computed once per dump and kept by the command Target.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "base/result.h"
#include "runtime/gc_model.h"
#include "runtime/heap.h"
#include "runtime/runtime.h"

namespace clrdump::runtime {

enum class RootKind : uint8_t { kHandle, kFinalizer, kStack };

// A stack frame a stack root belongs to, as ClrMD names it.
struct RootFrame {
  uint64_t sp = 0;  // explicit frames: the Frame's address
  uint64_t ip = 0;
  std::string frame_name;  // explicit frames only
  bool has_method = false;
  std::string method_name;
  uint32_t method_token = 0;
  std::string module_path;
  std::optional<uint32_t> il_offset;
};

struct Root {
  RootKind kind = RootKind::kHandle;
  uint64_t address = 0;  // handle, queue slot or stack slot (0: a register)
  uint64_t object = 0;   // interior stack pointers: the containing object
  HandleKind handle_kind = HandleKind::kStrong;
  uint32_t ref_count = 0;
  // Stack roots.
  uint32_t os_thread = 0;
  size_t frame = 0;  // index into Roots::frames(); each root of an unknown frame has its own
  bool has_register = false;
  std::string register_name;
  int32_t register_offset = 0;
};

// A set of addresses: a bitmap at 8-byte granularity over each segment,
// a hash set for anything outside them.
// Searches whose reads jump all over the heap let the dump's mapped pages
// go each time this mask's worth of objects (a million) has been visited.
inline constexpr uint64_t kSearchReleaseMask = (uint64_t{1} << 20) - 1;

class AddressSet {
 public:
  explicit AddressSet(const ManagedHeap& heap);
  bool Insert(uint64_t address);  // false when already present
  bool Contains(uint64_t address) const;
  void Erase(uint64_t address);
  size_t size() const { return size_; }

 private:
  struct Range {
    uint64_t start = 0;
    uint64_t end = 0;
    size_t first_word = 0;
  };
  const Range* RangeOf(uint64_t address) const;
  std::vector<Range> ranges_;
  // Neighbouring objects are looked up together: the last range found.
  mutable const Range* last_ = nullptr;
  std::vector<uint64_t> bits_;
  std::unordered_set<uint64_t> others_;
  size_t size_ = 0;
};

class Roots {
 public:
  Roots(Runtime& runtime, ManagedHeap& heap) : runtime_(runtime), heap_(heap) {}

  // dotnet-dump says once per session that it is caching roots; the
  // caller prints the text when this returns true.
  bool TakeCachingNotice();
  bool caching_notice_due() const { return !notice_given_; }
  // Its notice for stack roots alone, due when they are first computed and
  // no walk of every root (which says nothing of stacks) came before.
  bool TakeStackCachingNotice();

  const std::vector<Root>& HandleRoots();
  const std::vector<Root>& FinalizerRoots();
  const std::vector<Root>& StackRoots();
  const std::vector<RootFrame>& frames() const { return frames_; }
  // All roots in dotnet-dump's order: handles, finalizer queue, stacks.
  std::vector<const Root*> AllRoots();

  // Dependent handles (primary, secondary), ordered by primary, stable.
  const std::vector<std::pair<uint64_t, uint64_t>>& DependentHandles();
  bool IsDependentLink(uint64_t source, uint64_t target);

  // The liveness set (LiveObjectService); nullptr until Live() built it.
  const AddressSet* live() const { return live_.get(); }
  // Builds it; `root_count` receives the number of roots walked.
  const AddressSet& Live(size_t& root_count);
  // What stack and handle roots alone keep alive: the objects that survive
  // once the finalizer queue lets go of its own (notreachableinrange
  // -nofinalizer). Computed on first use.
  const AddressSet& LiveWithoutFinalizer();

  // References of `address` as ClrMD's EnumerateReferenceAddresses gives
  // them: dependent handle targets first, then the GCDesc's.
  template <typename Visit>
  void ForEachReference(const HeapObject& object, Visit&& visit);

  ManagedHeap& heap() { return heap_; }

 private:
  void LoadHandles();
  // A set of everything reachable from `roots`.
  std::unique_ptr<AddressSet> Reachable(const std::vector<const Root*>& roots);
  Root StackRoot(const StackReference& ref, uint32_t os_thread,
                 const std::vector<size_t>& thread_frames);

  Runtime& runtime_;
  ManagedHeap& heap_;
  bool notice_given_ = false;
  bool stack_notice_given_ = false;
  std::optional<std::vector<Root>> handles_;
  std::optional<std::vector<Root>> finalizer_;
  std::optional<std::vector<Root>> stacks_;
  std::vector<RootFrame> frames_;
  std::vector<std::pair<uint64_t, uint64_t>> dependent_;
  std::unique_ptr<AddressSet> live_;
  std::unique_ptr<AddressSet> live_without_finalizer_;
};

template <typename Visit>
void Roots::ForEachReference(const HeapObject& object, Visit&& visit) {
  if (!object.valid()) return;
  const auto& dependent = DependentHandles();
  if (!dependent.empty()) {
    auto it = std::lower_bound(dependent.begin(), dependent.end(), object.address,
                               [](const auto& e, uint64_t a) { return e.first < a; });
    for (; it != dependent.end() && it->first == object.address; ++it) visit(it->second);
  }
  if (!object.type->data.contains_pointers) return;
  heap_.ForEachReference(object, [&](uint64_t, uint64_t target) { visit(target); });
}

// One step of ClrMD's GCRoot: the chain from an object to a target.
struct ChainLink {
  uint64_t object = 0;
  const ChainLink* next = nullptr;
};

// ClrMD's depth-first path search, with its memory of what was seen and
// found kept across the roots of one command, so its paths, and the roots
// it reports, are the same.
class PathFinder {
 public:
  PathFinder(Roots& roots, uint64_t target);
  ~PathFinder();
  // The path from `start` to the target, or nullptr.
  const ChainLink* FindPathFrom(uint64_t start);

 private:
  struct Chunk;
  const ChainLink* WalkObject(uint64_t parent, uint64_t current);
  const ChainLink* CleanupAndGetResult(const ChainLink* link, size_t current_chunk);
  void DrainUnwalked();
  const ChainLink* AddLink(const ChainLink* next, uint64_t object);
  const ChainLink* NewLink(uint64_t object, const ChainLink* next);

  Roots& roots_;
  ManagedHeap& heap_;
  uint64_t target_;
  AddressSet seen_;
  std::unordered_map<uint64_t, const ChainLink*> found_;
  std::vector<std::unique_ptr<ChainLink[]>> link_blocks_;
  size_t links_used_ = 0;
  std::vector<Chunk> stack_;
  std::vector<uint64_t> references_;  // reused by each WalkObject
  uint64_t walked_ = 0;
};

}  // namespace clrdump::runtime
