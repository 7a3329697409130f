// `objsize`: the objects an object (or every object of a MethodTable)
// keeps alive, listed and summed as dotnet-dump's dumpheap prints them.
#include <fmt/format.h>

#include "commands/address.h"
#include "commands/command.h"
#include "commands/families.h"
#include "commands/heap_listing.h"
#include "commands/target.h"
#include "runtime/roots.h"

namespace clrdump::cmd {
namespace {

using runtime::HeapObject;

Error ArgumentError(std::string message) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(message));
}

// Breadth first from each start object, as ObjSizeCommand walks.
std::vector<HeapObject> TransitiveClosure(CommandContext& ctx, runtime::Roots& roots,
                                          const std::vector<HeapObject>& starts) {
  runtime::ManagedHeap& heap = roots.heap();
  runtime::AddressSet seen(heap);
  std::vector<HeapObject> result;
  for (const HeapObject& start : starts) {
    if (!start.valid() || !seen.Insert(start.address)) continue;
    size_t next = result.size();
    result.push_back(start);
    while (next < result.size() && !ctx.cancelled()) {
      const HeapObject parent = result[next++];
      roots.ForEachReference(parent, [&](uint64_t target) {
        HeapObject child = heap.ObjectAt(target, nullptr);
        if (child.valid() && seen.Insert(target)) result.push_back(child);
      });
    }
  }
  return result;
}

Status RunObjSize(CommandContext& ctx, const ParsedArgs& args) {
  auto roots = ctx.target.roots();
  if (!roots) return roots.error();
  runtime::ManagedHeap& heap = (*roots)->heap();
  std::vector<HeapObject> starts;
  const std::string mt_text = args.Value("-mt").value_or("");
  if (!mt_text.empty()) {
    const auto mt = TryParseAddress(mt_text);
    if (!mt) return ArgumentError("Could not parse method table: " + mt_text);
    for (const runtime::GcSegment* segment : heap.segments()) {
      heap.Walk(*segment, [&](const HeapObject& object) {
        if (object.valid() && object.method_table == *mt) starts.push_back(object);
        return !ctx.cancelled();
      });
    }
    const std::string& name = heap.Type(*mt) ? heap.TypeName(*mt) : std::string();
    ctx.out << "Objects which (" << (name.empty() ? "<unknown type>" : name)
            << ") transitively keep alive:\n\n";
  } else {
    const auto address = TryParseAddress(args.Value("address").value_or(""));
    if (!address) return ArgumentError("Could not parse target object address: 0");
    const HeapObject object = heap.ObjectAt(*address, nullptr);
    if (!object.valid()) {
      ctx.out << fmt::format("{:x} is not a valid object\n", *address);
      return Ok{};
    }
    const std::string& name = heap.TypeName(object.method_table);
    ctx.out << fmt::format("Objects which {:x} ({}) transitively keep alive:\n\n", *address,
                           name.empty() ? "<unknown type>" : name);
    starts.push_back(object);
  }
  const std::vector<HeapObject> closure = TransitiveClosure(ctx, **roots, starts);
  if (ctx.cancelled()) return Ok{};
  // As dotnet-dump: -strings wins over -short.
  HeapDisplay display = HeapDisplay::kNormal;
  if (args.Has("-strings")) {
    display = HeapDisplay::kStrings;
  } else if (args.Has("-short")) {
    display = HeapDisplay::kShort;
  }
  return PrintHeapObjects(ctx, heap, closure, args.Has("-stat"), display);
}

}  // namespace

void AddObjSizeCommand(Registry& registry) {
  registry.Add({"objsize",
                {"ObjSize"},
                "Lists the sizes of the all the objects found on managed threads.",
                {{{"-short"}, "", ValueType::kFlag},
                 {{"-strings"}, "", ValueType::kFlag},
                 {{"-summary", "-stat"}, "", ValueType::kFlag},
                 {{"-mt"}, "", ValueType::kString}},
                ArgumentSpec{"address", "", ValueType::kString, false},
                RunObjSize});
}

}  // namespace clrdump::cmd
