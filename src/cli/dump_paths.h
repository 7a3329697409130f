// Paths around a dump request: the default name, making it absolute the
// way .NET's Path.GetFullPath does, and createdump's name template.
#pragma once

#include <sys/types.h>

#include <ctime>
#include <string>

#include "base/result.h"

namespace clrdump::cli {

// core_yyyyMMdd_HHmmss for the given local time.
std::string DefaultDumpName(std::time_t now);

// Absolute and lexically normalized ("." and ".." resolved, symlinks kept).
std::string FullPath(const std::string& path, const std::string& cwd);

struct TemplateValues {
  pid_t pid = 0;           // as the target sees itself
  std::string exe_name;    // file name of its executable
  std::string host_name;
};

struct ExpandedName {
  std::string path;     // the file name createdump writes, when it has no %t
  std::string pattern;  // fnmatch pattern: %t as '*', other wildcards escaped
  bool has_time = false;
};

// createdump's %p %d %e %h %t %% expansion. %t is a time createdump picks,
// so a name with it is only known as a pattern. Errors mirror createdump's:
// invalid format characters and a leading '|'.
Result<ExpandedName> ExpandDumpTemplate(const std::string& path, const TemplateValues& values);

// The newest file matching an fnmatch pattern whose directory part holds
// no wildcard; kNotFound when none.
Result<std::string> NewestMatch(const std::string& pattern);

}  // namespace clrdump::cli
