// ClrMD's GCRoot search. Its depth-first order comes from how it stores
// pending references: 32-byte chunks holding the object, its parent and as
// many references as fit, each pointer packed into 5, 6 or 8 bytes. A full
// chunk is pushed and a new one started, so the search takes the last
// chunk's references first. The chunks are reproduced byte for byte here
// (including that a zero parent takes no room, so the "parent" read back is
// then the first reference) because the paths printed depend on them.
#include <cstring>

#include "runtime/roots.h"

namespace clrdump::runtime {
namespace {

constexpr size_t kChunkSize = 32;
constexpr uint64_t kFiveBytes = 2;
constexpr uint64_t kSixBytes = 1;
constexpr uint64_t kEndMark = 3;
constexpr uint64_t kPointerMask = ~uint64_t{3};

}  // namespace

struct PathFinder::Chunk {
  uint8_t data[kChunkSize];

  // The offset after the stored value, or 0 when it does not fit.
  uint8_t StoreRaw(uint64_t value, uint8_t offset, size_t bytes) {
    if (kChunkSize - offset < bytes) return 0;
    std::memcpy(data + offset, &value, bytes);
    const size_t after = offset + bytes;
    if (after < kChunkSize) data[after] = static_cast<uint8_t>(kEndMark);
    return static_cast<uint8_t>(after);
  }
  uint8_t Store(uint64_t pointer, uint8_t offset) {
    pointer &= kPointerMask;
    if (pointer == 0) return offset;
    if ((pointer & 0xffffffffffULL) == pointer) return StoreRaw(pointer | kFiveBytes, offset, 5);
    if ((pointer & 0xffffffffffffULL) == pointer) return StoreRaw(pointer | kSixBytes, offset, 6);
    return StoreRaw(pointer, offset, 8);
  }
  uint64_t ReadAt(uint8_t& offset) const {
    if (offset >= kChunkSize) return 0;
    size_t bytes = 8;
    switch (data[offset] & kEndMark) {
      case kSixBytes: bytes = 6; break;
      case kFiveBytes: bytes = 5; break;
      case kEndMark: return 0;
      default: break;
    }
    if (kChunkSize - offset < bytes) return 0;
    uint64_t value = 0;
    std::memcpy(&value, data + offset, bytes);
    offset = static_cast<uint8_t>(offset + bytes);
    return value & kPointerMask;
  }
  // Starts a chunk for `object`; returns where references go.
  uint8_t Init(uint64_t object, uint64_t parent) {
    uint8_t offset = Store(object, 1);
    offset = Store(parent, offset);
    data[0] = offset;
    return offset;
  }
  uint64_t Next() { return ReadAt(data[0]); }
  uint64_t Object() const {
    uint8_t offset = 1;
    return ReadAt(offset);
  }
  uint64_t Parent() const {
    uint8_t offset = 1;
    ReadAt(offset);
    return ReadAt(offset);
  }
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
  const HeapObject object = heap_.ObjectAt(current, nullptr);
  if (!object.valid() || !object.type->data.contains_pointers) return nullptr;
  references_.clear();
  roots_.ForEachReference(object, [&](uint64_t target) { references_.push_back(target); });
  Chunk chunk;
  bool started = false;
  uint8_t offset = 0;
  for (uint64_t reference : references_) {
    if (auto it = found_.find(reference); it != found_.end()) {
      const ChainLink* link = NewLink(current, it->second);
      found_[current] = link;
      // Pending references stay on the stack so cleanup forgets them.
      if (started) stack_.push_back(chunk);
      return link;
    }
    if (!seen_.Insert(reference)) continue;
    if (!started) {
      offset = chunk.Init(current, parent);
      started = true;
    }
    offset = chunk.Store(reference, offset);
    if (offset == 0) {
      stack_.push_back(chunk);
      offset = chunk.Store(reference, chunk.Init(current, parent));
    }
  }
  if (started) stack_.push_back(chunk);
  return nullptr;
}

}  // namespace clrdump::runtime
