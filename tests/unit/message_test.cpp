// The diagnostics IPC framing: a runtime silently drops a request whose
// bytes are off by one, so the encoder is pinned to literal bytes here, and
// the decoder/reader are fed every kind of short or lying input.

#include "ipc/message.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "ipc/protocol.h"
#include "test_support.h"

using clrdump::ErrorCode;
using clrdump::ipc::CommandSet;
using clrdump::ipc::DecodeHeader;
using clrdump::ipc::EncodeMessage;
using clrdump::ipc::PayloadReader;
using clrdump::ipc::PayloadWriter;
using ::testing::ElementsAreArray;

// A valid 20-byte header with the given size field, for decoder tests.
static std::vector<uint8_t> HeaderWithSize(uint16_t size) {
  return WireBytes().Raw(std::string_view("DOTNET_IPC_V1\0", 14)).U16(size).U8(0xFF).U8(0).U16(0);
}

TEST(EncodeMessageTest, GenerateCoreDump3RequestIsByteExact) {
  // Written out by hand from ipc-protocol.md so that the encoder and the
  // expectation cannot share a mistake.
  // clang-format off
  const std::vector<uint8_t> expected = {
      'D', 'O', 'T', 'N', 'E', 'T', '_', 'I', 'P', 'C', '_', 'V', '1', 0x00,  // magic
      0x38, 0x00,              // size 56
      0x01, 0x03,              // Dump, v3
      0x00, 0x00,              // reserved
      0x0C, 0x00, 0x00, 0x00,  // 12 UTF-16 units: 11 characters and the NUL
      '/', 0, 't', 0, 'm', 0, 'p', 0, '/', 0, 'c', 0, 'o', 0, 'r', 0, 'e', 0, '_', 0, 'x', 0,
      0x00, 0x00,              // terminator
      0x04, 0x00, 0x00, 0x00,  // DumpType Full
      0x00, 0x00, 0x00, 0x00,  // flags
  };
  // clang-format on
  PayloadWriter writer;
  writer.String("/tmp/core_x");
  writer.U32(static_cast<uint32_t>(clrdump::ipc::DumpType::kFull));
  writer.U32(0);
  EXPECT_EQ(writer.bytes().size(), 36u);

  auto message =
      EncodeMessage(CommandSet::kDump, clrdump::ipc::dump_cmd::kGenerateCoreDump3, writer.bytes());
  ASSERT_TRUE(message.ok()) << message.error().message;
  EXPECT_THAT(*message, ElementsAreArray(expected));
}

TEST(EncodeMessageTest, EmptyPayloadIsABareHeaderOfSize20) {
  auto message = EncodeMessage(CommandSet::kProcess, clrdump::ipc::process_cmd::kProcessInfo3, {});
  ASSERT_TRUE(message.ok());
  EXPECT_EQ(*message, IpcMessageBytes(0x04, 0x08, {}));
}

TEST(EncodeMessageTest, AcceptsTheLargestMessageTheSizeFieldCanHold) {
  const std::vector<uint8_t> payload(65535 - 20, 0xAB);
  auto message = EncodeMessage(CommandSet::kDump, 1, payload);
  ASSERT_TRUE(message.ok()) << message.error().message;
  ASSERT_EQ(message->size(), 65535u);
  EXPECT_EQ((*message)[14], 0xFF);
  EXPECT_EQ((*message)[15], 0xFF);
  EXPECT_EQ(message->back(), 0xAB);
}

TEST(EncodeMessageTest, RefusesAMessageTheSizeFieldCannotHold) {
  // One byte more would wrap the u16 size to 0 and desynchronize the stream.
  const std::vector<uint8_t> payload(65535 - 20 + 1, 0);
  auto message = EncodeMessage(CommandSet::kDump, 1, payload);
  ASSERT_FALSE(message.ok());
  EXPECT_EQ(message.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(message.error().message,
            "diagnostics message of 65536 bytes exceeds the protocol limit of 65535 bytes");
}

TEST(PayloadWriterTest, WritesLittleEndianIntegers) {
  PayloadWriter writer;
  writer.U32(0x11223344);
  writer.U64(0x0102030405060708ull);
  EXPECT_THAT(writer.bytes(),
              ElementsAreArray(std::vector<uint8_t>{0x44, 0x33, 0x22, 0x11, 0x08, 0x07, 0x06, 0x05,
                                                    0x04, 0x03, 0x02, 0x01}));
}

TEST(PayloadWriterTest, EmptyStringIsCountOneAndATerminator) {
  PayloadWriter writer;
  writer.String("");
  EXPECT_THAT(writer.bytes(), ElementsAreArray(std::vector<uint8_t>{1, 0, 0, 0, 0, 0}));
}

TEST(PayloadWriterTest, StringCountIsInUtf16UnitsNotBytesOrCodePoints) {
  // "é" is 2 UTF-8 bytes and 1 unit; U+1F600 is 4 bytes, 1 code point and
  // 2 units (a surrogate pair).
  PayloadWriter writer;
  writer.String("\xC3\xA9\xF0\x9F\x98\x80");
  EXPECT_THAT(writer.bytes(), ElementsAreArray(std::vector<uint8_t>{4, 0, 0, 0, 0xE9, 0x00, 0x3D,
                                                                    0xD8, 0x00, 0xDE, 0, 0}));
}

TEST(DecodeHeaderTest, ParsesEveryField) {
  const std::vector<uint8_t> bytes = WireBytes()
                                         .Raw(std::string_view("DOTNET_IPC_V1\0", 14))
                                         .U16(0x1234)
                                         .U8(0xFF)
                                         .U8(0x7F)
                                         .U16(0xBEEF);
  auto header = DecodeHeader(bytes);
  ASSERT_TRUE(header.ok()) << header.error().message;
  EXPECT_EQ(header->size, 0x1234);
  EXPECT_EQ(header->command_set, 0xFF);
  EXPECT_EQ(header->command_id, 0x7F);
  EXPECT_EQ(header->reserved, 0xBEEF);
}

TEST(DecodeHeaderTest, AcceptsAHeaderOnlyMessage) {
  auto header = DecodeHeader(HeaderWithSize(20));
  ASSERT_TRUE(header.ok()) << header.error().message;
  EXPECT_EQ(header->size, 20);
}

TEST(DecodeHeaderTest, RejectsWrongMagic) {
  auto v2 = HeaderWithSize(24);
  v2[12] = '2';  // DOTNET_IPC_V2
  auto no_nul = HeaderWithSize(24);
  no_nul[13] = 'X';  // the NUL is part of the magic
  for (const auto& bytes : {v2, no_nul}) {
    auto header = DecodeHeader(bytes);
    ASSERT_FALSE(header.ok());
    EXPECT_EQ(header.error().code, ErrorCode::kMalformedInput);
    EXPECT_EQ(header.error().message,
              "reply does not start with the DOTNET_IPC_V1 magic (bytes 0-13)");
  }
}

TEST(DecodeHeaderTest, RejectsSizeSmallerThanTheHeader) {
  // A size below 20 would make the payload length negative.
  for (uint16_t size : {uint16_t{0}, uint16_t{19}}) {
    auto header = DecodeHeader(HeaderWithSize(size));
    ASSERT_FALSE(header.ok()) << size;
    EXPECT_EQ(header.error().code, ErrorCode::kMalformedInput);
    EXPECT_EQ(header.error().message, "reply header size field (offset 14) is " +
                                          std::to_string(size) + ", less than the 20-byte header");
  }
}

TEST(DecodeHeaderTest, RejectsShortBuffers) {
  const auto full = HeaderWithSize(24);
  for (size_t length : {size_t{0}, size_t{13}, size_t{19}}) {
    auto header = DecodeHeader(std::span<const uint8_t>(full.data(), length));
    ASSERT_FALSE(header.ok()) << length;
    EXPECT_EQ(header.error().code, ErrorCode::kMalformedInput);
    EXPECT_EQ(header.error().message,
              "reply header is " + std::to_string(length) + " bytes, expected 20");
  }
}

TEST(PayloadReaderTest, ReadsFieldsInOrderAndTracksOffset) {
  const std::vector<uint8_t> payload = WireBytes()
                                           .U32(7)
                                           .U64(0x1122334455667788ull)
                                           .Raw(std::string_view("\x01\x02\x03", 3))
                                           .String(u"x64");
  PayloadReader reader(payload);
  auto a = reader.U32("a");
  auto b = reader.U64("b");
  auto c = reader.Bytes("c", 3);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(*a, 7u);
  EXPECT_EQ(*b, 0x1122334455667788ull);
  EXPECT_THAT(*c, ElementsAreArray(std::vector<uint8_t>{1, 2, 3}));
  EXPECT_EQ(reader.offset(), 15u);
  auto d = reader.String("d");
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(*d, "x64");
  EXPECT_EQ(reader.remaining(), 0u);
}

TEST(PayloadReaderTest, U32PastTheEndNamesFieldOffsetAndSizes) {
  const std::vector<uint8_t> payload = {1, 0, 0, 0, 9, 9};
  PayloadReader reader(payload);
  ASSERT_TRUE(reader.U32("first").ok());
  auto second = reader.U32("second");
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::kMalformedInput);
  EXPECT_EQ(second.error().message,
            "reply field 'second' at payload offset 4 needs 4 bytes, but only 2 remain");
  // A failed read consumes nothing.
  EXPECT_EQ(reader.offset(), 4u);
}

TEST(PayloadReaderTest, U64AndBytesPastTheEndFail) {
  const std::vector<uint8_t> payload(7, 0);
  PayloadReader reader(payload);
  auto pid = reader.U64("processId");
  ASSERT_FALSE(pid.ok());
  EXPECT_EQ(pid.error().message,
            "reply field 'processId' at payload offset 0 needs 8 bytes, but only 7 remain");
  auto cookie = reader.Bytes("runtimeCookie", 16);
  ASSERT_FALSE(cookie.ok());
  EXPECT_EQ(cookie.error().message,
            "reply field 'runtimeCookie' at payload offset 0 needs 16 bytes, but only 7 remain");
}

TEST(PayloadReaderTest, StringCountBeyondThePayloadFailsWithoutReading) {
  // The count claims 5 units (10 bytes) but only 4 bytes follow.
  const std::vector<uint8_t> payload = WireBytes().U32(0).U32(5).Utf16(u"ab");
  PayloadReader reader(payload);
  ASSERT_TRUE(reader.U32("version").ok());
  auto text = reader.String("commandLine");
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().code, ErrorCode::kMalformedInput);
  EXPECT_EQ(text.error().message,
            "reply string 'commandLine' at payload offset 4 claims 5 UTF-16 units, but only 4 "
            "bytes remain");
}

TEST(PayloadReaderTest, HugeStringCountDoesNotAllocateOrOverflow) {
  const std::vector<uint8_t> payload = WireBytes().U32(0xFFFFFFFF).Utf16(u"ab");
  PayloadReader reader(payload);
  auto text = reader.String("OS");
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().message,
            "reply string 'OS' at payload offset 0 claims 4294967295 UTF-16 units, but only 4 "
            "bytes remain");
}

TEST(PayloadReaderTest, StringCountOfZeroIsANullStringReadAsEmpty) {
  const std::vector<uint8_t> payload = WireBytes().U32(0).U32(42);
  PayloadReader reader(payload);
  auto text = reader.String("rid");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "");
  auto next = reader.U32("next");
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(*next, 42u);
}

TEST(PayloadReaderTest, StringWithoutTerminatorIsTolerated) {
  const std::vector<uint8_t> payload = WireBytes().U32(2).Utf16(u"hi");
  PayloadReader reader(payload);
  auto text = reader.String("arch");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "hi");
  EXPECT_EQ(reader.remaining(), 0u);
}

TEST(PayloadReaderTest, WriterAndReaderRoundTripNonAsciiStrings) {
  const std::string path = "/tmp/d\xC3\xBCmp \xE6\x97\xA5 \xF0\x9F\x98\x80";
  PayloadWriter writer;
  writer.String(path);
  writer.U32(3);
  PayloadReader reader(writer.bytes());
  auto text = reader.String("path");
  ASSERT_TRUE(text.ok()) << text.error().message;
  EXPECT_EQ(*text, path);
  auto tail = reader.U32("tail");
  ASSERT_TRUE(tail.ok());
  EXPECT_EQ(*tail, 3u);
}
