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
