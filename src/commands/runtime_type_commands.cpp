// `dumpruntimetypes`: the System.RuntimeType objects of the GC heap and the
// type handles they wrap, as dotnet-dump's managed DumpRuntimeTypeCommand
// prints them.
#include <fmt/format.h>

#include <memory>

#include "commands/command.h"
#include "commands/families.h"
#include "commands/sos_fields.h"
#include "commands/table.h"
#include "commands/target.h"

namespace clrdump::cmd {
namespace {

using runtime::GcSegment;
using runtime::HeapObject;
using runtime::ManagedHeap;

// A type handle with this bit set is a TypeDesc, not a MethodTable.
constexpr uint64_t kTypeDescBit = 2;

// ClrMD gives each module the domain it was listed in; with one AppDomain
// that is the default domain.
uint64_t DefaultDomain(runtime::Runtime& rt) {
  auto store = rt.GetAppDomainStore();
  if (!store || store->domain_count <= 0) return 0;
  auto domains = rt.GetAppDomainList(store->domain_count);
  return domains && !domains->empty() ? domains->front() : 0;
}

class RuntimeTypePrinter {
 public:
  RuntimeTypePrinter(CommandContext& ctx, ManagedHeap& heap, runtime::Runtime& rt)
      : ctx_(ctx), heap_(heap), types_(ctx, rt), domain_(DefaultDomain(rt)) {}

  void Add(const HeapObject& object) {
    // Every RuntimeType shares one MethodTable: look the field up once.
    if (handle_offset_ == 0) {
      handle_offset_ = types_.InstanceFieldOffset(object.method_table, "m_handle");
    }
    if (handle_offset_ == 0) return;
    auto handle = heap_.ReadPointer(object.address + handle_offset_);
    if (!handle) return;
    std::string domain, name;
    if ((*handle & kTypeDescBit) == 0) {
      if (heap_.Type(*handle)) {
        name = heap_.TypeName(*handle);
        if (domain_) domain = PointerCell(domain_);
      } else {
        name = fmt::format("{}", *handle);  // the boxed handle's own text
      }
    } else {
      name = fmt::format("typehandle: {:x} (SOS does not support resolving typehandle names.)",
                         *handle);
    }
    if (!table_) {
      table_ = std::make_unique<Table>(
          ctx_.out, std::vector<Column>{columns::Pointer(), columns::Pointer(),
                                        columns::Pointer(), columns::TypeName()});
      table_->WriteHeader({"Address", "Domain", "MT", "Type Name"});
    }
    table_->WriteRow({PointerCell(object.address), domain, PointerCell(*handle), name});
  }

  void Finish() {
    if (!table_) ctx_.out << "No System.RuntimeType objects found.\n";
  }

 private:
  CommandContext& ctx_;
  ManagedHeap& heap_;
  TypeInspector types_;
  uint64_t domain_;
  uint64_t handle_offset_ = 0;
  std::unique_ptr<Table> table_;
};

Status RunDumpRuntimeTypes(CommandContext& ctx, const ParsedArgs&) {
  auto heap = ctx.target.heap();
  if (!heap) return heap.error();
  auto rt = ctx.target.runtime();
  if (!rt) return rt.error();
  ManagedHeap& h = **heap;
  RuntimeTypePrinter printer(ctx, h, **rt);
  for (const GcSegment* segment : h.segments()) {
    h.Walk(*segment, [&](const HeapObject& object) {
      if (ctx.cancelled()) return false;
      if (object.valid() && h.TypeName(object.method_table) == "System.RuntimeType") {
        printer.Add(object);
      }
      return true;
    });
    if (ctx.cancelled()) return Ok{};
  }
  printer.Finish();
  return Ok{};
}

}  // namespace

void AddRuntimeTypeCommands(Registry& registry) {
  registry.Add({"dumpruntimetypes",
                {"DumpRuntimeTypes"},
                "Finds all System.RuntimeType objects in the GC heap and prints the type name "
                "and MethodTable they refer to.",
                {},
                std::nullopt,
                RunDumpRuntimeTypes});
}

}  // namespace clrdump::cmd
