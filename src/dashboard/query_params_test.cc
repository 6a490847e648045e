#include "dashboard/query_params.h"

#include <gtest/gtest.h>

namespace tai::internal {
namespace {

TEST(QueryParamsTest, QueryStringKeepsRepeatsAndDecodes) {
  auto v = ParseQueryString("match[]=a%3D%22b%22&match%5B%5D=c+d&flag&&x=1%2B1");
  ASSERT_EQ(v.size(), 4u);
  EXPECT_EQ(v[0], (std::pair<std::string, std::string>{"match[]", "a=\"b\""}));
  EXPECT_EQ(v[1], (std::pair<std::string, std::string>{"match[]", "c d"}));
  EXPECT_EQ(v[2], (std::pair<std::string, std::string>{"flag", ""}));
  EXPECT_EQ(v[3], (std::pair<std::string, std::string>{"x", "1+1"}));
}

}  // namespace
}  // namespace tai::internal
