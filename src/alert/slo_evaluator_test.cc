// SLO evaluation against a real store in a temporary directory, with an
// injected clock: error patterns of known size, the budget arithmetic done
// by hand, and latency SLIs against exact counts.
#include "tai/alert/slo_evaluator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "store/store_testing.h"

namespace tai {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using testing::kHour;
using testing::kMinute;

constexpr int64_t kNow = testing::kBaseTime + 4 * kHour;
constexpr int kMinutes = 180;  // points every minute over [kNow - 3h, kNow)

int64_t MinuteTime(int k) { return kNow - kMinutes * kMinute + k * kMinute; }

// Requests and errors per minute, as two counters; the minute k point
// carries the cumulative totals after minute k (0 at k = 0).
class CounterSloTest : public ::testing::Test {
 protected:
  void SetUp() override {
    t_.set_now(kNow);
    auto store = t_.Open();
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }

  // requests(k), errors(k): the increase reported at minute k (k >= 1).
  template <typename Requests, typename Errors>
  void Write(Requests requests, Errors errors) {
    auto rd = testing::Descriptor("checkout/requests", MetricType::kCumulative);
    auto ed = testing::Descriptor("checkout/errors", MetricType::kCumulative);
    double total = 0, bad = 0;
    LabelSet labels({{"route", "/pay"}});
    for (int k = 0; k < kMinutes; ++k) {
      if (k > 0) {
        increases_.push_back({MinuteTime(k), requests(k), errors(k)});
        total += requests(k);
        bad += errors(k);
      }
      const int64_t t = MinuteTime(k);
      store_->AddMetrics(testing::Batch(
          {testing::OneMetric(rd, InstrumentKind::kCounter, {testing::Point(labels, t, total)}),
           testing::OneMetric(ed, InstrumentKind::kCounter, {testing::Point(labels, t, bad)})},
          t));
    }
    ASSERT_TRUE(store_->Flush(std::chrono::seconds(30)).ok());
  }

  // Exact totals over [now - window, now).
  std::pair<double, double> Exact(std::chrono::nanoseconds window) const {
    double total = 0, bad = 0;
    for (const auto& [t, r, e] : increases_) {
      if (t >= kNow - window.count() && t < kNow) {
        total += r;
        bad += e;
      }
    }
    return {total, bad};
  }

  static Slo ErrorSlo() {
    return Slo{.window = hours(2),
               .error_budget = 0.001,
               .id = "checkout-errors",
               .kind = SliKind::kBadRatio,
               .bad_metric = "checkout/errors",
               .total_metric = "checkout/requests",
               .matchers = {{"route", LabelMatcher::Op::kEqual, "/pay"}}};
  }

  testing::TestStore t_;
  std::unique_ptr<Store> store_;
  std::vector<std::tuple<int64_t, double, double>> increases_;
};

TEST_F(CounterSloTest, TwoPercentErrorsForAnHourPagesAtFourteenFourTimes) {
  // Clean for two hours, then 2% errors: 20x the 0.1% budget.
  Write([](int) { return 1000.0; }, [](int k) { return k >= kMinutes - 60 ? 20.0 : 0.0; });
  auto statuses = EvaluateBurnRateAlerts(*store_, ErrorSlo(), kNow);
  ASSERT_TRUE(statuses.ok()) << statuses.status().ToString();
  ASSERT_EQ(statuses->size(), 3u);
  const BurnRateStatus& page = (*statuses)[0];
  EXPECT_EQ(page.alert.factor, 14.4);
  EXPECT_DOUBLE_EQ(page.long_counts.total, 60 * 1000);
  EXPECT_DOUBLE_EQ(page.long_counts.bad(), 60 * 20);
  EXPECT_DOUBLE_EQ(page.long_burn_rate, 20);
  EXPECT_DOUBLE_EQ(page.short_burn_rate, 20);
  EXPECT_DOUBLE_EQ(page.long_counts.coverage, 1);
  EXPECT_TRUE(page.holds);
  // 6x over 6 h: the store holds 3 h, 1 h of them at 2%: ~6.7x, and 20x
  // over 30 min.
  const BurnRateStatus& slow = (*statuses)[1];
  EXPECT_NEAR(slow.long_burn_rate, 20.0 * 60 / 179, 1e-9);
  EXPECT_TRUE(slow.holds);
  EXPECT_NEAR(slow.long_counts.coverage, 0.5, 1.0 / 72);  // 3 h of 6
}

TEST_F(CounterSloTest, ABudgetSafeErrorRateDoesNotPage) {
  // 0.05% errors: half the budget.
  Write([](int) { return 10000.0; }, [](int) { return 5.0; });
  auto statuses = EvaluateBurnRateAlerts(*store_, ErrorSlo(), kNow);
  ASSERT_TRUE(statuses.ok()) << statuses.status().ToString();
  for (const BurnRateStatus& s : *statuses) {
    EXPECT_NEAR(s.long_burn_rate, 0.5, 1e-9) << s.alert.factor;
    EXPECT_NEAR(s.short_burn_rate, 0.5, 1e-9) << s.alert.factor;
    EXPECT_FALSE(s.holds) << s.alert.factor;
  }
  auto rate = BurnRate(*store_, ErrorSlo(), minutes(10), kNow);
  ASSERT_TRUE(rate.ok());
  EXPECT_NEAR(*rate, 0.5, 1e-9);
}

TEST_F(CounterSloTest, LowTrafficNeverHoldsHoweverBadItsErrorRate) {
  // One request a minute, one in five failing: 200x the budget on 60 events.
  Write([](int) { return 1.0; }, [](int k) { return k % 5 == 0 ? 1.0 : 0.0; });
  auto statuses = EvaluateBurnRateAlerts(*store_, ErrorSlo(), kNow);
  ASSERT_TRUE(statuses.ok()) << statuses.status().ToString();
  const BurnRateStatus& page = (*statuses)[0];
  EXPECT_DOUBLE_EQ(page.long_counts.total, 60);
  EXPECT_NEAR(page.long_burn_rate, 200, 1e-9);
  EXPECT_NEAR(page.short_burn_rate, 200, 1e-9);
  EXPECT_FALSE(page.holds);
  // The 6 h and 3 day windows hold 179 events: those alerts may fire.
  EXPECT_TRUE((*statuses)[1].holds);
  EXPECT_TRUE((*statuses)[2].holds);
  Slo lenient = ErrorSlo();
  lenient.min_events = 50;
  auto again = EvaluateBurnRateAlerts(*store_, lenient, kNow);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE((*again)[0].holds);
}

TEST_F(CounterSloTest, ErrorBudgetIsExactForCounterSlis) {
  std::mt19937_64 rng(7);
  std::vector<double> reqs(kMinutes), errs(kMinutes);
  for (int k = 0; k < kMinutes; ++k) {
    reqs[k] = static_cast<double>(500 + rng() % 1000);
    errs[k] = static_cast<double>(rng() % 3);
  }
  Write([&](int k) { return reqs[k]; }, [&](int k) { return errs[k]; });
  const auto [total, bad] = Exact(hours(2));
  auto budget = ComputeErrorBudget(*store_, ErrorSlo(), kNow);
  ASSERT_TRUE(budget.ok()) << budget.status().ToString();
  EXPECT_DOUBLE_EQ(budget->objective, 0.999);
  EXPECT_EQ(budget->total_events, static_cast<uint64_t>(total));
  EXPECT_EQ(budget->good_events, static_cast<uint64_t>(total - bad));
  EXPECT_DOUBLE_EQ(budget->sli, (total - bad) / total);
  EXPECT_DOUBLE_EQ(budget->total_budget, 0.001 * total);
  EXPECT_DOUBLE_EQ(budget->consumed, bad);
  EXPECT_DOUBLE_EQ(budget->remaining, 0.001 * total - bad);
  EXPECT_DOUBLE_EQ(budget->remaining_fraction, (0.001 * total - bad) / (0.001 * total));
  EXPECT_DOUBLE_EQ(budget->burn_rate, bad / total / 0.001);
  EXPECT_DOUBLE_EQ(budget->data_coverage, 1);

  // A good/total SLI over the same counters gives the same budget.
  Slo good = ErrorSlo();
  good.kind = SliKind::kGoodRatio;
  good.good_metric = "checkout/errors";  // "good" here: only the arithmetic matters
  auto counts = CountEvents(*store_, good, kNow - 2 * kHour, kNow);
  ASSERT_TRUE(counts.ok());
  EXPECT_DOUBLE_EQ(counts->good, bad);
  EXPECT_DOUBLE_EQ(counts->total, total);

  // A window longer than the data: computed over what exists, and says so.
  Slo month = ErrorSlo();
  month.window = hours(24 * 30);
  auto fresh = ComputeErrorBudget(*store_, month, kNow);
  ASSERT_TRUE(fresh.ok()) << fresh.status().ToString();
  const auto [all_total, all_bad] = Exact(hours(24 * 30));
  EXPECT_EQ(fresh->total_events, static_cast<uint64_t>(all_total));
  EXPECT_DOUBLE_EQ(fresh->consumed, all_bad);
  EXPECT_NEAR(fresh->data_coverage, 3.0 / (24 * 30), 1.0 / 1440);
}

TEST_F(CounterSloTest, AMetricTheStoreHasNeverSeenIsNoEventsAndNoCoverage) {
  Write([](int) { return 10.0; }, [](int) { return 0.0; });
  Slo slo = ErrorSlo();
  slo.total_metric = "checkout/never_written";
  auto counts = CountEvents(*store_, slo, kNow - kHour, kNow);
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  EXPECT_EQ(counts->total, 0);
  EXPECT_EQ(counts->coverage, 0);
  EXPECT_EQ(counts->error_ratio(), 0);
  auto statuses = EvaluateBurnRateAlerts(*store_, slo, kNow);
  ASSERT_TRUE(statuses.ok());
  for (const BurnRateStatus& s : *statuses) EXPECT_FALSE(s.holds);

  Slo invalid = ErrorSlo();
  invalid.error_budget = 0;
  auto refused = CountEvents(*store_, invalid, kNow - kHour, kNow);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("'error_budget'"), std::string::npos);
  auto empty_range = CountEvents(*store_, ErrorSlo(), kNow, kNow);
  EXPECT_FALSE(empty_range.ok());
}

// The engine and both exports name and label a burn-rate alert alike.
TEST(BurnRateAlertNamingTest, NameLabelsAndSummary) {
  Slo slo{.id = "checkout-errors", .labels = {{"team", "pay"}}};
  const BurnRateAlert page = DefaultBurnRateAlerts()[0];
  EXPECT_EQ(BurnRateAlertName(slo), "checkout-errors error budget burn");
  slo.display_name = "Checkout errors";
  EXPECT_EQ(BurnRateAlertName(slo), "Checkout errors error budget burn");
  EXPECT_EQ(BurnRateAlertLabels(slo, page),
            (std::map<std::string, std::string>{{"long_window", "1h"},
                                                {"severity", "page"},
                                                {"short_window", "5m"},
                                                {"slo", "checkout-errors"},
                                                {"team", "pay"}}));
  EXPECT_EQ(BurnRateAlertSummary(slo, DefaultBurnRateAlerts()[2]),
            "SLO checkout-errors: error budget burning faster than 1x over 3d and 6h");
}

// A latency SLI over stored exponential histograms: within the documented
// error (the observations of the bucket holding the threshold) of the exact
// count, over windows that include and exclude the slow minutes.
TEST(LatencySloTest, GoodEventsAreWithinOneBucketOfTheExactCount) {
  testing::TestStore t;
  t.set_now(kNow);
  auto store = t.Open();
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto d = testing::Descriptor("checkout/latency", MetricType::kDistribution);
  std::mt19937_64 rng(11);
  std::lognormal_distribution<double> fast(std::log(120.0), 0.5), slow(std::log(900.0), 0.3);
  std::vector<std::pair<int64_t, double>> observed;
  std::map<std::string, HistogramData> cumulative;
  for (int k = 0; k < kMinutes; ++k) {
    const int64_t t0 = MinuteTime(k);
    std::vector<MetricPoint> points;
    for (const char* host : {"a", "b"}) {
      for (int i = 0; k > 0 && i < 200; ++i) {
        const double v = k >= kMinutes - 30 && i % 4 == 0 ? slow(rng) : fast(rng);
        cumulative[host].Record(v);
        observed.push_back({t0, v});
      }
      points.push_back(
          testing::Point(LabelSet({{"host", host}}), t0, testing::Distribution(cumulative[host])));
    }
    (*store)->AddMetrics(
        testing::Batch({testing::OneMetric(d, InstrumentKind::kHistogram, points)}, t0));
  }
  ASSERT_TRUE((*store)->Flush(std::chrono::seconds(30)).ok());
  int scale = 6;
  for (const auto& [host, h] : cumulative) scale = std::min(scale, h.scale());
  const double base = std::exp2(std::exp2(-scale));

  Slo slo{.metric = "checkout/latency", .threshold = 500, .error_budget = 0.01, .id = "latency"};
  for (std::chrono::minutes window : {minutes(5), minutes(30), minutes(60), minutes(180)}) {
    const int64_t start = kNow - window.count() * kMinute;
    double exact_good = 0, total = 0, near_bound = 0;
    for (const auto& [time, v] : observed) {
      if (time < start) continue;
      ++total;
      if (v <= slo.threshold) ++exact_good;
      if (v > slo.threshold / base && v <= slo.threshold * base) ++near_bound;
    }
    auto counts = CountEvents(**store, slo, start, kNow);
    ASSERT_TRUE(counts.ok()) << counts.status().ToString();
    EXPECT_DOUBLE_EQ(counts->total, total) << window.count();
    EXPECT_NEAR(counts->good, exact_good, near_bound) << window.count();
    EXPECT_LT(std::abs(counts->good - exact_good), 0.01 * total) << window.count();
    EXPECT_DOUBLE_EQ(counts->coverage, 1);
  }
  // A quarter of the requests slow (97.5% of them over 500) for the last
  // 30 min: ~25x a 1% budget over 5 and 30 min, ~12x over 1 h, ~4x over the
  // 3 h the store holds of 6 h and 3 days.
  auto statuses = EvaluateBurnRateAlerts(**store, slo, kNow);
  ASSERT_TRUE(statuses.ok());
  EXPECT_NEAR((*statuses)[0].short_burn_rate, 24.6, 3);
  EXPECT_NEAR((*statuses)[0].long_burn_rate, 12.4, 1);
  EXPECT_FALSE((*statuses)[0].holds);
  EXPECT_NEAR((*statuses)[1].long_burn_rate, 4.3, 0.5);
  EXPECT_FALSE((*statuses)[1].holds);
  EXPECT_TRUE((*statuses)[2].holds);
}

}  // namespace
}  // namespace tai
