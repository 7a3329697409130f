// `gcroot` and `pathto`: chains of references from the GC's roots (or from
// an object) to an object, found and printed as dotnet-dump does.
#include <fmt/format.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "commands/address.h"
#include "commands/command.h"
#include "commands/families.h"
#include "commands/heap_filter.h"
#include "commands/roots_output.h"
#include "commands/table.h"
#include "commands/target.h"

namespace clrdump::cmd {

using runtime::ChainLink;
using runtime::HandleKind;
using runtime::PathFinder;
using runtime::Root;
using runtime::RootKind;
using runtime::Roots;

void NoteRootCaching(CommandContext& ctx, Roots& roots) {
  if (roots.TakeCachingNotice()) {
    ctx.out << "Caching GC roots, this may take a while.\n"
               "Subsequent runs of this command will be faster.\n\n";
  }
}

Result<const runtime::AddressSet*> LiveObjects(CommandContext& ctx, bool print) {
  auto roots = ctx.target.roots();
  if (!roots) return roots.error();
  Roots& r = **roots;
  if (r.live()) return r.live();
  if (print) ctx.out << "Calculating live objects, this may take a while...\n";
  NoteRootCaching(ctx, r);
  size_t root_count = 0;
  const runtime::AddressSet& live = r.Live(root_count);
  if (print) {
    ctx.out << "Calculating live objects complete: " << IntegerCell(uint64_t{live.size()})
            << " objects from " << IntegerCell(uint64_t{root_count}) << " roots\n";
  }
  return &live;
}

namespace {

// gcroot's label for the second link of a path whose first object is an
// Object[] (the runtime keeps statics in such arrays): the static variable
// at a slot of the array holding that link, the first slot with one. The
// slot's address is taken as dotnet-dump takes it, from a ClrMD reference
// offset that leaves out the MethodTable pointer: a pointer's size short,
// so the label names the static stored just before the link's own.
std::string StaticLabel(runtime::ManagedHeap& heap, runtime::StaticVariables& statics,
                        const runtime::HeapObject& array, uint64_t object) {
  constexpr uint64_t kPointerSize = 8;
  std::vector<uint64_t> slots;
  heap.ForEachReference(array, [&](uint64_t slot, uint64_t target) {
    if (target == object) slots.push_back(slot);
  });
  for (uint64_t slot : slots) {
    if (auto field = statics.Find(slot - kPointerSize)) return "(static variable: " + *field + ")";
  }
  return "";
}

bool IsObjectArray(runtime::ManagedHeap& heap, const runtime::HeapObject& object) {
  return object.valid() && object.type->data.component_size != 0 &&
         heap.TypeName(object.method_table) == "System.Object[]";
}

}  // namespace

void PrintChain(CommandContext& ctx, Roots& roots, const ChainLink* link,
                runtime::StaticVariables* statics) {
  Table table(ctx.out, {columns::Text().WithWidth(2), {Align::kLeft, 16, false, false},
                        {Align::kLeft, -1, true, true}, columns::Text()});
  table.set_indent(std::string(10, ' '));
  runtime::ManagedHeap& heap = roots.heap();
  uint64_t previous = 0;
  runtime::HeapObject first_object;
  bool possible_static = false;
  for (bool first = true; link; link = link->next, first = false) {
    const runtime::HeapObject object = heap.ObjectAt(link->object, nullptr);
    std::string name = "Unknown";
    if (object.type) {
      name = heap.TypeName(object.method_table);
      if (name.empty()) name = fmt::format("Unknown (MethodTable: {:012x})", object.method_table);
    }
    const bool dependent = roots.IsDependentLink(previous, link->object);
    std::string note = dependent ? "(dependent handle)" : "";
    if (first) {
      first_object = object;
      possible_static = IsObjectArray(heap, object);
    } else if (possible_static) {
      if (statics && !dependent) note = StaticLabel(heap, *statics, first_object, link->object);
      possible_static = false;
    }
    table.WriteRow({"->", PointerCell(link->object), name, note});
    previous = link->object;
  }
}

namespace {

const char* GenerationName(Generation g) {
  switch (g) {
    case Generation::kGen0: return "Generation0";
    case Generation::kGen1: return "Generation1";
    case Generation::kGen2: return "Generation2";
    case Generation::kLarge: return "Large";
    case Generation::kPinned: return "Pinned";
    case Generation::kFrozen: return "Frozen";
    case Generation::kUnknown: break;
  }
  return "Unknown";
}

const char* HandleName(HandleKind kind) {
  switch (kind) {
    case HandleKind::kWeakShort: return "weak short handle";
    case HandleKind::kWeakLong: return "weak long handle";
    case HandleKind::kStrong: return "strong handle";
    case HandleKind::kPinned: return "pinned handle";
    case HandleKind::kRefCounted: return "ref counted handle";
    case HandleKind::kDependent: return "dependent handle";
    case HandleKind::kAsyncPinned: return "async pinned handle";
    case HandleKind::kSizedRef: return "sized ref handle";
    case HandleKind::kWeakWinRT: return "weak WinRT handle";
    case HandleKind::kVariable: return "Variable";
    case HandleKind::kWeakInteriorPointer: return "WeakInteriorPointer";
    case HandleKind::kCrossReference: return "CrossReference";
  }
  return "Unknown";
}

// Prints roots the way GCRootCommand does, remembering the previous one to
// group them under thread, frame and kind headers.
class RootPrinter {
 public:
  RootPrinter(CommandContext& ctx, Roots& roots, runtime::StaticVariables* statics)
      : ctx_(ctx), roots_(roots), statics_(statics) {}

  void Print(const Root& root, const ChainLink* path) {
    PrintRoot(root);
    PrintChain(ctx_, roots_, path, statics_);
    ctx_.out << "\n";
    last_ = &root;
  }

 private:
  void PrintRoot(const Root& root) {
    switch (root.kind) {
      case RootKind::kStack: PrintStackRoot(root); break;
      case RootKind::kFinalizer:
        if (!last_ || last_->kind != RootKind::kFinalizer) ctx_.out << "Finalizer Queue:\n";
        ctx_.out << fmt::format("    {:016x} (finalizer root)\n", root.address);
        break;
      case RootKind::kHandle: {
        if (!last_ || last_->kind != RootKind::kHandle) ctx_.out << "HandleTable:\n";
        std::string line = fmt::format("    {:016x} ({}", root.address, HandleName(root.handle_kind));
        if (root.handle_kind == HandleKind::kRefCounted) {
          line += " RefCount: " + IntegerCell(uint64_t{root.ref_count});
        }
        ctx_.out << line << ")\n";
        break;
      }
    }
  }

  void PrintStackRoot(const Root& root) {
    const Root* last = last_ && last_->kind == RootKind::kStack ? last_ : nullptr;
    if (!last || last->os_thread != root.os_thread) {
      ctx_.out << fmt::format("Thread {:x}:\n", root.os_thread);
    }
    if (!last || last->frame != root.frame) ctx_.out << FrameLine(roots_.frames()[root.frame]) << "\n";
    std::string line = "        ";
    if (root.has_register) {
      line += root.register_name;
      if (root.register_offset > 0) line += fmt::format("+{:x}", root.register_offset);
      if (root.register_offset < 0) line += fmt::format("-{:x}", -int64_t{root.register_offset});
      line += ':';
    }
    if (root.address != 0) line += fmt::format(" {:016x}", root.address);
    ctx_.out << line << "\n";
  }

  std::string FrameLine(const runtime::RootFrame& f) {
    std::string line = fmt::format("    {:x}", f.sp);
    if (f.ip != 0) line += fmt::format(" {:x}", f.ip);
    const bool named = !f.frame_name.empty();
    if (named) line += " [" + f.frame_name + "] ";
    if (!f.has_method) return line;
    line += named ? " (" : " ";
    line += f.method_name.empty() ? "UnknownType.UnknownMethod(...)" : f.method_name;
    if (named) line += ")";
    if (f.il_offset) {
      if (auto source = ctx_.target.source_lines().Find(f.module_path, f.method_token,
                                                        *f.il_offset)) {
        line += fmt::format(" [{} @ {}]", source->document, source->line);
      }
    }
    return line;
  }

  CommandContext& ctx_;
  Roots& roots_;
  runtime::StaticVariables* statics_;
  const Root* last_ = nullptr;
};

Error ArgumentError(std::string message) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(message));
}

// `-gcgen`: an object older than the condemned generation survives; the
// roots of gen 0 and 1 collections come from the GC's internal root array,
// which only a findroots stop during a collection fills, never a dump.
// Returns the command's end, or nullopt to search as without the option.
std::optional<Status> ForGeneration(CommandContext& ctx, runtime::ManagedHeap& heap,
                                    uint64_t address, int gen) {
  const runtime::GcSegment* segment = heap.SegmentOf(address);
  if (!segment) {
    return ArgumentError(fmt::format("Address {:x} is not in the managed heap.", address));
  }
  const Generation object_gen = GenerationOf(*segment, address);
  if (gen < static_cast<int>(object_gen)) {
    ctx.out << fmt::format("Object {:x} will survive this collection:\n"
                           "    gen({:x}) = {} > {} = condemned generation.\n",
                           address, address, GenerationName(object_gen), gen);
    return Status{Ok{}};
  }
  if (gen == 0 || gen == 1) {
    return MakeError(ErrorCode::kNotFound,
                     fmt::format("Could not gather needed data, possibly due to memory "
                                 "constraints in the debuggee.\nTo try again, re-issue the "
                                 "'!findroots -gen {}' command.",
                                 gen));
  }
  return std::nullopt;
}

Status RunGcRoot(CommandContext& ctx, const ParsedArgs& args) {
  const std::string text = args.Value("target").value_or("");
  const auto address = TryParseAddress(text);
  if (!address) return ArgumentError("Could not parse target object address: " + text);
  auto roots = ctx.target.roots();
  if (!roots) return roots.error();
  Roots& r = **roots;
  runtime::ManagedHeap& heap = r.heap();
  const bool valid = heap.ObjectAt(*address, nullptr).valid();
  const bool no_stacks = args.Has("-nostacks");
  if (auto gen = args.Value("-gcgen")) {
    if (auto done = ForGeneration(ctx, heap, *address, std::atoi(gen->c_str()))) return *done;
  }
  // dotnet-dump's warning has no line end and shows only when another
  // warning (the caching notice) follows it.
  if (!valid && r.caching_notice_due()) {
    ctx.out << fmt::format("Warning: {:x} is not a valid object", *address);
  }
  const uint64_t limit = args.Value("-limit") ? std::strtoull(args.Value("-limit")->c_str(),
                                                              nullptr, 10)
                                              : UINT64_MAX;
  NoteRootCaching(ctx, r);
  PathFinder finder(r, *address);
  auto statics = ctx.target.statics();
  RootPrinter printer(ctx, r, statics ? *statics : nullptr);
  uint64_t count = 0;
  auto visit = [&](const std::vector<Root>& list) {
    for (const Root& root : list) {
      if (count >= limit || ctx.cancelled()) return;
      if (const ChainLink* path = finder.FindPathFrom(root.object)) {
        printer.Print(root, path);
        ++count;
      }
    }
  };
  visit(r.HandleRoots());
  visit(r.FinalizerRoots());
  if (!no_stacks) visit(r.StackRoots());
  ctx.out << "Found " << IntegerCell(count) << " unique roots.\n";
  return Ok{};
}

Status RunPathTo(CommandContext& ctx, const ParsedArgs& args) {
  const auto source = TryParseAddress(args.Value("source").value_or(""));
  if (!source) return ArgumentError("Could not parse argument 'source': 0");
  const auto target = TryParseAddress(args.Value("target").value_or(""));
  if (!target) return ArgumentError("Could not parse argument 'target': 0");
  auto roots = ctx.target.roots();
  if (!roots) return roots.error();
  Roots& r = **roots;
  if (!r.heap().ObjectAt(*source, nullptr).valid()) {
    ctx.out << fmt::format("Source address {:x} is not a valid object.\n", *source);
    return Ok{};
  }
  PathFinder finder(r, *target);
  const ChainLink* path = finder.FindPathFrom(*source);
  // The dependent-handle notes need the handle list, which is when
  // dotnet-dump says it caches roots.
  if (path) {
    NoteRootCaching(ctx, r);
    PrintChain(ctx, r, path, nullptr);
  } else {
    ctx.out << fmt::format("Could not find a path from {:x} to {:x}\n", *source, *target);
  }
  return Ok{};
}

}  // namespace

void AddRootCommands(Registry& registry) {
  registry.Add({"gcroot",
                {"GCRoot"},
                "Displays info about references (or roots) to an object at the specified "
                "address.",
                {{{"-gcgen"}, "Implementation helper for !findroots.", ValueType::kInt32},
                 {{"-nostacks"}, "Do not use stack roots.", ValueType::kFlag},
                 {{"-limit"}, "Limits the amount of roots to find", ValueType::kInt32}},
                ArgumentSpec{"target", "", ValueType::kString, false},
                RunGcRoot});
  registry.Add({"pathto",
                {"PathTo"},
                "Displays the GC path from <root> to <target>.",
                {},
                {ArgumentSpec{"source", "", ValueType::kString, false},
                 ArgumentSpec{"target", "", ValueType::kString, false}},
                RunPathTo});
}

}  // namespace clrdump::cmd
