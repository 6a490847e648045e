#include <gtest/gtest.h>

#include <cstdint>

#include "tai/core/parse.h"

namespace tai {
namespace {

constexpr int64_t kS = 1'000'000'000;

TEST(ParseTimeTest, Rfc3339) {
  EXPECT_EQ(*ParseRfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*ParseRfc3339("2023-11-14T22:13:20Z"), 1'700'000'000 * kS);
  EXPECT_EQ(*ParseRfc3339("2023-11-14T22:13:20.25Z"), 1'700'000'000 * kS + kS / 4);
  EXPECT_EQ(*ParseRfc3339("2023-11-15T00:13:20.000000001+02:00"), 1'700'000'000 * kS + 1);
  EXPECT_EQ(*ParseRfc3339("2023-11-14T21:13:20-01:00"), 1'700'000'000 * kS);
  EXPECT_EQ(*ParseRfc3339("2024-02-29T00:00:00Z"), 1'709'164'800 * kS);
  for (const char* bad : {"2023-11-14", "2023-11-14T22:13:20", "2023-02-30T00:00:00Z",
                          "2023-11-14T25:00:00Z", "2023-11-14T22:13:20.Z", "2023-11-14T22:13Z",
                          "2023-11-14T22:13:20Zjunk", "2023-11-14T22:13:20+2:00"}) {
    EXPECT_FALSE(ParseRfc3339(bad).ok()) << bad;
  }
  EXPECT_NE(ParseRfc3339("2023-11-14T22:13:20").status().message().find("time zone"),
            std::string::npos);
}

TEST(ParseTimeTest, DurationsWithDaysAndWeeks) {
  EXPECT_EQ(*ParseDurationNanos("250ms"), 250'000'000);
  EXPECT_EQ(*ParseDurationNanos("90"), 90 * kS);
  EXPECT_EQ(*ParseDurationNanos("2h"), 7200 * kS);
  EXPECT_EQ(*ParseDurationNanos("7d"), 7 * 86'400 * kS);
  EXPECT_EQ(*ParseDurationNanos("1w"), 7 * 86'400 * kS);
  EXPECT_EQ(*ParseDurationNanos("1.5d"), 129'600 * kS);
  // "170000w" and "nand" were found by tests/fuzz/query_params_fuzz.cc
  // (int64 overflow, NaN).
  for (const char* bad : {"", "d", "-1d", "xd", "1y", "1e9w", "170000w", "nand", "36501d"}) {
    EXPECT_FALSE(ParseDurationNanos(bad).ok()) << bad;
  }
}

TEST(ParseTimeTest, TimesAbsoluteUnixAndRelative) {
  const int64_t now = 1'700'000'000 * kS;
  EXPECT_EQ(*ParseTime("now", now), now);
  EXPECT_EQ(*ParseTime("now-1h", now), now - 3600 * kS);
  EXPECT_EQ(*ParseTime("now+30s", now), now + 30 * kS);
  EXPECT_EQ(*ParseTime("now-7d", now), now - 7 * 86'400 * kS);
  EXPECT_EQ(*ParseTime("1700000000", now), now);
  EXPECT_EQ(*ParseTime("1700000000.5", now), now + kS / 2);
  EXPECT_EQ(*ParseTime("2023-11-14T22:13:20Z", now), now);
  for (const char* bad :
       {"", "yesterday", "now-", "now-1y", "1.2.3", "99999999999", "-5", "now+2562047h"}) {
    EXPECT_FALSE(ParseTime(bad, now).ok()) << bad;
  }
}

}  // namespace
}  // namespace tai
