// ClrMD's GCRoot search. Its depth-first order comes from how it stores
// pending references: 32-byte chunks holding the object, its parent and as
// many references as fit, each pointer packed into 5, 6 or 8 bytes. A full
// chunk is pushed and a new one started, so the search takes the last
// chunk's references first. How much each chunk holds is reproduced here
// (including that a zero parent takes no room, so the "parent" read back is
// then the first reference) because the paths printed depend on it.
#include <cstring>

#include "runtime/roots.h"

namespace clrdump::runtime {
namespace {

constexpr size_t kChunkSize = 32;
constexpr uint64_t kPointerMask = ~uint64_t{3};

// The bytes ClrMD packs a pointer into: 0 for null, 5 or 6 when the high
// bytes are zero, else 8.
uint8_t PackedSize(uint64_t pointer) {
  if (pointer == 0) return 0;
  if ((pointer & 0xffffffffffULL) == pointer) return 5;
  if ((pointer & 0xffffffffffffULL) == pointer) return 6;
  return 8;
}

}  // namespace

// ClrMD keeps its search stack in 32-byte chunks of packed pointers: the
// object, its parent, then as many references as fit. Where an object's
// references split decides the search order (the newest chunk is searched
// first), and so the path found. The values are kept unpacked here, only
// their packed sizes are counted: unpacking cost a store-forwarding stall
// on every step.
struct PathFinder::Chunk {
  static constexpr size_t kMaxValues = (kChunkSize - 1) / 5;
  uint64_t values[kMaxValues];
  uint8_t count = 0;
  uint8_t bytes = 1;  // the packed size, counting ClrMD's offset byte
  uint8_t next = 0;

  // False when `pointer` does not fit; a null one is not stored.
  bool Add(uint64_t pointer) {
    pointer &= kPointerMask;
    const uint8_t size = PackedSize(pointer);
    if (size == 0) return true;
    if (kChunkSize - bytes < size) return false;
    values[count++] = pointer;
    bytes = static_cast<uint8_t>(bytes + size);
    return true;
  }
  void Init(uint64_t object, uint64_t parent) {
    count = 0;
    bytes = 1;
    Add(object);
    Add(parent);
    next = count;
  }
  uint64_t Next() { return next < count ? values[next++] : 0; }
  uint64_t Object() const { return count > 0 ? values[0] : 0; }
  // A root's chunk stores no parent: ClrMD then reads its first reference
  // as the parent, and so do we.
  uint64_t Parent() const { return count > 1 ? values[1] : 0; }
};

PathFinder::PathFinder(Roots& roots, uint64_t target)
    : roots_(roots), heap_(roots.heap()), target_(target), seen_(roots.heap()) {}

PathFinder::~PathFinder() = default;

const ChainLink* PathFinder::NewLink(uint64_t object, const ChainLink* next) {
  constexpr size_t kBlock = 1024;
  if (link_blocks_.empty() || links_used_ == kBlock) {
    link_blocks_.push_back(std::make_unique<ChainLink[]>(kBlock));
    links_used_ = 0;
  }
  ChainLink* link = &link_blocks_.back()[links_used_++];
  link->object = object;
  link->next = next;
  return link;
}

const ChainLink* PathFinder::AddLink(const ChainLink* next, uint64_t object) {
  const ChainLink* link;
  if (auto it = found_.find(object); it != found_.end()) {
    link = it->second;
  } else {
    link = NewLink(object, next);
    found_[object] = link;
  }
  seen_.Erase(object);
  return link;
}

const ChainLink* PathFinder::FindPathFrom(uint64_t start) {
  if (auto it = found_.find(start); it != found_.end()) return it->second;
  if (start == target_) {
    const ChainLink* link = NewLink(start, nullptr);
    found_[start] = link;
    return link;
  }
  const HeapObject object = heap_.ObjectAt(start, nullptr);
  if (!object.valid() || !object.type->data.contains_pointers) return nullptr;
  stack_.clear();
  if (const ChainLink* link = WalkObject(0, start)) {
    DrainUnwalked();
    return link;
  }
  while (!stack_.empty()) {
    const size_t top = stack_.size() - 1;
    const uint64_t child = stack_[top].Next();
    if (child == 0) {
      stack_.pop_back();
      continue;
    }
    if (const ChainLink* link = WalkObject(stack_[top].Object(), child)) {
      return CleanupAndGetResult(link, top);
    }
  }
  return nullptr;
}

const ChainLink* PathFinder::CleanupAndGetResult(const ChainLink* link, size_t current_chunk) {
  uint64_t object = stack_[current_chunk].Object();
  uint64_t parent = stack_[current_chunk].Parent();
  link = AddLink(link, object);
  for (size_t i = stack_.size(); i-- > 0;) {
    const uint64_t owner = stack_[i].Object();
    if (owner == object) continue;  // several chunks of one object
    object = owner;
    if (object == parent) {
      link = AddLink(link, object);
      parent = stack_[i].Parent();
    } else {
      // Not on the path and not finished: the next search walks it again.
      seen_.Erase(object);
    }
  }
  DrainUnwalked();
  return link;
}

void PathFinder::DrainUnwalked() {
  for (Chunk& chunk : stack_) {
    for (uint64_t child; (child = chunk.Next()) != 0;) seen_.Erase(child);
  }
  stack_.clear();
}

const ChainLink* PathFinder::WalkObject(uint64_t parent, uint64_t current) {
  if (current == target_) {
    const ChainLink* link = NewLink(current, nullptr);
    found_[current] = link;
    return link;
  }
  // The search reads all over the heap and each read maps 64 KB in: let
  // the pages go now and then so memory stays bounded.
  if ((++walked_ & kSearchReleaseMask) == 0) heap_.ReleaseResident();
  const HeapObject object = heap_.ObjectAt(current, nullptr);
  if (!object.valid() || !object.type->data.contains_pointers) return nullptr;
  references_.clear();
  roots_.ForEachReference(object, [&](uint64_t target) { references_.push_back(target); });
  Chunk chunk;
  bool started = false;
  for (uint64_t reference : references_) {
    if (auto it = found_.find(reference); it != found_.end()) {
      const ChainLink* link = NewLink(current, it->second);
      found_[current] = link;
      // Pending references stay on the stack so cleanup forgets them.
      if (started) stack_.push_back(chunk);
      return link;
    }
    if (!seen_.Insert(reference)) continue;
    heap_.Prefetch(reference);
    if (!started) {
      chunk.Init(current, parent);
      started = true;
    }
    if (!chunk.Add(reference)) {
      stack_.push_back(chunk);
      chunk.Init(current, parent);
      chunk.Add(reference);
    }
  }
  if (started) stack_.push_back(chunk);
  return nullptr;
}

}  // namespace clrdump::runtime
