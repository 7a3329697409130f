#include "commands/table.h"

#include <algorithm>

#include <fmt/format.h>

namespace clrdump::cmd {
namespace {

std::string Truncated(const std::string& cell, const Column& column) {
  const size_t max = static_cast<size_t>(column.width);
  if (column.width < 0 || cell.size() <= max || !column.can_truncate) return cell;
  const size_t dots = std::min<size_t>(3, max);
  if (column.truncate_begin) {
    return std::string(dots, '.') + cell.substr(cell.size() - (max - dots));
  }
  return cell.substr(0, max - dots) + std::string(dots, '.');
}

}  // namespace

Column Column::Fitted(const std::vector<std::string>& cells, int min, int max) const {
  int len = 0;
  for (const auto& c : cells) len = std::max(len, static_cast<int>(c.size()));
  if (len < min) len = min;
  if (max > 0 && len > max) len = max;
  return WithWidth(len);
}

std::string PointerCell(uint64_t value) { return fmt::format("{:012x}", value); }

std::string IntegerCell(uint64_t value) {
  std::string digits = std::to_string(value);
  std::string out;
  const size_t n = digits.size();
  for (size_t i = 0; i < n; ++i) {
    if (i > 0 && (n - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string IntegerCell(int64_t value) {
  if (value >= 0) return IntegerCell(static_cast<uint64_t>(value));
  return "-" + IntegerCell(static_cast<uint64_t>(-(value + 1)) + 1);
}

std::string HexValueCell(uint64_t value) { return fmt::format("0x{:02x}", value); }

std::string HexOffsetCell(int64_t value) {
  if (value >= 0) return fmt::format("0x{:02x}", value);
  return fmt::format("-0x{:02x}", uint64_t{0} - static_cast<uint64_t>(value));
}

void Table::Append(std::string& line, const Column& column, const std::string& raw) const {
  const std::string cell = Truncated(raw, column);
  const int pad = column.width < 0 ? 0 : std::max(0, column.width - static_cast<int>(cell.size()));
  switch (column.align) {
    case Align::kLeft:
      line += cell;
      line.append(static_cast<size_t>(pad), ' ');
      break;
    case Align::kRight:
      line.append(static_cast<size_t>(pad), ' ');
      line += cell;
      break;
    case Align::kCenter: {
      const int right = pad / 2;
      line.append(static_cast<size_t>(pad - right), ' ');
      line += cell;
      line.append(static_cast<size_t>(right), ' ');
      break;
    }
  }
}

void Table::WriteHeader(const std::vector<std::string>& titles) {
  // dotnet-dump compares each title's length with the number of columns
  // (not the column's width) before widening; kept for equal output.
  for (size_t i = 0; i < columns_.size() && i < titles.size(); ++i) {
    const int len = static_cast<int>(titles[i].size());
    if (len > static_cast<int>(columns_.size()) && columns_[i].width != -1 &&
        columns_[i].width < len) {
      columns_[i].width = len;
    }
  }
  const Column centered{Align::kCenter, -1, true, false};
  std::string line = indent_;
  for (size_t i = 0; i < titles.size(); ++i) {
    if (i) line += ' ';
    Append(line, i < columns_.size() ? columns_[i] : centered, titles[i]);
  }
  out_ << line << '\n';
}

void Table::WriteRow(const std::vector<std::string>& cells) {
  std::string line = indent_;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i) line += ' ';
    Append(line, i < columns_.size() ? columns_[i] : columns::Text(), cells[i]);
  }
  out_ << line << '\n';
}

}  // namespace clrdump::cmd
