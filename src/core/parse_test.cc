#include "tai/core/parse.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "tai/core/resource.h"

namespace tai {
namespace {

TEST(ParseTest, Durations) {
  EXPECT_EQ(*ParseDuration("10"), std::chrono::seconds(10));
  EXPECT_EQ(*ParseDuration("1.5s"), std::chrono::milliseconds(1500));
  EXPECT_EQ(*ParseDuration("2m"), std::chrono::minutes(2));
  EXPECT_EQ(*ParseDuration("1h"), std::chrono::hours(1));
  EXPECT_FALSE(ParseDuration("").ok());
  EXPECT_FALSE(ParseDuration("-1s").ok());
  // Found by tests/fuzz/config_fuzz.cc: NaN passed every bound and was cast
  // to an integer (undefined behaviour).
  EXPECT_EQ(ParseDuration("nan").status().message(),
            "duration 'nan' does not start with a non-negative number");
  EXPECT_FALSE(ParseDuration("inf").ok());
  EXPECT_EQ(ParseDuration("3 weeks").status().message(),
            "duration '3 weeks' has unit ' weeks'; use ms, s, m or h");
}

TEST(ParseTest, HostPort) {
  std::string host;
  int port;
  ASSERT_TRUE(ParseHostPort("[::1]:8080", &host, &port).ok());
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 8080);
  EXPECT_FALSE(ParseHostPort("nohost", &host, &port).ok());
  EXPECT_FALSE(ParseHostPort(":80", &host, &port).ok());
}

TEST(ParseTest, KeyValueListsArePercentDecoded) {
  auto pairs = ParseKeyValueList(" a = 1 ,, b=two%20words ");
  ASSERT_TRUE(pairs.ok()) << pairs.status().ToString();
  ASSERT_EQ(pairs->size(), 2u);
  EXPECT_EQ((*pairs)[0], (std::pair<std::string, std::string>{"a", "1"}));
  EXPECT_EQ((*pairs)[1], (std::pair<std::string, std::string>{"b", "two words"}));
  EXPECT_EQ(ParseKeyValueList("a=1,b").status().message(), "'b' is not key=value");
  EXPECT_EQ(ParseKeyValueList("=1").status().message(), "'=1' has an empty key");
}

TEST(ParseTest, PercentDecodeKeepsMalformedEscapes) {
  EXPECT_EQ(PercentDecode("a%20b%3D%22c%22"), "a b=\"c\"");
  EXPECT_EQ(PercentDecode("100%"), "100%");
  EXPECT_EQ(PercentDecode("%zz%4"), "%zz%4");
  EXPECT_EQ(PercentDecode("%-1%+f"), "%-1%+f");  // signs are not hex digits
  EXPECT_EQ(PercentDecode("a+b"), "a+b");  // '+' is a query string's business
}

TEST(ParseTest, ListsBoolsAndCounts) {
  EXPECT_EQ(ParseList(" a, b,,c ,"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(ParseList(" , ").empty());
  EXPECT_TRUE(*ParseBool(" YES "));
  EXPECT_FALSE(*ParseBool("off"));
  EXPECT_EQ(ParseBool("maybe").status().message(), "expected true or false");
  EXPECT_EQ(*ParsePositiveCount("2048"), 2048u);
  EXPECT_FALSE(ParsePositiveCount("0").ok());
  EXPECT_FALSE(ParsePositiveCount("12x").ok());
  EXPECT_FALSE(ParsePositiveCount("-3").ok());
}

TEST(ParseTest, EnvironmentsByNameOrLongNameInAnyCase) {
  EXPECT_EQ(*ParseEnvironment("dev"), Environment::kDev);
  EXPECT_EQ(*ParseEnvironment("Development"), Environment::kDev);
  EXPECT_EQ(*ParseEnvironment("STAGE"), Environment::kStaging);
  EXPECT_EQ(*ParseEnvironment("production"), Environment::kProd);
  EXPECT_EQ(EnvironmentName(Environment::kStaging), "staging");
  EXPECT_EQ(ParseEnvironment("qa").status().message(),
            "environment 'qa' is not one of dev, staging, prod");
}

}  // namespace
}  // namespace tai
