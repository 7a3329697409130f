// Tables the way dotnet-dump's managed commands print them (its Output
// Table/Column/Format classes): fixed or fitted column widths, right- or
// left-aligned cells, headers that widen a column, and "..." truncation of
// text that may be truncated. Cells are formatted by the caller with the
// helpers below, so a command's output is decided in one place.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace clrdump::cmd {

enum class Align { kLeft, kRight, kCenter };

struct Column {
  Align align = Align::kLeft;
  int width = -1;  // -1: as wide as the cell
  bool can_truncate = false;
  // Left-aligned and type-name cells lose their start when too long,
  // others their end (dotnet-dump's Format rules).
  bool truncate_begin = false;
  Column WithWidth(int w) const {
    Column c = *this;
    c.width = w;
    return c;
  }
  // The width of the longest of `cells`, within [min, max] (-1: no bound).
  Column Fitted(const std::vector<std::string>& cells, int min = -1, int max = -1) const;
};

namespace columns {
// dotnet-dump's column kinds on 64-bit.
inline Column Pointer() { return {Align::kRight, 16, false, false}; }
inline Column Integer() { return {Align::kRight, 14, false, false}; }
inline Column HexValue() { return {Align::kRight, 18, false, false}; }
inline Column HexOffset() { return {Align::kRight, 10, false, false}; }
inline Column Text() { return {Align::kLeft, -1, true, true}; }
inline Column TypeName() { return {Align::kLeft, -1, true, true}; }
}  // namespace columns

// Cell formats.
std::string PointerCell(uint64_t value);   // {:x12}
std::string IntegerCell(uint64_t value);   // n0: 1,234,567
std::string IntegerCell(int64_t value);
std::string HexValueCell(uint64_t value);  // 0x{:x2}
std::string HexOffsetCell(int64_t value); // 0x{:x2}, or -0x{:x2}

class Table {
 public:
  Table(std::ostream& out, std::vector<Column> columns) : out_(out), columns_(std::move(columns)) {}
  void set_indent(std::string indent) { indent_ = std::move(indent); }
  // Widens fixed columns to fit their header, then prints it.
  void WriteHeader(const std::vector<std::string>& titles);
  void WriteRow(const std::vector<std::string>& cells);
  const std::vector<Column>& columns() const { return columns_; }

 private:
  void Append(std::string& line, const Column& column, const std::string& cell) const;
  std::ostream& out_;
  std::vector<Column> columns_;
  std::string indent_;
};

}  // namespace clrdump::cmd
