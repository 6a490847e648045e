// The original design's metrics examples, line by line.
#include "tai/compat/cloud_monitoring.h"

#include <gtest/gtest.h>

#include "compat/design_env_testing.h"
#include "core/temp_dir_testing.h"
#include "tai/export/prometheus_text.h"
#include "tai/observability.h"

namespace tai::gcp {
namespace {

class CloudMonitoringTest : public ::testing::Test {
 protected:
  testing::ScopedDesignEnv env_;
};

TEST_F(CloudMonitoringTest, OriginalDesignExamples) {
  CloudMonitoring monitoring("my-project");
  MetricDescriptor descriptor{
      .metric_type = "custom.googleapis.com/myapp/request_latency",
      .display_name = "Request Latency",
      .value_type = MetricType::kDistribution,
      .unit = MetricUnit::kMilliseconds,
      .description = "HTTP request latency in milliseconds",
      .labels = {{"method", "HTTP method (GET, POST, etc.)", "string"},
                 {"endpoint", "API endpoint path", "string"}},
  };
  ASSERT_TRUE(monitoring.CreateMetricDescriptor(descriptor).ok());

  std::map<std::string, std::string> labels = {{"host", "web-1"}};
  ASSERT_TRUE(
      monitoring.WriteMetricPoint("custom.googleapis.com/app/cpu_usage", MetricValue(42.5), labels)
          .ok());
  ASSERT_TRUE(monitoring
                  .WriteMetricPoint("custom.googleapis.com/app/total_requests",
                                    MetricValue(int64_t{100000}), labels)
                  .ok());
  DistributionValue dist{.count = 1000,
                         .mean = 150.0,
                         .sum_of_squared_deviation = 50000.0,
                         .percentiles = {{"p50", 120.0}, {"p95", 300.0}, {"p99", 500.0}}};
  ASSERT_TRUE(monitoring
                  .WriteMetricPoint("custom.googleapis.com/app/latency_distribution",
                                    MetricValue(dist), labels)
                  .ok());

  auto value = monitoring.GetLatestMetricValue("custom.googleapis.com/app/cpu_usage");
  ASSERT_TRUE(value.ok());
  EXPECT_DOUBLE_EQ(value->dbl(), 42.5);

  for (double v : {40.0, 60.0, 80.0}) {
    ASSERT_TRUE(
        monitoring.WriteMetricPoint("custom.googleapis.com/app/cpu_usage", MetricValue(v), labels)
            .ok());
  }
  auto series = monitoring.QueryTimeSeries("custom.googleapis.com/app/cpu_usage", 1000);
  ASSERT_TRUE(series.ok());
  EXPECT_EQ(series->size(), 4u);
  EXPECT_DOUBLE_EQ(series->back().value.dbl(), 80.0);

  auto stats = monitoring.GetMetricStatistics("custom.googleapis.com/app/latency_distribution");
  ASSERT_TRUE(stats.ok());
  EXPECT_DOUBLE_EQ(stats->mean, 150.0);
  EXPECT_DOUBLE_EQ(stats->percentiles.at("p99"), 500.0);

  auto exceeds = monitoring.CheckThreshold("custom.googleapis.com/app/cpu_usage", 75.0,
                                           ComparisonOperator::kGreaterThan);
  ASSERT_TRUE(exceeds.ok());
  EXPECT_TRUE(*exceeds);
  EXPECT_FALSE(*monitoring.CheckThreshold("custom.googleapis.com/app/cpu_usage", 90.0,
                                          ComparisonOperator::kGreaterThanOrEqual));

  // Written without descriptors, as the design writes them: a number is a
  // GAUGE, as Cloud Monitoring makes it on first write (the design's
  // "counter", total_requests, included: a CUMULATIVE needs its descriptor
  // first, since a written total that went down would be refused), and a
  // distribution a DISTRIBUTION.
  auto kind = [&](const char* type) {
    auto d = monitoring.registry()->FindDescriptor(type);
    return d ? d->value_type : MetricType::kUnspecified;
  };
  EXPECT_EQ(kind("custom.googleapis.com/app/total_requests"), MetricType::kGauge);
  EXPECT_EQ(kind("custom.googleapis.com/app/cpu_usage"), MetricType::kGauge);
  EXPECT_EQ(kind("custom.googleapis.com/app/latency_distribution"), MetricType::kDistribution);
  EXPECT_EQ(kind("custom.googleapis.com/myapp/request_latency"), MetricType::kDistribution);

  // Written points are exported like every other metric.
  std::string text;
  WritePrometheusText(*monitoring.registry()->Collect(), {}, &text);
  EXPECT_NE(text.find("app_cpu_usage{host=\"web-1\"} 80"), std::string::npos) << text;
  EXPECT_NE(text.find("app_latency_distribution{host=\"web-1\",quantile=\"0.99\"} 500"),
            std::string::npos);
}

TEST_F(CloudMonitoringTest, ErrorsNameWhatIsWrong) {
  CloudMonitoring monitoring("my-project");
  EXPECT_EQ(monitoring.WriteMetricPoint("myapp/cpu", MetricValue(1.0)).message(),
            "metric type 'myapp/cpu' is not a user-defined Cloud Monitoring type; it must start "
            "with custom.googleapis.com/, workload.googleapis.com/ or external.googleapis.com/");
  EXPECT_EQ(monitoring.GetLatestMetricValue("custom.googleapis.com/none").status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(monitoring
                .CreateMetricDescriptor({.metric_type = "custom.googleapis.com/x",
                                         .value_type = MetricType::kUnspecified})
                .message(),
            "metric 'custom.googleapis.com/x': value_type is required");
  ASSERT_TRUE(monitoring
                  .CreateMetricDescriptor({.metric_type = "custom.googleapis.com/errors",
                                           .value_type = MetricType::kCumulative})
                  .ok());
  EXPECT_FALSE(monitoring.WriteMetricPoint("custom.googleapis.com/errors", MetricValue(-5)).ok());
  EXPECT_EQ(monitoring.QueryTimeSeries("custom.googleapis.com/errors", 0).status().message(),
            "QueryTimeSeries: limit must be at least 1");
  EXPECT_FALSE(
      monitoring.CheckThreshold("custom.googleapis.com/none", 1, ComparisonOperator::kLessThan)
          .ok());
}

// The design's alerting example, as it is written: the rule goes to the
// Observability's alert engine (which evaluates it against the store, as
// the engine's own tests show).
TEST_F(CloudMonitoringTest, CreateAlertingRuleGoesToTheAlertEngine) {
  testing::TempDir dir;
  Config config;
  config.resource.service_name = "alerting-example";
  config.metrics.prometheus_enabled = false;
  config.metrics.collect_interval = std::chrono::hours(1);
  config.logs.format = LogFormat::kOff;
  config.store.options.path = dir.path() + "/svc.db";
  auto obs = Observability::Start(config);
  ASSERT_TRUE(obs.ok()) << obs.status().ToString();
  CloudMonitoring monitoring("my-project", **obs);

  AlertingRule rule{
      .id = "high-error-rate",
      .display_name = "Error Rate > 5%",
      .metric_type = "custom.googleapis.com/app/error_rate",
      .threshold = 5.0,
      .comparison_operator = ComparisonOperator::kGreaterThan,
      .evaluation_window_secs = 300,  // 5 minutes
      .trigger_count = 2,             // Alert if threshold exceeded 2+ windows
      .notification_channels = {"projects/my-project/notificationChannels/123"},
  };
  ASSERT_TRUE(monitoring.CreateAlertingRule(rule).ok());
  EXPECT_EQ(monitoring.CreateAlertingRule(rule).code(), StatusCode::kAlreadyExists);
  auto rules = (*obs)->alerts()->Rules();
  ASSERT_EQ(rules.size(), 1u);
  EXPECT_EQ(rules[0].notification_channels[0], "projects/my-project/notificationChannels/123");

  // Standalone, the design pipeline's engine evaluates it (over its store).
  CloudMonitoring standalone("my-project");
  ASSERT_TRUE(standalone.status().ok()) << standalone.status().ToString();
  EXPECT_TRUE(standalone.CreateAlertingRule(rule).ok());
}

TEST(ComparisonTest, OperatorsAndNames) {
  EXPECT_TRUE(Compare(5, ComparisonOperator::kGreaterThan, 4));
  EXPECT_FALSE(Compare(4, ComparisonOperator::kGreaterThan, 4));
  EXPECT_TRUE(Compare(4, ComparisonOperator::kLessThanOrEqual, 4));
  EXPECT_TRUE(Compare(std::nan(""), ComparisonOperator::kNotEqual, 1));
  EXPECT_EQ(ComparisonApiName(ComparisonOperator::kGreaterThan), "COMPARISON_GT");
  EXPECT_EQ(*ParseComparison(">="), ComparisonOperator::kGreaterThanOrEqual);
  EXPECT_FALSE(ParseComparison("=>").ok());
}

}  // namespace
}  // namespace tai::gcp
