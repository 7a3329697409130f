#include "cli/ps_verb.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>

#include "base/procfs.h"
#include "base/strings.h"
#include "ipc/endpoint.h"

namespace clrdump::cli {
namespace {

std::string JoinWithSpaces(const std::vector<std::string>& parts, size_t first) {
  std::string out;
  for (size_t i = first; i < parts.size(); ++i) {
    if (i > first) out += ' ';
    out += parts[i];
  }
  return out;
}

// Fits text to `width` UTF-16 units: longer text keeps its tail, shorter
// text is padded (on the left when right-aligned).
std::string Fit(const std::string& text, size_t width, bool right_align) {
  std::u16string units = Utf8ToUtf16(text);
  if (units.size() > width) {
    units.erase(0, units.size() - width);
  } else if (units.size() < width) {
    const std::u16string pad(width - units.size(), u' ');
    units = right_align ? pad + units : units + pad;
  }
  return Utf16ToUtf8(units);
}

size_t Units(const std::string& text) { return Utf8ToUtf16(text).size(); }

}  // namespace

std::string ArgsColumn(const std::vector<std::string>& cmdline, const std::string& file_name) {
  // Blank as .NET's IsNullOrWhiteSpace sees the raw text, where NUL
  // separators are not white space.
  const bool blank = std::all_of(cmdline.begin(), cmdline.end(), [](const std::string& part) {
    return part.find_first_not_of(" \t\n\v\f\r") == std::string::npos;
  }) && cmdline.size() <= 1;
  if (cmdline.empty() || blank) return "";
  // A trailing empty element (argv ends with NUL) leaves a trailing space,
  // which dotnet-dump keeps.
  std::string args = cmdline.front() == file_name ? JoinWithSpaces(cmdline, 1)
                                                  : JoinWithSpaces(cmdline, 0);
  return args == file_name ? "" : args;
}

std::vector<ProcessRow> DescribeProcesses(const std::vector<pid_t>& pids) {
  std::vector<ProcessRow> rows;
  for (pid_t pid : pids) {
    auto name = proc::DotnetProcessName(pid);
    if (!name) continue;
    ProcessRow row{pid, *name, {}, {}};
    // On Linux .NET finds no main module, rather than failing, when the
    // exe link is unreadable (another user's process) or absent (kernel
    // threads): the path is then empty and the arguments still shown.
    auto exe = proc::ReadExePath(pid);
    if (exe) row.file_name = *exe;
    auto cmdline = proc::ReadCmdlineParts(pid);
    row.args = cmdline ? ArgsColumn(*cmdline, row.file_name)
                       : "[cannot determine command line arguments]";
    rows.push_back(std::move(row));
  }
  return rows;
}

int ColumnCap(int terminal_width) {
  if (terminal_width <= 0) return INT_MAX;
  const int reserve = static_cast<int>(std::ceil(0.05 * terminal_width));
  return std::max(0, terminal_width / 2 - 16 - reserve);
}

std::string FormatProcessTable(std::vector<ProcessRow> rows, int column_cap) {
  if (rows.empty()) return "No supported .NET processes were found\n";
  std::sort(rows.begin(), rows.end(), [](const ProcessRow& a, const ProcessRow& b) {
    return a.name != b.name ? a.name < b.name : a.pid < b.pid;
  });
  size_t widths[4] = {0, 0, 0, 0};
  for (const auto& r : rows) {
    const std::string cells[4] = {std::to_string(r.pid), r.name, r.file_name, r.args};
    for (size_t c = 0; c < 4; ++c) widths[c] = std::max(widths[c], Units(cells[c]));
  }
  for (auto& w : widths) w = std::min(w, static_cast<size_t>(column_cap));
  std::string out;
  for (const auto& r : rows) {
    const std::string cells[4] = {std::to_string(r.pid), r.name, r.file_name, r.args};
    for (size_t c = 0; c < 4; ++c) out += " " + Fit(cells[c], widths[c], c == 0) + " ";
    out += "\n";
  }
  out += "\n";
  return out;
}

int RunPs(std::ostream& out, std::ostream& /*err*/, bool stdout_is_terminal,
          int terminal_width) {
  std::vector<pid_t> pids = ipc::PublishedProcesses();
  const pid_t self = ::getpid();
  std::erase(pids, self);
  out << FormatProcessTable(DescribeProcesses(pids),
                            stdout_is_terminal ? ColumnCap(terminal_width) : INT_MAX);
  out.flush();
  return 0;
}

}  // namespace clrdump::cli
