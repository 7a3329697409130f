#include "cli/dump_paths.h"

#include <dirent.h>
#include <fnmatch.h>
#include <sys/stat.h>

#include <vector>

#include <fmt/format.h>

#include "base/strings.h"

namespace clrdump::cli {

std::string DefaultDumpName(std::time_t now) {
  std::tm local{};
  ::localtime_r(&now, &local);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "core_%Y%m%d_%H%M%S", &local);
  return buffer;
}

std::string FullPath(const std::string& path, const std::string& cwd) {
  const std::string joined = !path.empty() && path[0] == '/' ? path : cwd + "/" + path;
  std::vector<std::string> parts;
  for (auto& part : Split(joined, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(std::move(part));
  }
  std::string out;
  for (const auto& part : parts) out += "/" + part;
  if (out.empty()) out = "/";
  // A trailing separator names a directory; keep it as .NET does.
  if (joined.size() > 1 && joined.back() == '/' && out != "/") out += '/';
  return out;
}

Result<ExpandedName> ExpandDumpTemplate(const std::string& path, const TemplateValues& values) {
  if (!path.empty() && path[0] == '|') {
    return MakeError(ErrorCode::kInvalidArgument, "Pipe syntax in dump name not supported");
  }
  ExpandedName name;
  auto literal = [&name](const std::string& text) {
    name.path += text;
    for (char c : text) {
      if (c == '*' || c == '?' || c == '[' || c == '\\') name.pattern += '\\';
      name.pattern += c;
    }
  };
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] != '%') {
      literal(std::string(1, path[i]));
      continue;
    }
    if (++i >= path.size()) break;  // a trailing lone '%' ends the name
    switch (path[i]) {
      case '%': literal("%"); break;
      case 'p':
      case 'd': literal(std::to_string(values.pid)); break;
      case 'e': literal(values.exe_name); break;
      case 'h': literal(values.host_name); break;
      case 't':
        name.pattern += '*';
        name.has_time = true;
        break;
      default:
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("Invalid dump name format char '{}'", path[i]));
    }
  }
  return name;
}

Result<std::string> NewestMatch(const std::string& pattern) {
  const size_t slash = pattern.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : pattern.substr(0, slash);
  const std::string name_pattern = pattern.substr(slash + 1);
  DIR* d = ::opendir(dir.empty() ? "/" : dir.c_str());
  if (!d) return MakeError(ErrorCode::kNotFound, dir + ": " + ErrnoText(errno));
  std::string best;
  timespec best_time{};
  while (const dirent* e = ::readdir(d)) {
    if (::fnmatch(name_pattern.c_str(), e->d_name, FNM_PERIOD) != 0) continue;
    const std::string candidate = dir + "/" + e->d_name;
    struct stat st {};
    if (::stat(candidate.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    if (best.empty() || st.st_mtim.tv_sec > best_time.tv_sec ||
        (st.st_mtim.tv_sec == best_time.tv_sec && st.st_mtim.tv_nsec > best_time.tv_nsec)) {
      best = candidate;
      best_time = st.st_mtim;
    }
  }
  ::closedir(d);
  if (best.empty()) return MakeError(ErrorCode::kNotFound, "no file matches " + pattern);
  return best;
}

}  // namespace clrdump::cli
