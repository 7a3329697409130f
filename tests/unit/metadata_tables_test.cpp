// The ECMA-335 layer under the PDB reader: compressed integers, heap
// blobs, and table row sizes. Row sizes are checked against a real
// assembly's metadata (data/pdb, built by the .NET SDK): if any column
// width were wrong, the tables would not exactly fill their stream.

#include "dump/metadata_tables.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <bit>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "dump/pe_image.h"
#include "test_support.h"

using clrdump::ByteView;
using clrdump::dump::BlobCursor;
using clrdump::dump::HeapBlob;
using clrdump::dump::MetadataRoot;
using clrdump::dump::PeFile;
using clrdump::dump::TableId;
using clrdump::dump::TableStream;
using clrdump::dump::TableStreamOptions;

namespace {

std::vector<uint8_t> ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(MetadataTables, CompressedIntegersFollowEcma335) {
  const auto unsigned_of = [](std::vector<uint8_t> b) {
    BlobCursor c{ByteView(b)};
    return c.ReadUnsigned();
  };
  const auto signed_of = [](std::vector<uint8_t> b) {
    BlobCursor c{ByteView(b)};
    return c.ReadSigned();
  };
  EXPECT_EQ(unsigned_of({0x03}), 3u);
  EXPECT_EQ(unsigned_of({0x7F}), 0x7Fu);
  EXPECT_EQ(unsigned_of({0x80, 0x80}), 0x80u);
  EXPECT_EQ(unsigned_of({0xAE, 0x57}), 0x2E57u);
  EXPECT_EQ(unsigned_of({0xC0, 0x00, 0x40, 0x00}), 0x4000u);
  EXPECT_EQ(unsigned_of({0xDF, 0xFF, 0xFF, 0xFF}), 0x1FFFFFFFu);
  EXPECT_EQ(unsigned_of({0xE0, 0, 0, 0}), std::nullopt);
  EXPECT_EQ(unsigned_of({0x80}), std::nullopt);
  EXPECT_EQ(unsigned_of({0xC0, 0, 0}), std::nullopt);
  EXPECT_EQ(signed_of({0x06}), 3);
  EXPECT_EQ(signed_of({0x7B}), -3);
  EXPECT_EQ(signed_of({0x80, 0x80}), 64);
  EXPECT_EQ(signed_of({0x01}), -64);
  EXPECT_EQ(signed_of({0x80, 0x01}), -8192);
  EXPECT_EQ(signed_of({0xDF, 0xFF, 0xFF, 0xFE}), 268435455);
  EXPECT_EQ(signed_of({0xC0, 0x00, 0x00, 0x01}), -268435456);
}

TEST(MetadataTables, IndexWidthsFollowRowCountsIncludingExternalOnes) {
  // A table stream with no tables of its own: widths come only from the
  // external (#Pdb) counts.
  const std::vector<uint8_t> header = WireBytes().U32(0).U8(2).U8(0).U8(0).U8(1).U64(0).U64(0);
  TableStreamOptions options;
  auto narrow = TableStream::Parse(ByteView(header), options);
  ASSERT_TRUE(narrow);
  EXPECT_EQ(narrow->RowSize(TableId::kLocalScope), 16u);             // 4 x 2 + 2 x 4
  EXPECT_EQ(narrow->RowSize(TableId::kCustomDebugInformation), 6u);  // coded, GUID, blob
  options.external_rows[0x06] = 2047;  // MethodDef: still fits 16 - 5 tag bits
  EXPECT_EQ(
      TableStream::Parse(ByteView(header), options)->RowSize(TableId::kCustomDebugInformation), 6u);
  options.external_rows[0x06] = 2048;
  EXPECT_EQ(
      TableStream::Parse(ByteView(header), options)->RowSize(TableId::kCustomDebugInformation), 8u);
  EXPECT_EQ(TableStream::Parse(ByteView(header), options)->RowSize(TableId::kLocalScope), 16u);
  options.external_rows[0x06] = 0x10000;
  EXPECT_EQ(TableStream::Parse(ByteView(header), options)->RowSize(TableId::kLocalScope), 18u);
  options.all_indices_wide = true;
  EXPECT_EQ(TableStream::Parse(ByteView(header), options)->RowSize(TableId::kDocument), 16u);
}

TEST(MetadataTables, HeapBlobsAreLengthPrefixed) {
  const std::vector<uint8_t> heap = {0x00, 0x03, 'a', 'b', 'c', 0x80, 0x02, 'x', 'y', 0x05, 'z'};
  EXPECT_EQ(HeapBlob(ByteView(heap), 0)->size(), 0u);
  const auto abc = HeapBlob(ByteView(heap), 1);
  ASSERT_TRUE(abc);
  EXPECT_EQ(std::string(abc->bytes().begin(), abc->bytes().end()), "abc");
  EXPECT_EQ(HeapBlob(ByteView(heap), 5)->size(), 2u);  // two-byte length 0x0002
  EXPECT_FALSE(HeapBlob(ByteView(heap), 9));           // claims 5 bytes, has 1
  EXPECT_FALSE(HeapBlob(ByteView(heap), 11));          // past the heap
  EXPECT_FALSE(HeapBlob(ByteView(heap), 0xFFFFFFFF));
}

// Roslyn pads the #~ stream to 4 bytes after a terminating zero, so the
// tables must end at most 4 bytes before the stream does.
TEST(MetadataTables, RowSizesOfARealAssemblyFillItsTableStream) {
  const auto dll = ReadBytes(std::string(CLRDUMP_TEST_DATA_DIR) + "/pdb/portable/Fixture.dll");
  auto pe = PeFile::Parse(dll, "Fixture.dll");
  ASSERT_TRUE(pe);
  auto metadata = pe->Metadata();
  ASSERT_TRUE(metadata);
  auto root = MetadataRoot::Parse(*metadata);
  ASSERT_TRUE(root) << root.error().message;
  EXPECT_EQ(root->version(), "v4.0.30319");
  const auto stream = root->Stream("#~");
  ASSERT_TRUE(stream);
  auto tables = TableStream::Parse(*stream, {});
  ASSERT_TRUE(tables) << tables.error().message;
  uint64_t end = 24 + 4 * static_cast<uint64_t>(std::popcount(tables->valid_mask()));
  for (uint8_t t = 0; t < 64; ++t) {
    if ((tables->valid_mask() >> t & 1) == 0) continue;
    end += uint64_t{tables->RowCount(TableId{t})} * tables->RowSize(TableId{t});
  }
  EXPECT_LE(end, stream->size());
  EXPECT_GT(end + 4, stream->size());
  EXPECT_EQ(tables->RowCount(TableId::kMethodDef), 4u);  // Add, Loop, Thrower, Mapped
  EXPECT_EQ(tables->RowCount(TableId::kTypeDef), 2u);    // <Module>, Sample
  // MethodDef row 1 is Add: RVA, ImplFlags, Flags (public static = 0x96).
  EXPECT_EQ(tables->Cell(TableId::kMethodDef, 1, 2), 0x96u);
  EXPECT_FALSE(tables->Cell(TableId::kMethodDef, 5, 0));
  EXPECT_FALSE(tables->Cell(TableId::kMethodDef, 1, 6));
}

TEST(MetadataTables, RejectsUnknownTablesAndOversizedCounts) {
  const std::vector<uint8_t> unknown =
      WireBytes().U32(0).U8(2).U8(0).U8(0).U8(1).U64(uint64_t{1} << 0x2D).U64(0).U32(1);
  EXPECT_FALSE(TableStream::Parse(ByteView(unknown), {}));
  const std::vector<uint8_t> huge =
      WireBytes().U32(0).U8(2).U8(0).U8(0).U8(1).U64(uint64_t{1} << 0x30).U64(0).U32(0x1000000);
  EXPECT_FALSE(TableStream::Parse(ByteView(huge), {}));
  const std::vector<uint8_t> short_table =  // one Document row needs 8 bytes
      WireBytes().U32(0).U8(2).U8(0).U8(0).U8(1).U64(uint64_t{1} << 0x30).U64(0).U32(1).U32(0);
  EXPECT_FALSE(TableStream::Parse(ByteView(short_table), {}));
}

}  // namespace
