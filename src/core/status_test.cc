#include "tai/core/status.h"

#include <gtest/gtest.h>

namespace tai {
namespace {

TEST(StatusTest, OkHasNoMessage) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, ErrorCarriesCodeAndMessage) {
  Status s = InvalidArgumentError("metric type is empty");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.ToString(), "INVALID_ARGUMENT: metric type is empty");
  EXPECT_EQ(s.WithContext("registry").message(), "registry: metric type is empty");
}

Result<int> Half(int v) {
  if (v % 2) return InvalidArgumentError(std::to_string(v) + " is odd");
  return v / 2;
}

Status Chain(int v, int* out) {
  auto r = Half(v);
  TAI_RETURN_IF_ERROR(r.status());
  *out = *r;
  return Status::Ok();
}

TEST(ResultTest, HoldsValueOrStatus) {
  auto good = Half(8);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 4);
  auto bad = Half(3);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "3 is odd");
  EXPECT_EQ(bad.value_or(-1), -1);
  int out = 0;
  EXPECT_FALSE(Chain(5, &out).ok());
  EXPECT_TRUE(Chain(10, &out).ok());
  EXPECT_EQ(out, 5);
}

}  // namespace
}  // namespace tai
