// `clrdump ps` must print dotnet-dump's table byte for byte (scripts parse
// it), so layout is checked on exact strings: alignment, padding, the cell
// separators, truncation and the trailing blank line.

#include "cli/ps_verb.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <climits>
#include <sstream>
#include <string>
#include <vector>

#include "base/procfs.h"
#include "base/strings.h"
#include "test_support.h"

using clrdump::cli::ArgsColumn;
using clrdump::cli::ColumnCap;
using clrdump::cli::DescribeProcesses;
using clrdump::cli::FormatProcessTable;
using clrdump::cli::ProcessRow;
using ::testing::ElementsAre;

static std::string Spaces(size_t n) { return std::string(n, ' '); }

TEST(ArgsColumnTest, DropsArgvZeroWhenItIsTheExecutablePath) {
  // /proc/<pid>/cmdline ends with NUL, so the parts end with "", which
  // leaves the trailing space dotnet-dump prints.
  EXPECT_EQ(ArgsColumn({"/usr/bin/app", "a", "b", ""}, "/usr/bin/app"), "a b ");
}

TEST(ArgsColumnTest, KeepsArgvZeroWhenItDiffersFromTheExecutablePath) {
  EXPECT_EQ(ArgsColumn({"dotnet", "x.dll", ""}, "/usr/share/dotnet/dotnet"), "dotnet x.dll ");
}

TEST(ArgsColumnTest, NoArgumentsBeyondTheExecutableGiveAnEmptyColumn) {
  EXPECT_EQ(ArgsColumn({"/usr/bin/app", ""}, "/usr/bin/app"), "");
  EXPECT_EQ(ArgsColumn({"/usr/bin/app"}, "/usr/bin/app"), "");
}

TEST(ArgsColumnTest, WholeCommandLineEqualToTheExecutableIsBlanked) {
  // argv[0] differs from the file name, but joined they spell it exactly.
  EXPECT_EQ(ArgsColumn({"/opt/my", "app"}, "/opt/my app"), "");
}

TEST(ArgsColumnTest, EmptyOrBlankCommandLineIsEmpty) {
  EXPECT_EQ(ArgsColumn({}, "/usr/bin/app"), "");
  EXPECT_EQ(ArgsColumn({" \t"}, "/usr/bin/app"), "");
  // The NUL separator of " \0" is not white space to .NET, so the text is
  // not blank and its NUL becomes a space.
  EXPECT_EQ(ArgsColumn({" ", ""}, "/usr/bin/app"), "  ");
}

TEST(ColumnCapTest, FollowsDotnetDumpsFormula) {
  // width / 2 - 16 - ceil(5% of width)
  EXPECT_EQ(ColumnCap(80), 20);
  EXPECT_EQ(ColumnCap(100), 29);
  EXPECT_EQ(ColumnCap(120), 38);
  EXPECT_EQ(ColumnCap(200), 74);
}

TEST(ColumnCapTest, NoTerminalMeansNoCap) {
  EXPECT_EQ(ColumnCap(0), INT_MAX);
  EXPECT_EQ(ColumnCap(-1), INT_MAX);
}

TEST(ColumnCapTest, NarrowTerminalNeverGivesANegativeWidth) {
  EXPECT_EQ(ColumnCap(30), 0);
  EXPECT_EQ(ColumnCap(1), 0);
}

TEST(FormatProcessTableTest, NoRowsPrintsTheNoneFoundLine) {
  EXPECT_EQ(FormatProcessTable({}, INT_MAX), "No supported .NET processes were found\n");
}

TEST(FormatProcessTableTest, LaysOutCellsLikeDotnetDump) {
  const std::vector<ProcessRow> rows = {
      {7, "dotnet", "/usr/share/dotnet/dotnet", "dotnet x.dll "},
      {12345, "Waiter", "/opt/Waiter", ""},
  };
  // Widths: pid 5, name 6, file 24, args 13. Every cell is " text ";
  // the pid is right-aligned, the rest left-aligned.
  const std::string expected =
      " 12345  Waiter  /opt/Waiter" + Spaces(13) + "  " + Spaces(13) + " \n" +
      "     7  dotnet  /usr/share/dotnet/dotnet  dotnet x.dll  \n" +
      "\n";
  EXPECT_EQ(FormatProcessTable(rows, INT_MAX), expected);
}

// The pids in the order the table lists them.
static std::vector<int> PidOrder(const std::string& table) {
  std::vector<int> pids;
  std::istringstream lines(table);
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.empty()) pids.push_back(std::stoi(line));
  }
  return pids;
}

TEST(FormatProcessTableTest, SortsByOrdinalNameThenNumericPid) {
  const std::vector<ProcessRow> rows = {
      {100, "dotnet", "/d", ""},
      {20, "dotnet", "/d", ""},
      {1, "app", "/a", ""},
      {5, "Waiter", "/w", ""},
  };
  // Ordinal: uppercase sorts before lowercase. Numeric: 20 before 100.
  EXPECT_THAT(PidOrder(FormatProcessTable(rows, INT_MAX)), ElementsAre(5, 1, 20, 100));
}

TEST(FormatProcessTableTest, TruncationKeepsTheEndOfEachCell) {
  const std::vector<ProcessRow> rows = {
      {123456789, "averyveryverylongname", "/usr/share/dotnet/dotnet", "a b"},
  };
  EXPECT_EQ(FormatProcessTable(rows, 8), " 23456789  longname  t/dotnet  a b \n\n");
}

TEST(FormatProcessTableTest, ZeroCapEmptiesEveryCell) {
  EXPECT_EQ(FormatProcessTable({{1, "n", "/f", "a"}}, 0), "        \n\n");
}

TEST(FormatProcessTableTest, WidthsCountUtf16UnitsNotBytes) {
  // "Wäiter" is 6 units but 7 bytes: "dotnet" (6) must get no padding.
  const std::vector<ProcessRow> rows = {
      {1, "W\xC3\xA4iter", "/a", ""},
      {2, "dotnet", "/b", ""},
  };
  EXPECT_EQ(FormatProcessTable(rows, INT_MAX),
            " 1  W\xC3\xA4iter  /a   \n"
            " 2  dotnet  /b   \n"
            "\n");
}

TEST(FormatProcessTableTest, NonBmpCharactersCountAsTwoUnits) {
  // U+1F600 then 'x' is 3 units (2 code points, 5 bytes): padded by one
  // space to the width of "abcd".
  const std::vector<ProcessRow> rows = {
      {1, "\xF0\x9F\x98\x80x", "/a", ""},
      {2, "abcd", "/b", ""},
  };
  EXPECT_EQ(FormatProcessTable(rows, INT_MAX),
            " 2  abcd  /b   \n"
            " 1  \xF0\x9F\x98\x80x   /a   \n"
            "\n");
}

TEST(DescribeProcessesTest, DescribesALiveProcessFromProc) {
  SpawnedChild child({});
  auto rows = DescribeProcesses({child.pid()});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].pid, child.pid());
  EXPECT_EQ(rows[0].name, "sleep");
  EXPECT_EQ(rows[0].file_name, "/usr/bin/sleep");
  // argv[0] "sleep" is not the executable path, so it stays in Args.
  EXPECT_EQ(rows[0].args, "sleep 30 ");
}

TEST(DescribeProcessesTest, ArgvZeroEqualToTheExecutableIsOmitted) {
  SpawnedChild child({}, "/usr/bin/sleep", "/usr/bin/sleep");
  auto rows = DescribeProcesses({child.pid()});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].args, "30 ");
}

TEST(DescribeProcessesTest, SkipsProcessesThatAreGone) {
  SpawnedChild child({});
  auto rows = DescribeProcesses({ReapedChildPid(), child.pid()});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].pid, child.pid());
}
