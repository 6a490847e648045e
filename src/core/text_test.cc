#include "core/text.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tai/core/clock.h"

namespace tai::internal {
namespace {

std::string Json(std::string_view s) {
  std::string out;
  AppendJsonString(out, s);
  return out;
}

TEST(TextTest, JsonEscapesQuotesControlsAndBadUtf8) {
  EXPECT_EQ(Json("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(Json(std::string_view("\n\t\x01\0", 4)), R"("\n\t\u0001\u0000")");
  EXPECT_EQ(Json("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
  EXPECT_EQ(Json("\xff"), "\"\xEF\xBF\xBD\"");
  EXPECT_EQ(Json("\xc0\xaf"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");                  // overlong
  EXPECT_EQ(Json("\xed\xa0\x80"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");  // surrogate
}

TEST(TextTest, EveryByteSequenceGivesValidJson) {
  std::string hostile;
  for (int i = 0; i < 256; ++i) hostile += static_cast<char>(i);
  hostile += "\xe2\x82";  // truncated sequence at the end
  auto parsed = nlohmann::json::parse(Json(hostile));
  EXPECT_TRUE(parsed.is_string());
}

TEST(TextTest, Utf8Validation) {
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("\xf0\x9f\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xf0\x9f\x98"));
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // past U+10FFFF
}

TEST(TextTest, NumbersRoundTrip) {
  std::string s;
  AppendDouble(s, 0.1);
  EXPECT_EQ(s, "0.1");
  s.clear();
  AppendDouble(s, 1.0 / 0.0);
  EXPECT_EQ(s, "+Inf");
  s.clear();
  AppendInt(s, -42);
  EXPECT_EQ(s, "-42");
}

// The word-at-a-time hex code against a digit-by-digit reference: every
// byte value in every position of an 8-character word and of the tail.
TEST(TextTest, HexWritesEveryByteInEveryPosition) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (int v = 0; v < 256; ++v) {
    for (size_t at = 0; at < 6; ++at) {
      uint8_t bytes[6] = {0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc};
      bytes[at] = static_cast<uint8_t>(v);
      std::string want;
      for (uint8_t b : bytes) {
        want += kDigits[b >> 4];
        want += kDigits[b & 0xF];
      }
      std::string got = "x";
      AppendHex(got, bytes, sizeof bytes);
      ASSERT_EQ(got, "x" + want) << v << " at " << at;
      uint8_t back[6];
      ASSERT_TRUE(ParseLowerHex(want, back, sizeof back));
      ASSERT_EQ(std::string_view(reinterpret_cast<char*>(back), 6),
                std::string_view(reinterpret_cast<char*>(bytes), 6));
    }
  }
}

TEST(TextTest, ParseLowerHexRejectsEveryOtherCharacterInEveryPosition) {
  for (int c = 0; c < 256; ++c) {
    const bool digit = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    EXPECT_EQ(LowerHexDigit(static_cast<char>(c)) >= 0, digit) << c;
    for (size_t at = 0; at < 12; ++at) {
      std::string hex = "0123456789ab";  // a word and a tail
      hex[at] = static_cast<char>(c);
      uint8_t out[6];
      ASSERT_EQ(ParseLowerHex(hex, out, sizeof out), digit) << c << " at " << at;
    }
  }
  uint8_t out[4];
  EXPECT_FALSE(ParseLowerHex("0123456", out, 4));  // one short
  EXPECT_TRUE(ParseLowerHex("", out, 0));
  ASSERT_TRUE(ParseLowerHex("ff00a9", out, 3));
  EXPECT_EQ(out[0], 0xff);
  EXPECT_EQ(out[1], 0x00);
  EXPECT_EQ(out[2], 0xa9);
}

TEST(ClockTest, Rfc3339HasNanoseconds) {
  EXPECT_EQ(FormatRfc3339(1769337000123456789LL), "2026-01-25T10:30:00.123456789Z");
  EXPECT_EQ(FormatRfc3339(0), "1970-01-01T00:00:00.000000000Z");
  EXPECT_GT(WallNanos(), 1700000000LL * 1000000000LL);
  int64_t a = MonotonicNanos();
  EXPECT_GE(MonotonicNanos(), a);
}

}  // namespace
}  // namespace tai::internal

namespace tai::internal {
namespace {

TEST(StringPrintfTest, FormatsShortAndLongResults) {
  EXPECT_EQ(StringPrintf("%d-%s %.1f%%", 7, "x", 12.25), "7-x 12.2%");
  std::string long_arg(1000, 'a');
  EXPECT_EQ(StringPrintf("[%s]", long_arg.c_str()), "[" + long_arg + "]");
}

}  // namespace
}  // namespace tai::internal
