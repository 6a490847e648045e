#include "tai/dashboard/panel_query.h"

#include <gtest/gtest.h>

namespace tai {
namespace {

TEST(PanelQueryTest, ParsesTheDesignExamples) {
  auto p = ParsePanelQuery("percentile(request_latency_ms, 99)");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->numerator, (MetricSelect{QueryFunction::kPercentile, "request_latency_ms", 99}));
  EXPECT_FALSE(p->denominator);
  EXPECT_EQ(p->scale, 1);

  auto r = ParsePanelQuery("errors / total_requests * 100");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->numerator, (MetricSelect{QueryFunction::kLast, "errors", 0}));
  ASSERT_TRUE(r->denominator);
  EXPECT_EQ(r->denominator->metric, "total_requests");
  EXPECT_EQ(r->scale, 100);
}

TEST(PanelQueryTest, EveryFunctionAndNamesWithSlashes) {
  for (const char* f : {"rate", "increase", "avg", "max", "min", "sum", "last"}) {
    auto p = ParsePanelQuery(std::string(f) + "( checkout/http.requests )");
    ASSERT_TRUE(p.ok()) << f << ": " << p.status().ToString();
    EXPECT_EQ(QueryFunctionName(p->numerator.function), f);
    EXPECT_EQ(p->numerator.metric, "checkout/http.requests");
  }
  auto ratio = ParsePanelQuery("rate(a/errors) / rate(a/requests)");
  ASSERT_TRUE(ratio.ok());
  EXPECT_EQ(ratio->numerator.metric, "a/errors");
  EXPECT_EQ(ratio->denominator->metric, "a/requests");
  auto scaled = ParsePanelQuery("bytes / 8");
  ASSERT_TRUE(scaled.ok());
  EXPECT_FALSE(scaled->denominator);
  EXPECT_EQ(scaled->scale, 0.125);
}

TEST(PanelQueryTest, RoundTripsThroughItsText) {
  for (const char* text : {"percentile(x, 99.9)", "rate(a) / rate(b) * 100", "m", "sum(q) * 0.5",
                           "avg(cpu/utilization) / 3"}) {
    auto p = ParsePanelQuery(text);
    ASSERT_TRUE(p.ok()) << text;
    auto again = ParsePanelQuery(PanelQueryToString(*p));
    ASSERT_TRUE(again.ok()) << PanelQueryToString(*p);
    EXPECT_EQ(*again, *p) << text;
  }
}

TEST(PanelQueryTest, ErrorsNameTheColumn) {
  struct Case {
    const char* text;
    const char* error;
  } cases[] = {
      {"", "column 1: expected a metric name or a function, got the end"},
      {"percentile(x)",
       "column 13: expected ',' and the percentile after the metric name, got \")\""},
      {"percentile(x, 150)", "column 15: expected the percentile in (0, 100]"},
      {"median(x)", "column 1: unknown function 'median'"},
      {"rate(x", "column 7: expected ')' after the metric name, got the end"},
      {"a / b + 1", "column 7: expected the end of the query, got \"+\""},
      {"a * b", "column 5: expected a number after '*'"},
      {"a / 0", "cannot divide by 0"},
      {"rate(1x)", "column 6: expected a metric name"},
  };
  for (const Case& c : cases) {
    auto p = ParsePanelQuery(c.text);
    ASSERT_FALSE(p.ok()) << c.text;
    EXPECT_NE(p.status().message().find(c.error), std::string::npos)
        << c.text << " -> " << p.status().message();
  }
}

}  // namespace
}  // namespace tai
