// `notreachableinrange`: finalizequeue's helper. It reads a range of object
// pointers (a finalization queue, typically) and lists, as dumpheap does,
// the objects nothing keeps alive, or with -nofinalizer those only the
// finalizer queue keeps alive.
#include <fmt/format.h>

#include "commands/address.h"
#include "commands/command.h"
#include "commands/dumpheap_service.h"
#include "commands/families.h"
#include "commands/roots_output.h"
#include "commands/target.h"

namespace clrdump::cmd {
namespace {

Error Invalid(std::string message) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(message));
}

// dotnet-dump's caching notices for the stack and handle roots, in the order
// it asks for them.
void NoteNonFinalizerRootCaching(CommandContext& ctx, runtime::Roots& roots) {
  if (roots.TakeStackCachingNotice()) {
    ctx.out << "Caching GC stack roots, this may take a while.\n"
               "Subsequent runs of this command will be faster.\n\n";
  }
  roots.StackRoots();
  NoteRootCaching(ctx, roots);
}

// The liveness set the command needs, computed (and announced) the first
// time an object of the range asks for it.
class Liveness {
 public:
  Liveness(CommandContext& ctx, bool no_finalizer) : ctx_(ctx), no_finalizer_(no_finalizer) {}

  Result<bool> IsLive(uint64_t address) {
    if (!set_) {
      auto set = Compute();
      if (!set) return set.error();
      set_ = *set;
    }
    return set_->Contains(address);
  }

 private:
  Result<const runtime::AddressSet*> Compute() {
    if (!no_finalizer_) return LiveObjects(ctx_, true);
    auto roots = ctx_.target.roots();
    if (!roots) return roots.error();
    NoteNonFinalizerRootCaching(ctx_, **roots);
    return &(*roots)->LiveWithoutFinalizer();
  }

  CommandContext& ctx_;
  bool no_finalizer_;
  const runtime::AddressSet* set_ = nullptr;
};

Status RunNotReachableInRange(CommandContext& ctx, const ParsedArgs& args) {
  const std::string start_text = args.Value("start").value_or("");
  const auto start = TryParseAddress(start_text);
  if (!start) return Invalid("Could not parse start address: " + start_text);
  const std::string end_text = args.Value("end").value_or("");
  const auto end = TryParseAddress(end_text);
  if (!end) return Invalid("Could not parse end address: " + end_text);
  auto heap = ctx.target.heap();
  if (!heap) return heap.error();
  auto rt = ctx.target.runtime();
  if (!rt) return rt.error();
  runtime::ManagedHeap& h = **heap;
  HeapPrintOptions print;
  print.display = args.Has("-short") ? HeapDisplay::kShort : HeapDisplay::kNormal;
  HeapPrinter printer(ctx, h, **rt, print);
  Liveness liveness(ctx, args.Has("-nofinalizer"));
  // Objects are printed as the slots are read, so what came before an
  // unreadable slot stays printed, without the statistics.
  for (uint64_t slot = *start & ~uint64_t{7}; slot < *end; slot += 8) {
    if (ctx.cancelled()) return Ok{};
    const auto address = h.ReadPointer(slot);
    if (!address) {
      return MakeError(ErrorCode::kNotFound, fmt::format("Could not read pointer {:x}", slot));
    }
    const runtime::GcSegment* segment = h.SegmentOf(*address);
    const runtime::HeapObject object = h.ObjectAt(*address, segment);
    if (!object.valid()) {
      ctx.out << fmt::format("Warning: {:x} is not a valid object\n", *address);
    }
    auto live = liveness.IsLive(*address);
    if (!live) return live.error();
    if (!*live) printer.Add(object, segment);
  }
  printer.Finish();
  return Ok{};
}

}  // namespace

void AddNotReachableInRangeCommand(Registry& registry) {
  registry.Add({"notreachableinrange",
                {},
                "A helper command for !finalizerqueue",
                {{{"-short"}, "", ValueType::kFlag}, {{"-nofinalizer"}, "", ValueType::kFlag}},
                {ArgumentSpec{"start", "", ValueType::kString, false},
                 ArgumentSpec{"end", "", ValueType::kString, false}},
                RunNotReachableInRange});
}

}  // namespace clrdump::cmd
