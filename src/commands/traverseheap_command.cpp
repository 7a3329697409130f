// `traverseheap`: the GC heap written to a file for the CLR Profiler (its
// text format) or as XML, as dotnet-dump's managed TraverseHeapCommand
// writes them: types, then roots, then each object with its references.
#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <unordered_map>

#include "commands/command.h"
#include "commands/families.h"
#include "commands/roots_output.h"
#include "commands/target.h"

namespace clrdump::cmd {
namespace {

using runtime::HeapObject;
using runtime::ManagedHeap;
using runtime::Root;
using runtime::RootKind;
using runtime::Roots;

std::string Hex(uint64_t value) { return fmt::format("0x{:016x}", value); }

// What .NET's XmlWriter escapes in an attribute value.
std::string XmlAttribute(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\t': out += "&#x9;"; break;
      case '\n': out += "&#xA;"; break;
      case '\r': out += "&#xD;"; break;
      default: out += c;
    }
  }
  return out;
}

const char* KindName(RootKind kind) {
  switch (kind) {
    case RootKind::kStack: return "stack";
    case RootKind::kHandle: return "handle";
    default: return "finalizer";
  }
}

// The message .NET's File.CreateText gives for the open's errno; it names
// the full path, made absolute and normalized without following links.
std::string OpenFailure(const std::string& relative, int error) {
  std::error_code ec;
  std::filesystem::path full = std::filesystem::absolute(relative, ec);
  std::string path = ec ? relative : full.lexically_normal().string();
  // .NET keeps a trailing separator only when the input had one ("a/.."
  // normalizes to "/x/" here).
  const bool trailing = !relative.empty() && relative.back() == '/';
  if (path.size() > 1 && path.back() == '/' && !trailing) path.pop_back();
  switch (error) {
    case ENOENT:
    case ENOTDIR: return fmt::format("Could not find a part of the path '{}'.", path);
    case EACCES:
    case EPERM:
    case EISDIR: return fmt::format("Access to the path '{}' is denied.", path);
    case ENAMETOOLONG:
      return fmt::format("The path '{}' is too long, or a component of the specified path is "
                         "too long.",
                         path);
    default: return fmt::format("{} : '{}'", std::strerror(error), path);
  }
}

// Writes the file as it goes. dotnet-dump keeps roots and objects in memory
// until the types they use are known; here a first walk numbers the types
// (in the order the second walk meets them) so the file streams out.
class HeapWriter {
 public:
  HeapWriter(std::ostream& out, ManagedHeap& heap, Roots& roots, bool xml)
      : out_(out), heap_(heap), roots_(roots), xml_(xml) {}

  void AddType(uint64_t method_table);
  void WriteTypes();
  void WriteRoots(const std::vector<const Root*>& all);
  void WriteObject(const HeapObject& object);
  void Finish();

 private:
  std::ostream& out_;
  ManagedHeap& heap_;
  Roots& roots_;
  bool xml_;
  std::unordered_map<uint64_t, size_t> type_ids_;
  std::vector<uint64_t> types_;  // by id - 1
  size_t objects_ = 0;
  std::vector<uint64_t> members_;  // reused by each object
};

void HeapWriter::AddType(uint64_t method_table) {
  if (type_ids_.try_emplace(method_table, types_.size() + 1).second) {
    types_.push_back(method_table);
  }
}

void HeapWriter::WriteTypes() {
  if (xml_) out_ << (types_.empty() ? "<gcheap>\n  <types />" : "<gcheap>\n  <types>");
  for (size_t i = 0; i < types_.size(); ++i) {
    std::string name = heap_.TypeName(types_[i]);
    if (name.empty()) name = fmt::format("error-reading-type-name:{:x}", types_[i]);
    if (xml_) {
      out_ << fmt::format("\n    <type id=\"{}\" name=\"{}\" />", i + 1, XmlAttribute(name));
    } else {
      out_ << fmt::format("t {} 0 {}\n", i + 1, name);
    }
  }
  if (xml_ && !types_.empty()) out_ << "\n  </types>";
  out_ << "\n";
}

void HeapWriter::WriteRoots(const std::vector<const Root*>& all) {
  if (!xml_) {
    out_ << "r";
    for (const Root* r : all) out_ << " " << Hex(r->address);
    out_ << "\n";
    return;
  }
  if (all.empty()) {
    out_ << "<roots />";
    return;
  }
  out_ << "<roots>";
  for (const Root* r : all) {
    out_ << fmt::format("\n  <root kind=\"{}\" address=\"{}\" />", KindName(r->kind),
                        Hex(r->address));
  }
  out_ << "\n</roots>";
}

void HeapWriter::WriteObject(const HeapObject& object) {
  const size_t type = type_ids_.at(object.method_table);
  const size_t id = ++objects_;
  members_.clear();
  if (object.type->data.contains_pointers) {
    roots_.ForEachReference(object, [&](uint64_t target) { members_.push_back(target); });
  }
  const std::string address = Hex(object.address);
  if (!xml_) {
    out_ << fmt::format("n {} 1 {} {}\n! 1 {} {}\n", id, type, object.size, address, id);
    out_ << fmt::format("o {} {} {} ", address, type, object.size);
    for (uint64_t m : members_) out_ << " " << Hex(m);
    out_ << "\n";
    return;
  }
  if (id == 1) out_ << "\n<objects>";
  out_ << fmt::format("\n  <object address=\"{}\" typeid=\"{}\" size=\"{}\"", address, type,
                      object.size);
  if (members_.empty()) {
    out_ << " />";
    return;
  }
  out_ << ">";
  for (uint64_t m : members_) out_ << fmt::format("\n    <member address=\"{}\" />", Hex(m));
  out_ << "\n  </object>";
}

void HeapWriter::Finish() {
  if (xml_) out_ << (objects_ ? "\n</objects>\n</gcheap>" : "\n<objects />\n</gcheap>");
}

// Visits each valid object of the heap; false when cancelled.
template <typename Visit>
bool ForEachObject(CommandContext& ctx, ManagedHeap& heap, Visit&& visit) {
  for (const auto* segment : heap.segments()) {
    heap.Walk(*segment, [&](const HeapObject& object) {
      if (ctx.cancelled()) return false;
      if (object.valid()) visit(object);
      return true;
    });
    if (ctx.cancelled()) return false;
  }
  return true;
}

Status RunTraverseHeap(CommandContext& ctx, const ParsedArgs& args) {
  const std::string path = args.Value("filename").value_or("");
  if (path.find_first_not_of(" \t\r\n") == std::string::npos) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "Output filename cannot be empty. (Parameter 'Filename')");
  }
  auto roots = ctx.target.roots();
  if (!roots) return roots.error();
  // The file is created before any work, as dotnet-dump does.
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (!file) return MakeError(ErrorCode::kIo, OpenFailure(path, errno));
  Roots& r = **roots;
  ManagedHeap& heap = r.heap();
  NoteRootCaching(ctx, r);
  const std::vector<const Root*> all = r.AllRoots();
  HeapWriter writer(file, heap, r, args.Has("-xml"));
  if (!ForEachObject(ctx, heap, [&](const HeapObject& o) { writer.AddType(o.method_table); })) {
    return Ok{};
  }
  writer.WriteTypes();
  writer.WriteRoots(all);
  if (!ForEachObject(ctx, heap, [&](const HeapObject& o) { writer.WriteObject(o); })) {
    return Ok{};
  }
  writer.Finish();
  file.flush();
  if (!file) return MakeError(ErrorCode::kIo, fmt::format("Could not write '{}'", path));
  return Ok{};
}

}  // namespace

void AddTraverseHeapCommand(Registry& registry) {
  registry.Add({"traverseheap",
                {"TraverseHeap"},
                "Writes out heap information to a file in a format understood by the CLR "
                "Profiler.",
                {{{"-xml"}, "", ValueType::kFlag}},
                ArgumentSpec{"filename", "", ValueType::kString, false},
                RunTraverseHeap});
}

}  // namespace clrdump::cmd
