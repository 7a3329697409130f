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

// Builds the file's parts; the types are known only after the objects, but
// are written before them.
class HeapWriter {
 public:
  HeapWriter(ManagedHeap& heap, Roots& roots, bool xml) : heap_(heap), roots_(roots), xml_(xml) {}

  void WriteRoots(const std::vector<const Root*>& all);
  void WriteObject(const HeapObject& object);
  void FinishObjects();
  std::string Types() const;
  const std::string& body() const { return body_; }

 private:
  ManagedHeap& heap_;
  Roots& roots_;
  bool xml_;
  std::string body_;
  std::unordered_map<uint64_t, int> type_ids_;
  std::vector<uint64_t> types_;  // by id - 1
  int objects_ = 0;
};

void HeapWriter::WriteRoots(const std::vector<const Root*>& all) {
  if (!xml_) {
    body_ += "r";
    for (const Root* r : all) body_ += " " + Hex(r->address);
    body_ += "\n";
    return;
  }
  if (all.empty()) {
    body_ += "<roots />";
    return;
  }
  body_ += "<roots>";
  for (const Root* r : all) {
    body_ += fmt::format("\n  <root kind=\"{}\" address=\"{}\" />", KindName(r->kind),
                         Hex(r->address));
  }
  body_ += "\n</roots>";
}

void HeapWriter::WriteObject(const HeapObject& object) {
  auto [it, added] = type_ids_.try_emplace(object.method_table, int(types_.size()) + 1);
  if (added) types_.push_back(object.method_table);
  const int type = it->second;
  const int id = ++objects_;
  std::vector<uint64_t> members;
  if (object.type->data.contains_pointers) {
    roots_.ForEachReference(object, [&](uint64_t target) { members.push_back(target); });
  }
  if (!xml_) {
    body_ += fmt::format("n {} 1 {} {}\n! 1 {} {}\n", id, type, object.size, Hex(object.address),
                         id);
    body_ += fmt::format("o {} {} {} ", Hex(object.address), type, object.size);
    for (uint64_t m : members) body_ += " " + Hex(m);
    body_ += "\n";
    return;
  }
  body_ += objects_ == 1 ? "\n<objects>" : "";
  body_ += fmt::format("\n  <object address=\"{}\" typeid=\"{}\" size=\"{}\"",
                       Hex(object.address), type, object.size);
  if (members.empty()) {
    body_ += " />";
    return;
  }
  body_ += ">";
  for (uint64_t m : members) body_ += fmt::format("\n    <member address=\"{}\" />", Hex(m));
  body_ += "\n  </object>";
}

void HeapWriter::FinishObjects() {
  if (xml_) body_ += objects_ ? "\n</objects>" : "\n<objects />";
}

std::string HeapWriter::Types() const {
  std::string out = xml_ ? (types_.empty() ? "<gcheap>\n  <types />" : "<gcheap>\n  <types>") : "";
  for (size_t i = 0; i < types_.size(); ++i) {
    std::string name = heap_.TypeName(types_[i]);
    if (name.empty()) name = fmt::format("error-reading-type-name:{:x}", types_[i]);
    if (xml_) {
      out += fmt::format("\n    <type id=\"{}\" name=\"{}\" />", i + 1, XmlAttribute(name));
    } else {
      out += fmt::format("t {} 0 {}\n", i + 1, name);
    }
  }
  if (xml_ && !types_.empty()) out += "\n  </types>";
  return out + "\n";
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
  HeapWriter writer(heap, r, args.Has("-xml"));
  writer.WriteRoots(r.AllRoots());
  for (const auto* segment : heap.segments()) {
    heap.Walk(*segment, [&](const HeapObject& object) {
      if (ctx.cancelled()) return false;
      if (object.valid()) writer.WriteObject(object);
      return true;
    });
    if (ctx.cancelled()) return Ok{};
  }
  writer.FinishObjects();
  file << writer.Types() << writer.body();
  if (args.Has("-xml")) file << "\n</gcheap>";
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
