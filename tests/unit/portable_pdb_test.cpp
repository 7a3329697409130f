// The portable PDB reader turns (method token, IL offset) into the
// "[file @ line]" of clrstack. Real PDBs from the .NET SDK (see
// data/pdb/README.md) pin it to what Roslyn writes; the expected sequence
// points were printed by System.Reflection.Metadata, not by this code.
// Hand-built PDBs cover encodings the fixture does not contain.

#include "dump/portable_pdb.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "dump/metadata_tables.h"
#include "dump/pdb_locator.h"
#include "dump/pe_image.h"
#include "test_support.h"

using clrdump::ByteView;
using clrdump::ErrorCode;
using clrdump::dump::BlobCursor;
using clrdump::dump::ExtractEmbeddedPdb;
using clrdump::dump::kHiddenLine;
using clrdump::dump::LocatePortablePdb;
using clrdump::dump::PeFile;
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

SequencePoint Visible(uint32_t il, uint32_t line, uint32_t col, uint32_t end_line, uint32_t end_col,
                      uint32_t doc) {
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
  EXPECT_THAT(pdb_.SequencePoints(1), ElementsAre(IsPoint(Visible(0x0, 10, 9, 10, 10, 1)),
                                                  IsPoint(Visible(0x1, 11, 13, 11, 29, 1)),
                                                  IsPoint(Visible(0x5, 12, 13, 12, 24, 1)),
                                                  IsPoint(Visible(0x9, 13, 9, 13, 10, 1))));
  EXPECT_THAT(
      pdb_.SequencePoints(2),
      ElementsAre(
          IsPoint(Visible(0x00, 16, 9, 16, 10, 1)), IsPoint(Visible(0x01, 17, 13, 17, 27, 1)),
          IsPoint(Visible(0x03, 18, 18, 18, 27, 1)), IsPoint(Hidden(0x05, 1)),
          IsPoint(Visible(0x07, 19, 13, 19, 14, 1)), IsPoint(Visible(0x08, 20, 17, 20, 28, 1)),
          IsPoint(Visible(0x0c, 21, 13, 21, 14, 1)), IsPoint(Visible(0x0d, 18, 36, 18, 39, 1)),
          IsPoint(Visible(0x11, 18, 29, 18, 34, 1)), IsPoint(Hidden(0x16, 1)),
          IsPoint(Visible(0x19, 22, 13, 22, 26, 1)), IsPoint(Visible(0x1d, 23, 9, 23, 10, 1))));
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
  EXPECT_EQ(Line(pdb_, kLoop, 0x5), 18);  // hidden at 0x5: keeps the `int i = 0` point
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
      if (x) {
        EXPECT_EQ(x->document + ":" + std::to_string(x->line),
                  y->document + ":" + std::to_string(y->line));
      }
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

// ---- Hand-built PDBs: the same layout Roslyn writes, reduced to the
// Document and MethodDebugInformation tables, with blobs given as bytes.

struct SyntheticMethod {
  uint16_t document = 1;        // MethodDebugInformation.Document column
  std::vector<uint8_t> points;  // the sequence-points blob; empty = index 0
};

struct SyntheticPdb {
  std::vector<std::vector<uint8_t>> blobs;    // extra #Blob entries, indices 1..n in order
  std::vector<uint16_t> document_name_blobs;  // Document.Name per row (blob index)
  std::vector<SyntheticMethod> methods;
  bool wide_blob_indices = false;
  std::vector<std::pair<std::string, std::vector<uint8_t>>> extra_streams;

  std::vector<uint8_t> Build() const;
};

void PadTo4(std::vector<uint8_t>& v) {
  while (v.size() % 4 != 0) v.push_back(0);
}

using Streams = std::vector<std::pair<std::string, std::vector<uint8_t>>>;

// A metadata root ("BSJB", version "PDB v1.0") followed by `streams`.
std::vector<uint8_t> MetadataImage(const Streams& streams) {
  const auto padded_name = [](const std::string& name) { return (name.size() + 4) & ~size_t{3}; };
  uint32_t offset = 16 + 12 + 4;
  for (const auto& s : streams) offset += static_cast<uint32_t>(8 + padded_name(s.first));
  WireBytes root;
  root.U32(0x424A5342).U16(1).U16(1).U32(0).U32(12).Raw(std::string_view("PDB v1.0\0\0\0\0", 12));
  root.U16(0).U16(static_cast<uint16_t>(streams.size()));
  for (const auto& s : streams) {
    root.U32(offset).U32(static_cast<uint32_t>(s.second.size())).Raw(s.first);
    for (size_t pad = s.first.size(); pad < padded_name(s.first); ++pad) root.U8(0);
    offset += static_cast<uint32_t>(s.second.size());
  }
  for (const auto& s : streams) root.Raw(s.second);
  return root.bytes();
}

// The #Blob heap: entry 0 is empty; each blob gets a 1-byte length.
uint32_t AppendBlob(std::vector<uint8_t>& heap, const std::vector<uint8_t>& blob) {
  const auto offset = static_cast<uint32_t>(heap.size());
  heap.push_back(static_cast<uint8_t>(blob.size()));
  heap.insert(heap.end(), blob.begin(), blob.end());
  return offset;
}

std::vector<uint8_t> SyntheticPdb::Build() const {
  std::vector<uint8_t> heap{0};
  std::vector<uint32_t> blob_offsets{0};
  for (const auto& b : blobs) blob_offsets.push_back(AppendBlob(heap, b));
  std::vector<uint32_t> method_blob;
  for (const auto& m : methods)
    method_blob.push_back(m.points.empty() ? 0 : AppendBlob(heap, m.points));
  PadTo4(heap);
  const auto blob_ref = [&](WireBytes& w, uint32_t v) {
    if (wide_blob_indices) {
      w.U32(v);
    } else {
      w.U16(static_cast<uint16_t>(v));
    }
  };
  WireBytes tables;
  tables.U32(0).U8(2).U8(0).U8(wide_blob_indices ? 4 : 0).U8(1);
  tables.U64((uint64_t{1} << 0x30) | (uint64_t{1} << 0x31)).U64(0);
  tables.U32(static_cast<uint32_t>(document_name_blobs.size()));
  tables.U32(static_cast<uint32_t>(methods.size()));
  for (uint16_t name : document_name_blobs) {
    blob_ref(tables, blob_offsets.at(name));
    tables.U16(0);  // HashAlgorithm (#GUID)
    blob_ref(tables, 0);
    tables.U16(0);  // Language
  }
  for (size_t i = 0; i < methods.size(); ++i) {
    tables.U16(methods[i].document);
    blob_ref(tables, method_blob[i]);
  }
  std::vector<uint8_t> table_bytes = tables.bytes();
  PadTo4(table_bytes);
  WireBytes pdb_stream;
  for (uint8_t i = 0; i < 20; ++i) pdb_stream.U8(i);
  pdb_stream.U32(0).U64(uint64_t{1} << 0x06).U32(static_cast<uint32_t>(methods.size()));
  Streams streams = {{"#Pdb", pdb_stream.bytes()},
                     {"#~", table_bytes},
                     {"#Strings", {0, 0, 0, 0}},
                     {"#Blob", heap}};
  streams.insert(streams.end(), extra_streams.begin(), extra_streams.end());
  return MetadataImage(streams);
}

// Two documents "/src/a.cs" and "/src/b.cs"; blobs 1..4 are "", "src",
// "a.cs", "b.cs" and the name blobs are 5 and 6.
SyntheticPdb TwoDocuments() {
  SyntheticPdb pdb;
  pdb.blobs = {{}, {'s', 'r', 'c'}, {'a', '.', 'c', 's'}, {'b', '.', 'c', 's'}};
  // Name blobs: '/' then the parts' heap offsets as compressed integers
  // (the empty part at 1, "src" at 2, "a.cs" at 6, "b.cs" at 11).
  pdb.blobs.push_back({'/', 1, 2, 6});
  pdb.blobs.push_back({'/', 1, 2, 11});
  pdb.document_name_blobs = {5, 6};
  return pdb;
}

PortablePdb ParseSynthetic(const SyntheticPdb& spec) { return ParseOrDie(spec.Build()); }

TEST(PortablePdbSynthetic, DecodesSignedDeltasDocumentRecordsAndLongNumbers) {
  SyntheticPdb spec = TwoDocuments();
  spec.methods.push_back({1, {0x00,                          // no local signature
                              0x00, 0x00, 0x05, 0x0A, 0x01,  // IL 0, 10:1-10:6
                              0x04, 0x02, 0x7B, 0x7B, 0x04,  // IL 4, 7:3-9:0 (deltas -3, -3, +2)
                              0x02, 0x00, 0x00,              // IL 6, hidden
                              0x00, 0x02,                    // switch to document 2
                              0x03, 0x00, 0x01, 0x80, 0xC8, 0x00,     // IL 9, line 7+100
                              0xAE, 0x57, 0x00, 0x01, 0x01, 0x00}});  // IL +0x2E57, line -64
  for (bool wide : {false, true}) {
    spec.wide_blob_indices = wide;
    const PortablePdb pdb = ParseSynthetic(spec);
    EXPECT_EQ(pdb.DocumentName(1), "/src/a.cs");
    EXPECT_EQ(pdb.DocumentName(2), "/src/b.cs");
    EXPECT_THAT(
        pdb.SequencePoints(1),
        ElementsAre(IsPoint(Visible(0, 10, 1, 10, 6, 1)), IsPoint(Visible(4, 7, 3, 9, 0, 1)),
                    IsPoint(Hidden(6, 1)), IsPoint(Visible(9, 107, 3, 107, 4, 2)),
                    IsPoint(Visible(0x2E60, 43, 3, 43, 4, 2))));
    EXPECT_EQ(Line(pdb, 0x06000001, 3), 10);
    EXPECT_EQ(Line(pdb, 0x06000001, 8), 7);
    EXPECT_EQ(pdb.FindLine(0x06000001, 9)->document, "/src/b.cs");
    EXPECT_EQ(Line(pdb, 0x06000001, 0x2E5F), 107);
    EXPECT_EQ(Line(pdb, 0x06000001, 0x2E60), 43);
  }
}

TEST(PortablePdbSynthetic, InitialDocumentAndLineZero) {
  SyntheticPdb spec = TwoDocuments();
  spec.methods.push_back({0, {0x00, 0x02, 0x00, 0x00, 0x01, 0x05, 0x01}});  // initial doc 2
  // A visible point on line 0 is not a line SOS reports.
  spec.methods.push_back({1, {0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x02, 0x00, 0x01, 0x14, 0x00}});
  spec.methods.push_back({1, {}});  // no sequence points at all
  const PortablePdb pdb = ParseSynthetic(spec);
  EXPECT_THAT(pdb.SequencePoints(1), ElementsAre(IsPoint(Visible(0, 5, 1, 5, 2, 2))));
  EXPECT_EQ(pdb.FindLine(0x06000001, 0)->document, "/src/b.cs");
  EXPECT_EQ(Line(pdb, 0x06000002, 1), -1);
  EXPECT_EQ(Line(pdb, 0x06000002, 2), 10);
  EXPECT_EQ(pdb.DecodeSequencePoints(3).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(Line(pdb, 0x06000003, 0), -1);
}

TEST(PortablePdbSynthetic, MalformedSequencePointBlobsGiveNoPoints) {
  const std::vector<std::vector<uint8_t>> bad = {
      {0x00, 0x00, 0x00, 0x01},                          // start line missing
      {0x00, 0x00, 0x00, 0x01, 0x01, 0x01, 0x00, 0x00},  // document record to row 0
      {0x00, 0x00, 0x00, 0x01, 0x01, 0x01, 0x00, 0x09},  // document record past the table
      {0x00, 0xE0},                                      // invalid compressed integer
      {0x00, 0xDF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x01, 0x01, 0x01, 0x01, 0x00,
       0x00},                                                              // IL overflow
      {0x00, 0x00, 0x00, 0x01, 0x01, 0x01, 0x01, 0x00, 0x01, 0x7B, 0x00},  // line 1-3 < 0
      {0x00, 0x00, 0x00, 0x01, 0xC0, 0xFE, 0xEF, 0xEE, 0x01},  // visible point on 0xFEEFEE
      {0x00, 0x00, 0x01, 0x7F, 0x01, 0x00},                    // end column 0 - 1
  };
  for (size_t i = 0; i < bad.size(); ++i) {
    SyntheticPdb spec = TwoDocuments();
    spec.methods.push_back({1, bad[i]});
    const PortablePdb pdb = ParseSynthetic(spec);
    auto decoded = pdb.DecodeSequencePoints(1);
    ASSERT_FALSE(decoded) << "case " << i;
    EXPECT_EQ(decoded.error().code, ErrorCode::kMalformedInput) << "case " << i;
    EXPECT_TRUE(pdb.SequencePoints(1).empty());
    EXPECT_FALSE(pdb.FindLine(0x06000001, 0));
  }
  SyntheticPdb no_initial = TwoDocuments();
  no_initial.methods.push_back({0, {0x00}});  // row names no document, blob neither
  EXPECT_FALSE(ParseSynthetic(no_initial).DecodeSequencePoints(1));
}

TEST(PortablePdbSynthetic, DocumentNameBlobs) {
  SyntheticPdb spec;
  spec.blobs = {{'C', ':'}, {'x', '.', 'c', 's'}, {0, 1, 4}, {0x80, 1}, {'/', 1, 0x7F}, {}};
  spec.document_name_blobs = {3, 4, 5, 6};
  const PortablePdb pdb = ParseSynthetic(spec);
  EXPECT_EQ(pdb.DocumentName(1), "C:x.cs");  // separator 0: parts are concatenated
  EXPECT_EQ(pdb.DocumentName(2), "");        // separator must be ASCII
  EXPECT_EQ(pdb.DocumentName(3), "");        // part index past the heap
  EXPECT_EQ(pdb.DocumentName(4), "");        // empty blob has no separator
}

// ---- Hostile input: errors, never crashes (the ASan build checks reads).

void Exercise(const PortablePdb& pdb) {
  for (uint32_t row = 0; row <= std::min(pdb.method_count() + 1, 64u); ++row) {
    (void)pdb.SequencePoints(row);
    for (uint32_t il : {0u, 1u, 5u, 0x20u, 0xFFFFFFFFu}) (void)pdb.FindLine(0x06000000 | row, il);
  }
  for (uint32_t row = 0; row <= std::min(pdb.document_count() + 1, 64u); ++row) {
    (void)pdb.DocumentName(row);
  }
}

TEST(PortablePdbMalformed, EveryTruncationIsAnError) {
  const auto bytes = ReadBytes(kPortablePdb);
  for (size_t length = 0; length < bytes.size(); ++length) {
    auto pdb = PortablePdb::Parse(std::span(bytes.data(), length));
    ASSERT_FALSE(pdb) << "length " << length;
    EXPECT_EQ(pdb.error().code, ErrorCode::kMalformedInput) << "length " << length;
  }
}

TEST(PortablePdbMalformed, WrongSignatureAndAssemblyMetadata) {
  auto bytes = ReadBytes(kPortablePdb);
  bytes[0] = 'X';
  auto pdb = PortablePdb::Parse(bytes);
  ASSERT_FALSE(pdb);
  EXPECT_THAT(pdb.error().message, HasSubstr("BSJB"));
  // An assembly's own metadata is ECMA-335 too but has no #Pdb stream.
  const auto dll = ReadBytes(kPortableDll);
  auto pe = PeFile::Parse(dll, "Fixture.dll");
  ASSERT_TRUE(pe);
  auto metadata = pe->Metadata();
  ASSERT_TRUE(metadata);
  auto assembly = PortablePdb::Parse(*metadata);
  ASSERT_FALSE(assembly);
  EXPECT_EQ(assembly.error().code, ErrorCode::kUnsupported);
}

TEST(PortablePdbMalformed, DuplicateOrMissingStreams) {
  SyntheticPdb twice = TwoDocuments();
  twice.extra_streams.push_back({"#Blob", {0, 0, 0, 0}});
  auto duplicated = PortablePdb::Parse(twice.Build());
  ASSERT_FALSE(duplicated);
  EXPECT_THAT(duplicated.error().message, HasSubstr("#Blob appears twice"));
  auto no_tables = PortablePdb::Parse(MetadataImage({{"#Pdb", std::vector<uint8_t>(32)}}));
  ASSERT_FALSE(no_tables);
  EXPECT_THAT(no_tables.error().message, HasSubstr("no table stream"));
}

TEST(PortablePdbMalformed, GarbageAndBitFlipsNeverCrash) {
  std::mt19937 rng(1234);
  for (int i = 0; i < 200; ++i) {
    std::vector<uint8_t> garbage(rng() % 2048);
    for (auto& b : garbage) b = static_cast<uint8_t>(rng());
    if (i % 2 == 0 && garbage.size() >= 4) std::copy_n("BSJB", 4, garbage.begin());
    EXPECT_FALSE(PortablePdb::Parse(garbage));
  }
  const auto original = ReadBytes(kPortablePdb);
  int parsed = 0;
  for (int i = 0; i < 3000; ++i) {
    auto bytes = original;
    for (int flips = 1 + static_cast<int>(rng() % 3); flips > 0; --flips) {
      bytes[rng() % bytes.size()] = static_cast<uint8_t>(rng());
    }
    auto pdb = PortablePdb::Parse(bytes);
    if (!pdb) continue;
    ++parsed;
    Exercise(*pdb);
  }
  EXPECT_GT(parsed, 0);  // most flips land in heaps, so reading must cope with damage
}

TEST(PortablePdbMalformed, DamagedEmbeddedPdbIsRefused) {
  const auto dll = ReadBytes(kEmbeddedDll);
  auto entries = ReadDebugDirectory(dll);
  ASSERT_TRUE(entries);
  const uint32_t at = (*entries)[3].data_offset;
  auto bad_magic = dll;
  bad_magic[at] = 'X';
  EXPECT_EQ(ExtractEmbeddedPdb(bad_magic).error().code, ErrorCode::kMalformedInput);
  auto bad_size = dll;
  bad_size[at + 4] ^= 1;  // declared size off by one
  EXPECT_EQ(ExtractEmbeddedPdb(bad_size).error().code, ErrorCode::kMalformedInput);
  auto huge = dll;
  huge[at + 7] = 0x7F;  // 2 GB from ~1 KB of deflate data
  EXPECT_THAT(ExtractEmbeddedPdb(huge).error().message, HasSubstr("implausible"));
  for (uint32_t i = 8; i < (*entries)[3].data_size; i += 7) {
    auto damaged = dll;
    damaged[at + i] ^= 0x5A;
    auto pdb = ExtractEmbeddedPdb(damaged);
    if (pdb) (void)PortablePdb::Parse(*pdb);  // deflate has no checksum; must still not crash
  }
  for (size_t length = 0; length < dll.size(); length += 97) {
    (void)ExtractEmbeddedPdb(std::span(dll.data(), length));
  }
}

}  // namespace
