#include "tai/metrics/metric_descriptor.h"

#include <gtest/gtest.h>

namespace tai {
namespace {

std::string Error(MetricDescriptor d) { return ValidateMetricDescriptor(d).message(); }

TEST(MetricDescriptorTest, AcceptsCloudMonitoringAndPlainNames) {
  EXPECT_TRUE(
      ValidateMetricDescriptor({.metric_type = "custom.googleapis.com/myapp/request_latency",
                                .unit = MetricUnit::kMilliseconds,
                                .labels = {{"method"}, {"endpoint"}}})
          .ok());
  EXPECT_TRUE(ValidateMetricDescriptor({.metric_type = "tai_dropped"}).ok());
  EXPECT_TRUE(
      ValidateMetricDescriptor({.metric_type = "app/x", .unit = MetricUnit("{request}/s")}).ok());
}

TEST(MetricDescriptorTest, NameErrors) {
  EXPECT_EQ(Error({.metric_type = ""}), "metric type is empty");
  EXPECT_EQ(Error({.metric_type = "9lives"}), "metric type '9lives' must start with a letter");
  EXPECT_EQ(
      Error({.metric_type = "my app/x"}),
      "metric type 'my app/x': character ' ' at 2 is not allowed (use letters, digits, _ . / -)");
  EXPECT_EQ(Error({.metric_type = "a//b"}), "metric type 'a//b' has an empty path segment");
  EXPECT_EQ(Error({.metric_type = "a/b/"}), "metric type 'a/b/' has an empty path segment");
  EXPECT_NE(Error({.metric_type = "a" + std::string(200, 'b')}).find("the limit is 200"),
            std::string::npos);
  EXPECT_NE(Error({.metric_type = "a\x01"}).find("byte 0x1 at 1"), std::string::npos);
}

TEST(MetricDescriptorTest, LabelErrors) {
  EXPECT_EQ(Error({.metric_type = "m", .labels = {{"Code"}}}),
            "metric 'm': label key 'Code' must start with a lower-case letter");
  EXPECT_EQ(Error({.metric_type = "m", .labels = {{"status-code"}}}),
            "metric 'm': label key 'status-code': character '-' at 6 is not allowed (use a-z, 0-9 "
            "and _)");
  EXPECT_EQ(Error({.metric_type = "m", .labels = {{"a"}, {"a"}}}),
            "metric 'm' declares label 'a' twice");
  EXPECT_EQ(Error({.metric_type = "m", .labels = {{""}}}), "metric 'm': label key is empty");
  EXPECT_EQ(Error({.metric_type = "m", .labels = {{"a", "", "float"}}}),
            "metric 'm' label 'a': value type 'float' is not string, int64 or bool");
  MetricDescriptor many{.metric_type = "m"};
  for (int i = 0; i < 31; ++i) many.labels.push_back({"k" + std::to_string(i)});
  EXPECT_EQ(Error(many), "metric 'm' declares 31 labels; the limit is 30");
  EXPECT_NE(Error({.metric_type = "m", .labels = {{"k" + std::string(100, 'x')}}})
                .find("the limit is 100"),
            std::string::npos);
}

TEST(MetricDescriptorTest, UnitErrors) {
  EXPECT_EQ(Error({.metric_type = "m", .unit = MetricUnit("")}),
            "metric 'm': unit is empty (use \"1\" for a plain number)");
  EXPECT_EQ(Error({.metric_type = "m", .unit = MetricUnit("m s")}),
            "metric 'm': unit 'm s': character ' ' at 1 is not valid in a UCUM unit");
  EXPECT_EQ(Error({.metric_type = "m", .unit = MetricUnit("{req")}),
            "metric 'm': unit '{req' has an unclosed '{'");
  EXPECT_EQ(Error({.metric_type = "m", .unit = MetricUnit("req}")}),
            "metric 'm': unit 'req}' has an unmatched '}'");
}

}  // namespace
}  // namespace tai
