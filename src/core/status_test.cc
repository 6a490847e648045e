#include "tai/core/status.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

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

Result<int> Quarter(int v) {
  TAI_ASSIGN_OR_RETURN(int half, Half(v));
  TAI_ASSIGN_OR_RETURN(auto quarter, Half(half));
  return quarter;
}

Status QuarterInto(int v, int& out) {
  TAI_ASSIGN_OR_RETURN_WITH_CONTEXT(out, Half(v), "quartering " + std::to_string(v));
  TAI_ASSIGN_OR_RETURN_WITH_CONTEXT(out, Half(out), "second half");
  return Status::Ok();
}

TEST(AssignOrReturnTest, DeclaresTheValueOrReturnsTheStatus) {
  ASSERT_TRUE(Quarter(12).ok());
  EXPECT_EQ(*Quarter(12), 3);
  EXPECT_EQ(Quarter(5).status(), InvalidArgumentError("5 is odd"));
  EXPECT_EQ(Quarter(6).status(), InvalidArgumentError("3 is odd"));
}

TEST(AssignOrReturnTest, AssignsAnExistingVariable) {
  int out = 0;
  EXPECT_TRUE(QuarterInto(20, out).ok());
  EXPECT_EQ(out, 5);
}

TEST(AssignOrReturnTest, WithContextPrefixesTheMessageAndKeepsTheCode) {
  int out = -1;
  EXPECT_EQ(QuarterInto(7, out), InvalidArgumentError("quartering 7: 7 is odd"));
  EXPECT_EQ(out, -1);  // untouched on error
  EXPECT_EQ(QuarterInto(6, out), InvalidArgumentError("second half: 3 is odd"));
}

Status NamedError(const char* name, const Status& why) {
  return OutOfRangeError(std::string(name) + " is wrong: " + why.message());
}

Result<int> QuarterOf(const char* name, int v) {
  TAI_ASSIGN_OR_RETURN_MAP_ERROR(int half, Half(v),
                                 [name](const Status& s) { return NamedError(name, s); });
  return half / 2;
}

TEST(AssignOrReturnTest, MapErrorReturnsTheCallersOwnError) {
  EXPECT_EQ(*QuarterOf("x", 8), 2);
  EXPECT_EQ(QuarterOf("x", 3).status(), OutOfRangeError("x is wrong: 3 is odd"));
}

// The value is moved out, so move-only types work.
Result<std::unique_ptr<int>> Boxed(int v) {
  if (v < 0) return OutOfRangeError("negative");
  return std::make_unique<int>(v);
}

Result<int> Unbox(int v) {
  TAI_ASSIGN_OR_RETURN(std::unique_ptr<int> box, Boxed(v));
  return *box;
}

TEST(AssignOrReturnTest, MovesMoveOnlyValues) {
  EXPECT_EQ(*Unbox(4), 4);
  EXPECT_EQ(Unbox(-1).status().code(), StatusCode::kOutOfRange);
}

}  // namespace
}  // namespace tai
