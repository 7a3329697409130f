// Type, field and method names from metadata as SOS prints them: checked on
// a real assembly, and on hand-built metadata with a nested type, since
// the fixture assembly has none.

#include "dump/metadata_names.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "dump/pe_image.h"
#include "test_support.h"

using clrdump::dump::MetadataNames;
using clrdump::dump::PeFile;

namespace {

std::vector<uint8_t> ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Pads to a multiple of four, as stream sizes and names are.
std::vector<uint8_t> Padded(std::vector<uint8_t> bytes) {
  while (bytes.size() % 4 != 0) bytes.push_back(0);
  return bytes;
}

// Metadata with TypeDefs <Module>, My.Space.Outer and Outer+Inner (nested),
// fields _count (of Outer) and _next (of Inner), and a method Run.
std::vector<uint8_t> NestedTypeMetadata() {
  static constexpr char kStrings[] = "\0<Module>\0Outer\0Inner\0My.Space\0_count\0_next\0Run";
  const std::string strings(kStrings, sizeof kStrings);
  enum : uint16_t {
    kModule = 1,
    kOuter = 10,
    kInner = 16,
    kSpace = 22,
    kCount = 31,
    kNext = 38,
    kRun = 44
  };
  const uint64_t valid = (1ull << 0x02) | (1ull << 0x04) | (1ull << 0x06) | (1ull << 0x29);
  WireBytes tables;
  tables.U32(0).U8(2).U8(0).U8(0).U8(1).U64(valid).U64(0);
  tables.U32(3).U32(2).U32(1).U32(1);  // rows: TypeDef, Field, MethodDef, NestedClass
  // TypeDef: Flags, Name, Namespace, Extends, FieldList, MethodList.
  tables.U32(0).U16(kModule).U16(0).U16(0).U16(1).U16(1);
  tables.U32(0x1).U16(kOuter).U16(kSpace).U16(0).U16(1).U16(1);
  tables.U32(0x2).U16(kInner).U16(0).U16(0).U16(2).U16(2);  // NestedPublic
  // Field: Flags, Name, Signature.
  tables.U16(0x1).U16(kCount).U16(0);
  tables.U16(0x1).U16(kNext).U16(0);
  // MethodDef: RVA, ImplFlags, Flags, Name, Signature, ParamList.
  tables.U32(0).U16(0).U16(0x6).U16(kRun).U16(0).U16(1);
  // NestedClass: Nested, Enclosing.
  tables.U16(3).U16(2);
  const auto table_bytes = Padded(tables.bytes());
  const auto string_bytes = Padded(std::vector<uint8_t>(strings.begin(), strings.end()));

  const std::string version("v4.0.30319\0\0", 12);
  const uint32_t headers = 16 + 12 + 4 + (8 + 4) + (8 + 12);
  WireBytes root;
  root.U32(0x424A5342).U16(1).U16(1).U32(0).U32(12).Raw(version).U16(0).U16(2);
  root.U32(headers).U32(static_cast<uint32_t>(table_bytes.size())).Raw(std::string("#~\0\0", 4));
  root.U32(headers + static_cast<uint32_t>(table_bytes.size()))
      .U32(static_cast<uint32_t>(string_bytes.size()))
      .Raw(std::string("#Strings\0\0\0\0", 12));
  root.Raw(table_bytes).Raw(string_bytes);
  return root.bytes();
}

TEST(MetadataNames, NamesTypesMethodsOfARealAssembly) {
  const auto dll = ReadBytes(std::string(CLRDUMP_TEST_DATA_DIR) + "/pdb/portable/Fixture.dll");
  auto pe = PeFile::Parse(dll, "Fixture.dll");
  ASSERT_TRUE(pe);
  auto metadata = pe->Metadata();
  ASSERT_TRUE(metadata);
  auto names = MetadataNames::Parse(*metadata);
  ASSERT_TRUE(names) << names.error().message;
  EXPECT_EQ(names->TypeDefName(1), "<Module>");
  EXPECT_EQ(names->TypeDefName(2), "PdbFixture.Sample");
  EXPECT_EQ(names->MethodName(1), "Add");
  EXPECT_EQ(names->MethodName(4), "Mapped");
  EXPECT_EQ(names->MethodOwner(1), 2u);  // Sample
  EXPECT_EQ(names->MethodOwner(4), 2u);
  EXPECT_EQ(names->TypeDefName(3), std::nullopt);
  EXPECT_EQ(names->MethodName(0), std::nullopt);
}

TEST(MetadataNames, NestedTypesJoinTheirEnclosingTypeWithPlus) {
  const auto bytes = NestedTypeMetadata();
  auto names = MetadataNames::Parse(bytes);
  ASSERT_TRUE(names) << names.error().message;
  EXPECT_EQ(names->TypeDefName(2), "My.Space.Outer");
  EXPECT_EQ(names->TypeDefName(3), "My.Space.Outer+Inner");
  EXPECT_EQ(names->FieldName(1), "_count");
  EXPECT_EQ(names->FieldName(2), "_next");
  EXPECT_EQ(names->FieldName(3), std::nullopt);
  EXPECT_EQ(names->MethodName(1), "Run");
  EXPECT_EQ(names->MethodOwner(1), 2u);  // Outer owns [1, 2); Inner's list is empty
  EXPECT_EQ(names->MethodOwner(2), std::nullopt);
}

TEST(MetadataNames, ANestedTypeWithoutItsEnclosingRowHasNoName) {
  auto bytes = NestedTypeMetadata();
  // Make row 2 (Outer) nested too: the NestedClass table does not list it.
  const std::vector<uint8_t> outer_row = {0x01, 0, 0, 0, 10, 0, 22, 0};
  auto at = std::search(bytes.begin(), bytes.end(), outer_row.begin(), outer_row.end());
  ASSERT_NE(at, bytes.end());
  *at = 0x02;
  auto names = MetadataNames::Parse(bytes);
  ASSERT_TRUE(names);
  EXPECT_EQ(names->TypeDefName(2), std::nullopt);
  EXPECT_EQ(names->TypeDefName(3), std::nullopt);
}

TEST(MetadataNames, RejectsBytesThatAreNotMetadata) {
  const std::vector<uint8_t> junk(64, 0xAB);
  EXPECT_FALSE(MetadataNames::Parse(junk));
  auto bytes = NestedTypeMetadata();
  bytes.resize(40);  // stream headers point past the end
  EXPECT_FALSE(MetadataNames::Parse(bytes));
}

}  // namespace
