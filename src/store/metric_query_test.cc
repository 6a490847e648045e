// Metric queries checked against brute-force answers over generated data:
// gauges, counters with resets, histograms merged across series.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "store/store_testing.h"

namespace tai {
namespace {

using testing::kBaseTime;
using testing::kMinute;
using testing::kSecond;

constexpr int64_t kInterval = 10 * kSecond;
constexpr int kPoints = 360;  // an hour at 10 s
const char* const kHosts[] = {"a", "b", "c"};

struct RawGauge {
  std::string host;
  int64_t t;
  double v;
};
struct RawObservation {
  std::string host;
  int64_t t;  // the collection that reported it
  double v;
};
struct RawCounter {
  std::string host;
  int64_t t;
  double increase;
};

// One hour of data for three hosts: a gauge, a counter that resets, and a
// histogram. Every raw value is kept for the brute-force answers.
class MetricQueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    t_.set_now(kBaseTime + 2 * testing::kHour);
    auto store = t_.Open();
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    std::mt19937_64 rng(42);
    std::uniform_real_distribution<double> gauge(0, 100);
    std::lognormal_distribution<double> latency(2, 1);
    auto gd = testing::Descriptor("app/temperature", MetricType::kGauge);
    auto cd = testing::Descriptor("app/requests", MetricType::kCumulative);
    auto hd = testing::Descriptor("app/latency", MetricType::kDistribution);
    std::map<std::string, double> totals;
    std::map<std::string, HistogramData> cumulative;
    for (int i = 0; i < kPoints; ++i) {
      const int64_t t = kBaseTime + i * kInterval;
      std::vector<MetricPoint> g, c, h;
      for (const char* host : kHosts) {
        LabelSet labels({{"host", host}, {"region", host[0] == 'c' ? "eu" : "us"}});
        const double gv = std::round(gauge(rng) * 100) / 100;
        gauges_.push_back({host, t, gv});
        g.push_back(testing::Point(labels, t, gv));
        // A reset every 100 points: the new total is what came since.
        double add = static_cast<double>(rng() % 50);
        if (i > 0 && i % 100 == 0) totals[host] = 0;
        const double previous = totals[host];
        totals[host] += add;
        counters_.push_back(
            {host, t, i == 0 ? totals[host] : totals[host] - (i % 100 == 0 ? 0 : previous)});
        c.push_back(testing::Point(labels, t, totals[host]));
        for (int k = 0; k < 20; ++k) {
          const double v = latency(rng);
          cumulative[host].Record(v);
          observations_.push_back({host, t, v});
        }
        h.push_back(testing::Point(labels, t, testing::Distribution(cumulative[host])));
      }
      store_->AddMetrics(testing::Batch({testing::OneMetric(gd, InstrumentKind::kGauge, g),
                                         testing::OneMetric(cd, InstrumentKind::kCounter, c),
                                         testing::OneMetric(hd, InstrumentKind::kHistogram, h)},
                                        t));
    }
    ASSERT_TRUE(store_->Flush(std::chrono::seconds(30)).ok());
    // The coarsest scale any stored histogram reached bounds every merge.
    for (const auto& [host, h] : cumulative) bound_ = std::max(bound_, h.RelativeErrorBound());
  }

  MetricRangeQuery Range(const std::string& metric, StepFunction f, SeriesAggregation across) {
    return {.metric = metric,
            .start_nanos = kBaseTime,
            .end_nanos = kBaseTime + kPoints * kInterval,
            .step_nanos = 5 * kMinute,
            .function = f,
            .across = across};
  }
  static int64_t StepEnd(int64_t t) {
    return kBaseTime + ((t - kBaseTime) / (5 * kMinute) + 1) * 5 * kMinute;
  }

  testing::TestStore t_;
  std::unique_ptr<Store> store_;
  std::vector<RawGauge> gauges_;
  std::vector<RawCounter> counters_;
  std::vector<RawObservation> observations_;
  double bound_ = 0;
};

TEST_F(MetricQueryTest, LatestIsTheLastPointOfEachMatchingSeries) {
  auto latest = store_->Latest("app/temperature", {{"region", LabelMatcher::Op::kEqual, "us"}});
  ASSERT_TRUE(latest.ok()) << latest.status().ToString();
  ASSERT_EQ(latest->size(), 2u);
  for (const LatestPoint& p : *latest) {
    const RawGauge* last = nullptr;
    for (const RawGauge& g : gauges_) {
      if (g.host == *p.labels.Find("host")) last = &g;
    }
    ASSERT_NE(last, nullptr);
    EXPECT_EQ(p.time_nanos, last->t);
    EXPECT_EQ(p.value, last->v);
  }
  auto hist = store_->Latest("app/latency", {{"host", LabelMatcher::Op::kEqual, "a"}});
  ASSERT_TRUE(hist.ok());
  ASSERT_EQ(hist->size(), 1u);
  ASSERT_TRUE((*hist)[0].histogram.has_value());
  EXPECT_EQ((*hist)[0].histogram->count(), 20u);  // the last interval's observations
}

TEST_F(MetricQueryTest, AverageAcrossSeriesPerStepMatchesBruteForce) {
  auto r =
      store_->QueryRange(Range("app/temperature", StepFunction::kAvg, SeriesAggregation::kNone));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->series.size(), 3u);
  EXPECT_EQ(r->tier, StoreTier::kRaw);
  for (const MetricSeries& s : r->series) {
    std::map<int64_t, std::pair<double, int>> expected;
    for (const RawGauge& g : gauges_) {
      if (g.host != *s.labels.Find("host")) continue;
      auto& [sum, n] = expected[StepEnd(g.t)];
      sum += g.v;
      ++n;
    }
    ASSERT_EQ(s.points.size(), expected.size());
    for (const SeriesPoint& p : s.points) {
      EXPECT_NEAR(p.value, expected[p.time_nanos].first / expected[p.time_nanos].second, 1e-9);
    }
  }
  // max across series of the per-series max.
  auto m =
      store_->QueryRange(Range("app/temperature", StepFunction::kMax, SeriesAggregation::kMax));
  ASSERT_TRUE(m.ok());
  ASSERT_EQ(m->series.size(), 1u);
  std::map<int64_t, double> max;
  for (const RawGauge& g : gauges_) max[StepEnd(g.t)] = std::max(max[StepEnd(g.t)], g.v);
  for (const SeriesPoint& p : m->series[0].points) EXPECT_EQ(p.value, max[p.time_nanos]);
}

TEST_F(MetricQueryTest, IncreaseAndRateHandleCounterResets) {
  auto q = Range("app/requests", StepFunction::kIncrease, SeriesAggregation::kSum);
  q.matchers = {{"host", LabelMatcher::Op::kRegex, "a|b"}};
  auto r = store_->QueryRange(q);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::map<int64_t, double> expected;
  for (const RawCounter& c : counters_) {
    if (c.host != "c") expected[StepEnd(c.t)] += c.increase;
  }
  ASSERT_EQ(r->series.size(), 1u);
  ASSERT_EQ(r->series[0].points.size(), expected.size());
  for (const SeriesPoint& p : r->series[0].points)
    EXPECT_NEAR(p.value, expected[p.time_nanos], 1e-9);

  q.function = StepFunction::kRate;
  auto rate = store_->QueryRange(q);
  ASSERT_TRUE(rate.ok());
  for (const SeriesPoint& p : rate->series[0].points) {
    EXPECT_NEAR(p.value, expected[p.time_nanos] / 300.0, 1e-9);
  }
}

TEST_F(MetricQueryTest, QuantilesAcrossSeriesComeFromMergedHistograms) {
  auto q = Range("app/latency", StepFunction::kQuantile, SeriesAggregation::kSum);
  q.quantile = 0.99;
  auto r = store_->QueryRange(q);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::map<int64_t, std::vector<double>> values;
  for (const RawObservation& o : observations_) values[StepEnd(o.t)].push_back(o.v);
  ASSERT_EQ(r->series.size(), 1u);
  ASSERT_EQ(r->series[0].points.size(), values.size());
  for (const SeriesPoint& p : r->series[0].points) {
    const double exact = testing::ExactPercentile(values[p.time_nanos], 0.99);
    EXPECT_LE(std::fabs(p.value - exact), bound_ * exact * 1.0001) << p.time_nanos;
  }
}

// Observations at or below a bound, from merged buckets: off by at most the
// observations of the one bucket that straddles the bound.
TEST_F(MetricQueryTest, CountAtOrBelowIsWithinTheStraddlingBucketOfBruteForce) {
  auto q = Range("app/latency", StepFunction::kCountAtOrBelow, SeriesAggregation::kSum);
  q.bound = 10;
  auto r = store_->QueryRange(q);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const double base = (1 + bound_) / (1 - bound_);     // bound_ = (base-1)/(base+1)
  std::map<int64_t, std::pair<double, double>> exact;  // step end -> (at or below, near)
  for (const RawObservation& o : observations_) {
    auto& [below, near] = exact[StepEnd(o.t)];
    if (o.v <= q.bound) ++below;
    if (o.v > q.bound / base && o.v <= q.bound * base) ++near;
  }
  ASSERT_EQ(r->series.size(), 1u);
  ASSERT_EQ(r->series[0].points.size(), exact.size());
  for (const SeriesPoint& p : r->series[0].points) {
    const auto [below, near] = exact[p.time_nanos];
    EXPECT_NEAR(p.value, below, near + 1e-9) << p.time_nanos;
  }
  q.metric = "app/requests";
  auto refused = store_->QueryRange(q);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("'app/requests' is a counter"), std::string::npos);
}

TEST_F(MetricQueryTest, WindowStatisticsMatchBruteForce) {
  const int64_t start = kBaseTime + 10 * kMinute, end = kBaseTime + 40 * kMinute;
  auto s =
      store_->Statistics("app/latency", {{"host", LabelMatcher::Op::kNotEqual, "b"}}, start, end);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  std::vector<double> values;
  double sum = 0;
  for (const RawObservation& o : observations_) {
    if (o.host != "b" && o.t >= start && o.t < end) {
      values.push_back(o.v);
      sum += o.v;
    }
  }
  EXPECT_EQ(s->count, values.size());
  EXPECT_NEAR(s->mean, sum / static_cast<double>(values.size()), 1e-9 * s->mean);
  EXPECT_GT(s->relative_error, 0);
  const std::pair<double, double> checks[] = {
      {0.5, s->p50}, {0.9, s->p90}, {0.95, s->p95}, {0.99, s->p99}, {0.999, s->p999}};
  for (const auto& [q, got] : checks) {
    const double exact = testing::ExactPercentile(values, q);
    EXPECT_LE(std::fabs(got - exact), s->relative_error * exact * 1.0001) << q;
  }

  auto g = store_->Statistics("app/temperature", {{"host", LabelMatcher::Op::kNotRegex, "[ab]"}},
                              start, end);
  ASSERT_TRUE(g.ok());
  std::vector<double> gv;
  for (const RawGauge& x : gauges_) {
    if (x.host == "c" && x.t >= start && x.t < end) gv.push_back(x.v);
  }
  EXPECT_EQ(g->count, gv.size());
  EXPECT_EQ(g->min, *std::min_element(gv.begin(), gv.end()));
  EXPECT_EQ(g->max, *std::max_element(gv.begin(), gv.end()));
  EXPECT_EQ(g->p90, testing::ExactPercentile(gv, 0.9));
  EXPECT_EQ(g->relative_error, 0);
}

TEST_F(MetricQueryTest, BadQueriesGetClearErrors) {
  auto unknown =
      store_->QueryRange(Range("no/such", StepFunction::kLast, SeriesAggregation::kNone));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  EXPECT_NE(unknown.status().message().find("no/such"), std::string::npos);

  auto q = Range("app/temperature", StepFunction::kLast, SeriesAggregation::kNone);
  q.step_nanos = 0;
  EXPECT_NE(store_->QueryRange(q).status().message().find("step must be positive"),
            std::string::npos);

  q = Range("app/temperature", StepFunction::kLast, SeriesAggregation::kNone);
  q.start_nanos = kBaseTime - int64_t{10} * 365 * testing::kDay;
  q.step_nanos = kSecond;
  auto huge = store_->QueryRange(q);
  EXPECT_EQ(huge.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(huge.status().message().find("the limit is"), std::string::npos);

  q = Range("app/temperature", StepFunction::kLast, SeriesAggregation::kNone);
  q.matchers = {{"host", LabelMatcher::Op::kRegex, "(unclosed"}};
  EXPECT_NE(store_->QueryRange(q).status().message().find("bad regular expression"),
            std::string::npos);

  q = Range("app/temperature", StepFunction::kRate, SeriesAggregation::kNone);
  EXPECT_NE(store_->QueryRange(q).status().message().find("need a counter"), std::string::npos);

  q = Range("app/temperature", StepFunction::kLast, SeriesAggregation::kNone);
  q.end_nanos = q.start_nanos;
  EXPECT_EQ(store_->QueryRange(q).status().code(), StatusCode::kInvalidArgument);
}

TEST(LabelMatcherParse, ReadsTheFourOperators) {
  auto eq = ParseLabelMatcher("host=\"a\"");
  ASSERT_TRUE(eq.ok());
  EXPECT_EQ(eq->op, LabelMatcher::Op::kEqual);
  EXPECT_EQ(eq->value, "a");
  EXPECT_EQ(ParseLabelMatcher("host!=b")->op, LabelMatcher::Op::kNotEqual);
  EXPECT_EQ(ParseLabelMatcher("host=~\"a.*\"")->op, LabelMatcher::Op::kRegex);
  EXPECT_EQ(ParseLabelMatcher("host!~x")->op, LabelMatcher::Op::kNotRegex);
  EXPECT_FALSE(ParseLabelMatcher("host").ok());
  EXPECT_FALSE(ParseLabelMatcher("=x").ok());
}

}  // namespace
}  // namespace tai
