// The dotnet-dump table formats the heap commands print with, and the
// address and generation arguments they accept.
#include <sstream>

#include <gtest/gtest.h>

#include "commands/address.h"
#include "commands/heap_filter.h"
#include "commands/table.h"

namespace clrdump::cmd {
namespace {

TEST(Table, CellFormats) {
  EXPECT_EQ(PointerCell(0x7f4f41800028), "7f4f41800028");
  EXPECT_EQ(PointerCell(0x28), "000000000028");
  EXPECT_EQ(IntegerCell(uint64_t{0}), "0");
  EXPECT_EQ(IntegerCell(uint64_t{999}), "999");
  EXPECT_EQ(IntegerCell(uint64_t{1052144}), "1,052,144");
  EXPECT_EQ(IntegerCell(int64_t{-1234}), "-1,234");
  EXPECT_EQ(HexValueCell(5), "0x05");
}

TEST(Table, StatisticsHeaderAndRowsAsDumpheap) {
  std::ostringstream out;
  const std::vector<std::string> mts = {"7f5b1e731570"}, counts = {"1,002"}, sizes = {"24"};
  Table table(out, {columns::Pointer().Fitted(mts), columns::Integer().Fitted(counts),
                    columns::Integer().Fitted(sizes), columns::TypeName()});
  table.WriteHeader({"MT", "Count", "TotalSize", "Class Name"});
  table.WriteRow({mts[0], counts[0], sizes[0], "System.String"});
  EXPECT_EQ(out.str(),
            "          MT Count TotalSize Class Name\n"
            "7f5b1e731570 1,002        24 System.String\n");
}

TEST(Table, HeaderWidensOnlyTitlesLongerThanTheColumnCount) {
  std::ostringstream out;
  // Two columns: "abc" (3 > 2) widens a width-1 column, "x" does not.
  Table table(out, {columns::Pointer().WithWidth(1), columns::Pointer().WithWidth(1)});
  table.WriteHeader({"abc", "x"});
  table.WriteRow({"1", "2"});
  EXPECT_EQ(out.str(), "abc x\n  1 2\n");
}

TEST(Table, LeftColumnsPadAndTextTruncatesItsStart) {
  std::ostringstream out;
  Table table(out, {columns::Text().WithWidth(6), columns::TypeName().WithWidth(6)});
  table.WriteRow({"ab", "System.String"});
  table.WriteRow({"abcdefgh", "abc"});
  EXPECT_EQ(out.str(), "ab     ...ing\n...fgh abc   \n");
}

TEST(Address, DotnetDumpRules) {
  EXPECT_EQ(TryParseAddress("0x7f00"), 0x7f00u);
  EXPECT_EQ(TryParseAddress("00007F00"), 0x7f00u);
  EXPECT_EQ(TryParseAddress("7f`0000"), 0x7f0000u);
  EXPECT_EQ(TryParseAddress("0"), std::nullopt);
  EXPECT_EQ(TryParseAddress(""), std::nullopt);
  EXPECT_EQ(TryParseAddress("zz"), std::nullopt);
  EXPECT_EQ(TryParseAddress("12345678901234567"), std::nullopt);  // 17 digits overflow
}

TEST(Generation, Names) {
  EXPECT_EQ(ParseGeneration("gen0"), Generation::kGen0);
  EXPECT_EQ(ParseGeneration("GEN2"), Generation::kGen2);
  EXPECT_EQ(ParseGeneration("large"), Generation::kLarge);
  EXPECT_EQ(ParseGeneration("poh"), Generation::kPinned);
  EXPECT_EQ(ParseGeneration("frozen"), Generation::kFrozen);
  EXPECT_EQ(ParseGeneration("2"), std::nullopt);
}

}  // namespace
}  // namespace clrdump::cmd
