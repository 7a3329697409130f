// `dumpruntimetypes`: the System.RuntimeType objects of the GC heap and the
// type handles they wrap, as dotnet-dump's managed DumpRuntimeTypeCommand
// prints them.
#include <fmt/format.h>

#include <memory>

#include "commands/command.h"
#include "commands/families.h"
#include "commands/table.h"
#include "commands/target.h"

namespace clrdump::cmd {
namespace {

using runtime::GcSegment;
using runtime::HeapObject;
using runtime::ManagedHeap;

// Where CoreCLR lays out RuntimeType.m_handle: after the object reference
// m_keepalive and the pointer m_cache (reference fields first, then the
// others in declaration order).
constexpr uint64_t kRuntimeTypeHandleOffset = 0x18;
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
  RuntimeTypePrinter(CommandContext& ctx, ManagedHeap& heap, uint64_t domain)
      : ctx_(ctx), heap_(heap), domain_(domain) {}

  void Add(const HeapObject& object) {
    auto handle = heap_.ReadPointer(object.address + kRuntimeTypeHandleOffset);
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
  uint64_t domain_;
  std::unique_ptr<Table> table_;
};

Status RunDumpRuntimeTypes(CommandContext& ctx, const ParsedArgs&) {
  auto heap = ctx.target.heap();
  if (!heap) return heap.error();
  auto rt = ctx.target.runtime();
  if (!rt) return rt.error();
  ManagedHeap& h = **heap;
  RuntimeTypePrinter printer(ctx, h, DefaultDomain(**rt));
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
