#include "tai/core/labels.h"

#include <gtest/gtest.h>

namespace tai {
namespace {

TEST(LabelSetTest, SortsByKeyAndLastValueWins) {
  LabelSet s({{"b", "2"}, {"a", "1"}, {"b", "3"}});
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s.labels()[0], (std::pair<std::string, std::string>{"a", "1"}));
  EXPECT_EQ(s.labels()[1], (std::pair<std::string, std::string>{"b", "3"}));
  EXPECT_EQ(*s.Find("b"), "3");
  EXPECT_EQ(s.Find("c"), nullptr);
  EXPECT_EQ(s.ToString(), "{a=\"1\",b=\"3\"}");
}

TEST(LabelSetTest, OrderDoesNotChangeIdentity) {
  LabelSet x({{"method", "GET"}, {"code", "200"}});
  LabelSet y({{"code", "200"}, {"method", "GET"}});
  EXPECT_EQ(x, y);
  EXPECT_EQ(x.hash(), y.hash());
  Label unsorted[] = {{"method", "GET"}, {"code", "200"}};
  EXPECT_EQ(HashLabels(unsorted), x.hash());
}

TEST(LabelSetTest, BoundaryBetweenKeyAndValueMatters) {
  LabelSet x({{"ab", "c"}});
  LabelSet y({{"a", "bc"}});
  EXPECT_NE(x, y);
  EXPECT_NE(x.hash(), y.hash());
}

TEST(LabelSetTest, FromAttributesUsesCanonicalText) {
  Attributes attrs = {{"n", int64_t{42}}, {"ok", true}, {"r", 0.5}, {"s", "x"}};
  LabelSet s = LabelSet::FromAttributes(attrs);
  EXPECT_EQ(s.ToString(), "{n=\"42\",ok=\"true\",r=\"0.5\",s=\"x\"}");
}

TEST(AttributeValueTest, ArraysRenderAsJson) {
  AttributeValue v(std::vector<std::string>{"a", "b\"c"});
  EXPECT_EQ(v.ToString(), "[\"a\",\"b\\\"c\"]");
  EXPECT_EQ(AttributeValue(std::vector<int64_t>{1, 2}).ToString(), "[1,2]");
  EXPECT_EQ(AttributeValue(7).ToString(), "7");
  EXPECT_TRUE(AttributeValue("text").is<std::string>());
}

}  // namespace
}  // namespace tai
