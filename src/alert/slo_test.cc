#include "tai/alert/slo.h"

#include <gtest/gtest.h>

namespace tai {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

Slo LatencySlo() {
  return Slo{.metric = "checkout/latency",
             .threshold = 500,
             .error_budget = 0.001,
             .id = "checkout-latency"};
}

TEST(SloTest, KindNamesRoundTrip) {
  for (auto kind : {SliKind::kLatency, SliKind::kGoodRatio, SliKind::kBadRatio}) {
    auto parsed = ParseSliKind(SliKindName(kind));
    ASSERT_TRUE(parsed.ok()) << SliKindName(kind);
    EXPECT_EQ(*parsed, kind);
  }
  EXPECT_EQ(*ParseSliKind("Good_Ratio"), SliKind::kGoodRatio);
  auto bad = ParseSliKind("availability");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("'availability'"), std::string::npos);
}

TEST(SloTest, DefaultBurnRateAlertsAreTheWorkbooksThree) {
  const auto alerts = DefaultBurnRateAlerts();
  ASSERT_EQ(alerts.size(), 3u);
  EXPECT_EQ(alerts[0].factor, 14.4);
  EXPECT_EQ(alerts[0].long_window, hours(1));
  EXPECT_EQ(alerts[0].short_window, minutes(5));
  EXPECT_EQ(alerts[0].severity, "page");
  EXPECT_EQ(alerts[1].factor, 6);
  EXPECT_EQ(alerts[1].long_window, hours(6));
  EXPECT_EQ(alerts[1].short_window, minutes(30));
  EXPECT_EQ(alerts[1].severity, "page");
  EXPECT_EQ(alerts[2].factor, 1);
  EXPECT_EQ(alerts[2].long_window, hours(72));
  EXPECT_EQ(alerts[2].short_window, hours(6));
  EXPECT_EQ(alerts[2].severity, "ticket");
  // A fresh Slo carries them.
  EXPECT_EQ(Slo{}.burn_rate_alerts.size(), 3u);
}

TEST(SloTest, TheDesignsSloIsValidAndItsIdDefaultsToTheMetric) {
  Slo design{.metric = "request_latency_ms",
             .threshold = 500,
             .window = hours(24 * 30),
             .error_budget = 0.001};
  EXPECT_TRUE(ValidateSlo(design).ok()) << ValidateSlo(design).ToString();
  EXPECT_EQ(SloId(design), "request_latency_ms");
  EXPECT_EQ(SloId(LatencySlo()), "checkout-latency");
}

TEST(SloTest, ErrorsNameTheSloAndTheField) {
  Slo slo = LatencySlo();
  slo.error_budget = 0;
  EXPECT_EQ(ValidateSlo(slo).message(),
            "slo 'checkout-latency': field 'error_budget': must be in (0, 1), got 0");
  slo.error_budget = 1;
  EXPECT_NE(ValidateSlo(slo).message().find("got 1"), std::string::npos);

  slo = LatencySlo();
  slo.window = std::chrono::nanoseconds(0);
  EXPECT_NE(ValidateSlo(slo).message().find("field 'window'"), std::string::npos);

  slo = LatencySlo();
  slo.kind = SliKind::kBadRatio;
  slo.total_metric = "checkout/requests";
  EXPECT_EQ(ValidateSlo(slo).message(),
            "slo 'checkout-latency': field 'bad_metric': required for a bad_ratio SLI, got none");

  slo = LatencySlo();
  slo.kind = SliKind::kGoodRatio;
  slo.good_metric = "checkout/ok";
  EXPECT_NE(ValidateSlo(slo).message().find("field 'total_metric'"), std::string::npos);

  slo = LatencySlo();
  slo.threshold = -1;
  EXPECT_NE(ValidateSlo(slo).message().find("field 'threshold'"), std::string::npos);

  slo = LatencySlo();
  slo.burn_rate_alerts[1].short_window = hours(6);
  EXPECT_EQ(ValidateSlo(slo).message(),
            "slo 'checkout-latency': field 'burn_rate_alerts[1].long_window': must be longer "
            "than short_window (21600s), got 21600s");
  slo = LatencySlo();
  slo.burn_rate_alerts[0].factor = 0;
  EXPECT_NE(ValidateSlo(slo).message().find("'burn_rate_alerts[0].factor'"), std::string::npos);

  EXPECT_NE(ValidateSlo(Slo{}).message().find("without an id"), std::string::npos);
}

}  // namespace
}  // namespace tai
