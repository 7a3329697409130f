// UTF-8 <-> UTF-16 conversion decides what path the runtime is asked to
// write and how wide `ps` columns are, so it must be exact for valid text
// and must never let malformed input decode to something else.

#include "base/strings.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <string>

using clrdump::ErrnoText;
using clrdump::Split;
using clrdump::StartsWith;
using clrdump::TrimWhitespace;
using clrdump::Utf16ToUtf8;
using clrdump::Utf8ToUtf16;
using ::testing::ElementsAre;

static const char16_t kReplacement = 0xFFFD;
static const std::string kReplacementUtf8 = "\xEF\xBF\xBD";

TEST(Utf8ToUtf16Test, EncodesEveryUtf8Length) {
  EXPECT_EQ(Utf8ToUtf16("A"), u"A");
  EXPECT_EQ(Utf8ToUtf16("\xC3\xA9"), u"\u00E9");      // 2 bytes
  EXPECT_EQ(Utf8ToUtf16("\xE6\x97\xA5"), u"\u65E5");  // 3 bytes
  // 4 bytes, outside the BMP: a surrogate pair.
  EXPECT_EQ(Utf8ToUtf16("\xF0\x9F\x98\x80"), (std::u16string{char16_t{0xD83D}, char16_t{0xDE00}}));
  EXPECT_EQ(Utf8ToUtf16("\xF4\x8F\xBF\xBF"), (std::u16string{char16_t{0xDBFF}, char16_t{0xDFFF}}));
  EXPECT_EQ(Utf8ToUtf16(""), u"");
}

TEST(Utf8ToUtf16Test, KeepsEmbeddedNul) {
  EXPECT_EQ(Utf8ToUtf16(std::string("a\0b", 3)), (std::u16string{u'a', 0, u'b'}));
}

TEST(Utf8ToUtf16Test, InvalidBytesBecomeReplacementCharacters) {
  EXPECT_EQ(Utf8ToUtf16("\xFF"), std::u16string(1, kReplacement));
  EXPECT_EQ(Utf8ToUtf16("a\xFF"
                        "b"),
            (std::u16string{u'a', kReplacement, u'b'}));
  EXPECT_EQ(Utf8ToUtf16("\x80"), std::u16string(1, kReplacement));      // lone continuation
  EXPECT_EQ(Utf8ToUtf16("\xE6\x97"), std::u16string(1, kReplacement));  // truncated at end
}

TEST(Utf8ToUtf16Test, TruncatedSequenceDoesNotSwallowTheNextCharacter) {
  EXPECT_EQ(Utf8ToUtf16("\xE6\x97"
                        "A"),
            (std::u16string{kReplacement, u'A'}));
  EXPECT_EQ(Utf8ToUtf16("\xC3/"), (std::u16string{kReplacement, u'/'}));
}

TEST(Utf8ToUtf16Test, OverlongAndSurrogateEncodingsNeverDecode) {
  // An overlong '/' must not become a path separator.
  const std::u16string overlong = Utf8ToUtf16("\xC0\xAF");
  EXPECT_EQ(overlong.find(u'/'), std::u16string::npos);
  EXPECT_NE(overlong.find(kReplacement), std::u16string::npos);
  // CESU-style encoded surrogates must not produce raw surrogate units.
  const std::u16string surrogate = Utf8ToUtf16("\xED\xA0\x80");
  for (char16_t unit : surrogate) EXPECT_EQ(unit, kReplacement);
  // Beyond U+10FFFF.
  const std::u16string too_big = Utf8ToUtf16("\xF4\x90\x80\x80");
  ASSERT_FALSE(too_big.empty());
  for (char16_t unit : too_big) EXPECT_EQ(unit, kReplacement);
}

TEST(Utf16ToUtf8Test, EncodesEveryUtf8Length) {
  EXPECT_EQ(Utf16ToUtf8(u"A"), "A");
  EXPECT_EQ(Utf16ToUtf8(u"\u00E9"), "\xC3\xA9");
  EXPECT_EQ(Utf16ToUtf8(u"\u65E5"), "\xE6\x97\xA5");
  EXPECT_EQ(Utf16ToUtf8(std::u16string{char16_t{0xD83D}, char16_t{0xDE00}}), "\xF0\x9F\x98\x80");
}

TEST(Utf16ToUtf8Test, UnpairedSurrogatesBecomeReplacementCharacters) {
  const char16_t high = 0xD83D;
  const char16_t low = 0xDE00;
  EXPECT_EQ(Utf16ToUtf8(std::u16string{u'a', high}), "a" + kReplacementUtf8);
  EXPECT_EQ(Utf16ToUtf8(std::u16string{low, u'a'}), kReplacementUtf8 + "a");
  EXPECT_EQ(Utf16ToUtf8(std::u16string{high, u'b'}), kReplacementUtf8 + "b");
  // Reversed order is two unpaired surrogates, not a pair.
  EXPECT_EQ(Utf16ToUtf8(std::u16string{low, high}), kReplacementUtf8 + kReplacementUtf8);
}

TEST(Utf16ToUtf8Test, RoundTripsValidText) {
  for (const std::string text : {"", "plain", "/tmp/d\xC3\xBCmp", "\xE6\x97\xA5\xE6\x9C\xAC",
                                 "\xF0\x9F\x98\x80 x", "\xF0\x90\x80\x80\xF4\x8F\xBF\xBF"}) {
    EXPECT_EQ(Utf16ToUtf8(Utf8ToUtf16(text)), text);
  }
}

TEST(SplitTest, KeepsEmptyFields) {
  // /proc/<pid>/cmdline ends with NUL: the trailing empty element matters.
  EXPECT_THAT(Split(std::string("a\0b\0", 4), '\0'), ElementsAre("a", "b", ""));
  EXPECT_THAT(Split("a,,b", ','), ElementsAre("a", "", "b"));
  EXPECT_THAT(Split("", ','), ElementsAre(""));
  EXPECT_THAT(Split("abc", ','), ElementsAre("abc"));
}

TEST(TrimWhitespaceTest, TrimsBothEnds) {
  EXPECT_EQ(TrimWhitespace(" \t x y \r\n"), "x y");
  EXPECT_EQ(TrimWhitespace("   "), "");
  EXPECT_EQ(TrimWhitespace(""), "");
  EXPECT_EQ(TrimWhitespace("x"), "x");
}

TEST(StartsWithTest, ComparesPrefix) {
  EXPECT_TRUE(StartsWith("dotnet-diagnostic-1", "dotnet-"));
  EXPECT_TRUE(StartsWith("abc", ""));
  EXPECT_FALSE(StartsWith("ab", "abc"));
  EXPECT_FALSE(StartsWith("xbc", "a"));
}

TEST(ErrnoTextTest, ReturnsTheSystemMessage) {
  EXPECT_EQ(ErrnoText(ENOENT), "No such file or directory");
  EXPECT_EQ(ErrnoText(EACCES), "Permission denied");
}
