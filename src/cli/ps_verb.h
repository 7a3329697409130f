// `clrdump ps`: the .NET processes a dump can be collected from, in
// dotnet-dump's exact table layout.
#pragma once

#include <sys/types.h>

#include <climits>
#include <ostream>
#include <string>
#include <vector>

namespace clrdump::cli {

struct ProcessRow {
  pid_t pid = 0;
  std::string name;
  std::string file_name;
  std::string args;
};

// Rows for the given pids, skipping processes that vanished meanwhile.
std::vector<ProcessRow> DescribeProcesses(const std::vector<pid_t>& pids);

// The Args column as dotnet-dump derives it from argv and the executable.
std::string ArgsColumn(const std::vector<std::string>& cmdline, const std::string& file_name);

// Column width cap for a terminal of `width` columns (dotnet-dump's rule);
// INT_MAX when output is not a terminal.
int ColumnCap(int terminal_width);

// The whole table including the trailing blank line, or the "none found"
// line. Widths count UTF-16 units, as .NET strings do.
std::string FormatProcessTable(std::vector<ProcessRow> rows, int column_cap);

int RunPs(std::ostream& out, std::ostream& err, bool stdout_is_terminal, int terminal_width);

}  // namespace clrdump::cli
