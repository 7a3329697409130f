// The portable PDB reader turns (method token, IL offset) into the
// "[file @ line]" of clrstack. Real PDBs from the .NET SDK (see
// data/pdb/README.md) pin it to what Roslyn writes; the expected sequence
// points were printed by System.Reflection.Metadata, not by this code.
// Hand-built PDBs cover encodings the fixture does not contain.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "dump/metadata_tables.h"
#include "dump/pdb_locator.h"
#include "dump/portable_pdb.h"
#include "test_support.h"

using clrdump::ByteView;
using clrdump::ErrorCode;
using clrdump::dump::BlobCursor;
using clrdump::dump::ExtractEmbeddedPdb;
using clrdump::dump::kHiddenLine;
using clrdump::dump::LocatePortablePdb;
using clrdump::dump::PortablePdb;
using clrdump::dump::ReadCodeView;
using clrdump::dump::ReadDebugDirectory;
using clrdump::dump::SequencePoint;
using clrdump::dump::TableId;
using clrdump::dump::TableStream;
using clrdump::dump::TableStreamOptions;
using ::testing::ElementsAre;
using ::testing::EndsWith;
using ::testing::HasSubstr;

namespace {

const std::string kDataDir = std::string(CLRDUMP_TEST_DATA_DIR) + "/pdb";
const std::string kPortableDll = kDataDir + "/portable/Fixture.dll";
const std::string kPortablePdb = kDataDir + "/portable/Fixture.pdb";
const std::string kEmbeddedDll = kDataDir + "/embedded/Fixture.dll";

// MethodDef tokens of the fixture, in source order.
constexpr uint32_t kAdd = 0x06000001;
constexpr uint32_t kLoop = 0x06000002;
constexpr uint32_t kThrower = 0x06000003;
constexpr uint32_t kMapped = 0x06000004;

std::vector<uint8_t> ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<std::string> SourceLines() {
  std::ifstream in(kDataDir + "/Fixture.cs");
  std::vector<std::string> lines(1);  // 1-based
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

PortablePdb ParseOrDie(const std::vector<uint8_t>& bytes) {
  auto pdb = PortablePdb::Parse(bytes);
  if (!pdb) throw std::runtime_error(pdb.error().message);
  return *pdb;
}

SequencePoint Visible(uint32_t il, uint32_t line, uint32_t col, uint32_t end_line,
                      uint32_t end_col, uint32_t doc) {
  return {il, line, col, end_line, end_col, doc};
}
SequencePoint Hidden(uint32_t il, uint32_t doc) {
  return {il, kHiddenLine, 0, kHiddenLine, 0, doc};
}

MATCHER_P(IsPoint, e, "") {
  return arg.il_offset == e.il_offset && arg.start_line == e.start_line &&
         arg.start_column == e.start_column && arg.end_line == e.end_line &&
         arg.end_column == e.end_column && arg.document_row == e.document_row;
}

// The line SOS would print, or -1 for none.
int Line(const PortablePdb& pdb, uint32_t token, uint32_t il) {
  const auto line = pdb.FindLine(token, il);
  return line ? static_cast<int>(line->line) : -1;
}

class FixturePdb : public ::testing::Test {
 protected:
  PortablePdb pdb_ = ParseOrDie(ReadBytes(kPortablePdb));
};

TEST_F(FixturePdb, DocumentsAreNamedAsTheCompilerRecordedThem) {
  EXPECT_EQ(pdb_.document_count(), 4u);
  EXPECT_EQ(pdb_.method_count(), 4u);
  EXPECT_EQ(pdb_.DocumentName(1), "/_/Fixture.cs");
  EXPECT_THAT(pdb_.DocumentName(1), EndsWith("Fixture.cs"));
  EXPECT_EQ(pdb_.DocumentName(2),
            "/_/portable/obj/Debug/net10.0/.NETCoreApp,Version=v10.0.AssemblyAttributes.cs");
  EXPECT_EQ(pdb_.DocumentName(4), "/_/Other.cs");  // from `#line 500 "Other.cs"`
  EXPECT_EQ(pdb_.DocumentName(0), "");
  EXPECT_EQ(pdb_.DocumentName(5), "");
  EXPECT_EQ(pdb_.entry_point_token(), 0u);  // a library
}

TEST_F(FixturePdb, SequencePointsMatchSystemReflectionMetadata) {
  EXPECT_THAT(pdb_.SequencePoints(1),
              ElementsAre(IsPoint(Visible(0x0, 10, 9, 10, 10, 1)),
                          IsPoint(Visible(0x1, 11, 13, 11, 29, 1)),
                          IsPoint(Visible(0x5, 12, 13, 12, 24, 1)),
                          IsPoint(Visible(0x9, 13, 9, 13, 10, 1))));
  EXPECT_THAT(pdb_.SequencePoints(2),
              ElementsAre(IsPoint(Visible(0x00, 16, 9, 16, 10, 1)),
                          IsPoint(Visible(0x01, 17, 13, 17, 27, 1)),
                          IsPoint(Visible(0x03, 18, 18, 18, 27, 1)), IsPoint(Hidden(0x05, 1)),
                          IsPoint(Visible(0x07, 19, 13, 19, 14, 1)),
                          IsPoint(Visible(0x08, 20, 17, 20, 28, 1)),
                          IsPoint(Visible(0x0c, 21, 13, 21, 14, 1)),
                          IsPoint(Visible(0x0d, 18, 36, 18, 39, 1)),
                          IsPoint(Visible(0x11, 18, 29, 18, 34, 1)), IsPoint(Hidden(0x16, 1)),
                          IsPoint(Visible(0x19, 22, 13, 22, 26, 1)),
                          IsPoint(Visible(0x1d, 23, 9, 23, 10, 1))));
  EXPECT_TRUE(pdb_.SequencePoints(2)[3].hidden());
  EXPECT_TRUE(pdb_.SequencePoints(0).empty());
  EXPECT_TRUE(pdb_.SequencePoints(5).empty());
}

// Mapped's points span two documents, so its row names none and the blob
// carries an initial document and document records.
TEST_F(FixturePdb, DocumentRecordsSwitchDocuments) {
  EXPECT_THAT(pdb_.SequencePoints(4),
              ElementsAre(IsPoint(Visible(0x00, 35, 9, 35, 10, 1)),
                          IsPoint(Visible(0x01, 36, 13, 36, 27, 1)),
                          IsPoint(Visible(0x05, 500, 13, 500, 20, 4)), IsPoint(Hidden(0x09, 4)),
                          IsPoint(Visible(0x0d, 42, 13, 42, 22, 1)),
                          IsPoint(Visible(0x11, 43, 9, 43, 10, 1))));
  const auto other = pdb_.FindLine(kMapped, 0x5);
  ASSERT_TRUE(other);
  EXPECT_EQ(other->document, "/_/Other.cs");
  EXPECT_EQ(other->line, 500u);
  const auto back = pdb_.FindLine(kMapped, 0xd);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->document, "/_/Fixture.cs");
  EXPECT_EQ(back->line, 42u);
}

TEST_F(FixturePdb, FindLineTakesTheLastVisiblePointAtOrBeforeTheOffset) {
  EXPECT_EQ(Line(pdb_, kAdd, 0x0), 10);  // the opening brace's nop
  EXPECT_EQ(Line(pdb_, kAdd, 0x1), 11);
  EXPECT_EQ(Line(pdb_, kAdd, 0x4), 11);
  EXPECT_EQ(Line(pdb_, kAdd, 0x5), 12);
  EXPECT_EQ(Line(pdb_, kAdd, 0x9), 13);
  EXPECT_EQ(Line(pdb_, kAdd, 0x1000), 13);  // past the last point: still the last one
  EXPECT_EQ(Line(pdb_, kThrower, 0x6), 27);
  EXPECT_EQ(Line(pdb_, kThrower, 0xa), 29);
  EXPECT_EQ(Line(pdb_, kThrower, 0x14), 29);
  const auto add = pdb_.FindLine(kAdd, 0x1);
  ASSERT_TRUE(add);
  EXPECT_EQ(add->document, "/_/Fixture.cs");
  EXPECT_EQ(add->column, 13u);
  EXPECT_EQ(add->document_row, 1u);
}

TEST_F(FixturePdb, HiddenPointsAreSkipped) {
  EXPECT_EQ(Line(pdb_, kLoop, 0x5), 18);   // hidden at 0x5: keeps the `int i = 0` point
  EXPECT_EQ(Line(pdb_, kLoop, 0x6), 18);
  EXPECT_EQ(Line(pdb_, kLoop, 0x16), 18);  // hidden at 0x16: keeps `i < n` (18:29)
  EXPECT_EQ(Line(pdb_, kLoop, 0x19), 22);
  EXPECT_EQ(Line(pdb_, kMapped, 0x9), 500);  // `#line hidden` after line 500
  EXPECT_EQ(Line(pdb_, kMapped, 0xc), 500);
}

TEST_F(FixturePdb, ReportedLinesHoldTheStatementsInTheSource) {
  const auto source = SourceLines();
  ASSERT_GE(source.size(), 44u);
  EXPECT_THAT(source[static_cast<size_t>(Line(pdb_, kAdd, 0x1))], HasSubstr("int sum = a + b;"));
  EXPECT_THAT(source[static_cast<size_t>(Line(pdb_, kThrower, 0xa))],
              HasSubstr("throw new InvalidOperationException"));
  EXPECT_THAT(source[static_cast<size_t>(Line(pdb_, kLoop, 0x8))], HasSubstr("total += i;"));
}

TEST_F(FixturePdb, OtherTokensAndUnknownMethodsHaveNoLine) {
  EXPECT_FALSE(pdb_.FindLine(0x0A000001, 0));  // MemberRef
  EXPECT_FALSE(pdb_.FindLine(0x06000000, 0));  // rid 0
  EXPECT_FALSE(pdb_.FindLine(0x06000005, 0));  // past the table
  EXPECT_FALSE(pdb_.FindLine(0x06FFFFFF, 0));
}

TEST(PortablePdbEmbedded, EmbeddedAndSideBySidePdbsGiveTheSameAnswers) {
  auto embedded_bytes = ExtractEmbeddedPdb(ReadBytes(kEmbeddedDll));
  ASSERT_TRUE(embedded_bytes) << embedded_bytes.error().message;
  const PortablePdb embedded = ParseOrDie(*embedded_bytes);
  const PortablePdb side = ParseOrDie(ReadBytes(kPortablePdb));
  ASSERT_EQ(embedded.method_count(), side.method_count());
  EXPECT_EQ(embedded.DocumentName(1), side.DocumentName(1));
  EXPECT_EQ(embedded.DocumentName(4), side.DocumentName(4));
  for (uint32_t row = 1; row <= side.method_count(); ++row) {
    const auto a = embedded.SequencePoints(row);
    const auto b = side.SequencePoints(row);
    ASSERT_EQ(a.size(), b.size()) << "row " << row;
    for (size_t i = 0; i < a.size(); ++i) EXPECT_THAT(a[i], IsPoint(b[i]));
    for (uint32_t il = 0; il < 0x30; ++il) {
      const auto x = embedded.FindLine(0x06000000 | row, il);
      const auto y = side.FindLine(0x06000000 | row, il);
      ASSERT_EQ(x.has_value(), y.has_value());
      if (x) EXPECT_EQ(x->document + ":" + std::to_string(x->line),
                       y->document + ":" + std::to_string(y->line));
    }
  }
}

TEST(PortablePdbEmbedded, DebugDirectoryListsTheEntriesRoslynWrites) {
  auto entries = ReadDebugDirectory(ReadBytes(kEmbeddedDll));
  ASSERT_TRUE(entries) << entries.error().message;
  std::vector<uint32_t> types;
  for (const auto& e : *entries) types.push_back(e.type);
  EXPECT_THAT(types, ElementsAre(2u, 19u, 16u, 17u));  // CodeView, checksum, reproducible, PDB
  EXPECT_EQ((*entries)[3].data_size, 1125u);
  auto portable = ExtractEmbeddedPdb(ReadBytes(kPortableDll));
  ASSERT_FALSE(portable);
  EXPECT_EQ(portable.error().code, ErrorCode::kNotFound);
}

TEST(PortablePdbLocator, CodeViewNamesThePdbAndItsId) {
  const auto cv = ReadCodeView(ReadBytes(kPortableDll));
  ASSERT_TRUE(cv);
  EXPECT_TRUE(cv->portable);
  EXPECT_EQ(cv->age, 1u);
  EXPECT_THAT(cv->path, EndsWith("/Fixture.pdb"));
  EXPECT_EQ(cv->id, ParseOrDie(ReadBytes(kPortablePdb)).id());
}

TEST(PortablePdbLocator, FindsEmbeddedAndSideBySidePdbs) {
  auto side = LocatePortablePdb(kPortableDll);
  ASSERT_TRUE(side) << side.error().message;
  EXPECT_EQ(*side, ReadBytes(kPortablePdb));
  auto embedded = LocatePortablePdb(kEmbeddedDll);
  ASSERT_TRUE(embedded) << embedded.error().message;
  EXPECT_EQ(*embedded, *ExtractEmbeddedPdb(ReadBytes(kEmbeddedDll)));
}

TEST(PortablePdbLocator, FallsBackFromCodeViewNameToAssemblyName) {
  ScratchDir dir;
  const auto dll = ReadBytes(kPortableDll);
  const auto pdb = ReadBytes(kPortablePdb);
  WriteFileBytes(dir.File("Renamed.dll"), dll);
  WriteFileBytes(dir.File("Fixture.pdb"), pdb);  // the name CodeView records
  auto by_codeview = LocatePortablePdb(dir.File("Renamed.dll"));
  ASSERT_TRUE(by_codeview) << by_codeview.error().message;
  EXPECT_EQ(*by_codeview, pdb);

  ScratchDir other;
  WriteFileBytes(other.File("Renamed.dll"), dll);
  WriteFileBytes(other.File("Renamed.pdb"), pdb);
  auto by_name = LocatePortablePdb(other.File("Renamed.dll"));
  ASSERT_TRUE(by_name) << by_name.error().message;
  EXPECT_EQ(*by_name, pdb);
}

TEST(PortablePdbLocator, RefusesMissingAndStalePdbs) {
  ScratchDir dir;
  auto dll = ReadBytes(kPortableDll);
  WriteFileBytes(dir.File("Fixture.dll"), dll);
  auto missing = LocatePortablePdb(dir.File("Fixture.dll"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_THAT(missing.error().message, HasSubstr("Fixture.pdb"));

  auto stale = ReadBytes(kPortablePdb);
  stale[0x7C] ^= 0xFF;  // first byte of the #Pdb stream: the PDB id's GUID
  WriteFileBytes(dir.File("Fixture.pdb"), stale);
  auto refused = LocatePortablePdb(dir.File("Fixture.dll"));
  ASSERT_FALSE(refused);
  EXPECT_THAT(refused.error().message, HasSubstr("does not match"));

  auto not_pe = LocatePortablePdb(kPortablePdb);
  EXPECT_FALSE(not_pe);
}

}  // namespace
