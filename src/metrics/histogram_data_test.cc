#include "tai/metrics/histogram_data.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "metrics/exponential_mapping.h"

namespace tai {
namespace {

using internal::ExponentialIndex;
using internal::ExponentialLowerBoundary;
using internal::kMaxScale;

TEST(ExponentialMappingTest, IndexAgreesWithBoundaries) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> exponent(-60, 60);
  for (int i = 0; i < 200000; ++i) {
    double v = std::exp2(exponent(rng));
    int32_t idx = ExponentialIndex(v);
    // Bucket idx holds (lower, upper].
    EXPECT_GT(v, ExponentialLowerBoundary(idx, kMaxScale)) << v;
    EXPECT_LE(v, ExponentialLowerBoundary(idx + 1, kMaxScale)) << v;
  }
}

TEST(ExponentialMappingTest, PowersOfTwoCloseTheirBucket) {
  EXPECT_EQ(ExponentialIndex(1.0), -1);
  EXPECT_EQ(ExponentialIndex(2.0), 63);
  EXPECT_EQ(ExponentialIndex(0.5), -65);
  EXPECT_EQ(ExponentialIndex(std::nextafter(1.0, 2.0)), 0);
}

TEST(ExponentialMappingTest, SubnormalsAndExtremes) {
  double tiny = std::numeric_limits<double>::denorm_min();
  int32_t idx = ExponentialIndex(tiny);
  EXPECT_EQ(idx, -1074 * 64 - 1);
  double big = std::numeric_limits<double>::max();
  int32_t hi = ExponentialIndex(big);
  EXPECT_LE(big, ExponentialLowerBoundary(hi + 1, kMaxScale));
  EXPECT_GT(big, ExponentialLowerBoundary(hi, kMaxScale));
}

TEST(ExponentialMappingTest, DownscaleIsExact) {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> exponent(-20, 20);
  for (int i = 0; i < 10000; ++i) {
    double v = std::exp2(exponent(rng));
    for (int by = 1; by <= 8; ++by) {
      int32_t idx = internal::DownscaleIndex(ExponentialIndex(v), by);
      EXPECT_GT(v, ExponentialLowerBoundary(idx, kMaxScale - by));
      EXPECT_LE(v, ExponentialLowerBoundary(idx + 1, kMaxScale - by));
    }
  }
}

TEST(HistogramDataTest, StatsAndPercentiles) {
  HistogramData h;
  for (int v = 1; v <= 100; ++v) h.Record(v);
  EXPECT_EQ(h.count(), 100u);
  EXPECT_DOUBLE_EQ(h.sum(), 5050);
  EXPECT_DOUBLE_EQ(h.min(), 1);
  EXPECT_DOUBLE_EQ(h.max(), 100);
  EXPECT_DOUBLE_EQ(h.mean(), 50.5);
  EXPECT_NEAR(h.sum_of_squared_deviation(), 83325, 1e-6);  // n(n^2-1)/12
  EXPECT_DOUBLE_EQ(h.Percentile(0), 1);
  EXPECT_DOUBLE_EQ(h.Percentile(1), 100);
  EXPECT_NEAR(h.Percentile(0.5), 50, 50 * h.RelativeErrorBound());
  EXPECT_NEAR(h.Percentile(0.99), 99, 99 * h.RelativeErrorBound());
  // 1..100 spans 6.6 powers of two: 320 buckets hold that at scale 5.
  EXPECT_EQ(h.scale(), 5);
  EXPECT_NEAR(h.RelativeErrorBound(), 0.0108, 0.0001);
}

TEST(HistogramDataTest, EmptyHistogram) {
  HistogramData h;
  EXPECT_TRUE(std::isnan(h.Percentile(0.5)));
  EXPECT_TRUE(std::isnan(h.min()));
  EXPECT_TRUE(std::isnan(h.mean()));
}

TEST(HistogramDataTest, NegativeZeroAndPositive) {
  HistogramData h;
  for (double v : {-8.0, -2.0, 0.0, 0.0, 4.0}) h.Record(v);
  EXPECT_NEAR(h.Percentile(0.2), -8, 8 * h.RelativeErrorBound());
  EXPECT_NEAR(h.Percentile(0.4), -2, 2 * h.RelativeErrorBound());
  EXPECT_EQ(h.Percentile(0.6), 0);
  EXPECT_EQ(h.zero_count(), 2u);
  std::vector<double> lowers;
  h.ForEachBucket([&](double lo, double, uint64_t) { lowers.push_back(lo); });
  ASSERT_EQ(lowers.size(), 4u);
  EXPECT_TRUE(std::is_sorted(lowers.begin(), lowers.end()));
}

TEST(HistogramDataTest, WideRangeLowersScaleWithinBudget) {
  HistogramData h;
  h.LimitBuckets(64);
  for (double v = 1e-6; v < 1e6; v *= 1.5) h.Record(v);
  EXPECT_LE(h.positive().counts.size(), 64u);
  EXPECT_LT(h.scale(), kMaxScale);
  EXPECT_NEAR(h.Percentile(1), h.max(), 0);
}

TEST(HistogramDataTest, MergeEqualsRecordingTogether) {
  std::mt19937_64 rng(11);
  std::lognormal_distribution<double> dist(3, 1.5);
  HistogramData a, b, all;
  for (int i = 0; i < 20000; ++i) {
    double v = dist(rng);
    (i % 3 ? a : b).Record(v);
    all.Record(v);
  }
  ASSERT_TRUE(a.Merge(b).ok());
  EXPECT_EQ(a.count(), all.count());
  EXPECT_NEAR(a.sum(), all.sum(), 1e-6 * all.sum());
  EXPECT_NEAR(a.sum_of_squared_deviation(), all.sum_of_squared_deviation(),
              1e-9 * all.sum_of_squared_deviation());
  EXPECT_EQ(a.scale(), all.scale());
  EXPECT_EQ(a.positive().counts, all.positive().counts);
  EXPECT_EQ(a.Percentile(0.99), all.Percentile(0.99));
}

TEST(HistogramDataTest, DeltaSinceSubtracts) {
  HistogramData first;
  for (int v = 1; v <= 10; ++v) first.Record(v);
  HistogramData second = first;
  for (int v = 100; v <= 109; ++v) second.Record(v);
  HistogramData delta = second.DeltaSince(first);
  EXPECT_EQ(delta.count(), 10u);
  EXPECT_DOUBLE_EQ(delta.sum(), 1045);
  EXPECT_DOUBLE_EQ(delta.mean(), 104.5);
  EXPECT_NEAR(delta.sum_of_squared_deviation(), 82.5, 1e-6);
  EXPECT_TRUE(std::isnan(delta.min()));
  EXPECT_NEAR(delta.Percentile(0.5), 104, 104 * delta.RelativeErrorBound());
}

TEST(HistogramDataTest, ExplicitBounds) {
  auto h = HistogramData::WithExplicitBounds({1, 5, 10});
  ASSERT_TRUE(h.ok());
  for (double v : {0.5, 1.0, 3.0, 7.0, 20.0}) h->Record(v);
  EXPECT_EQ(h->bucket_counts(), (std::vector<uint64_t>{2, 1, 1, 1}));
  EXPECT_TRUE(std::isnan(h->RelativeErrorBound()));
  double p50 = h->Percentile(0.5);
  EXPECT_GE(p50, 1);
  EXPECT_LE(p50, 5);
  auto other = HistogramData::WithExplicitBounds({1, 2});
  EXPECT_EQ(h->Merge(*other).message(), "cannot merge explicit histograms with different bounds");
}

TEST(HistogramDataTest, ExplicitBoundsValidation) {
  EXPECT_EQ(HistogramData::WithExplicitBounds({}).status().message(),
            "explicit histogram bounds are empty");
  EXPECT_EQ(HistogramData::WithExplicitBounds({1, 1}).status().message(),
            "explicit histogram bounds must increase strictly; bound 1 (1.000000) is not above "
            "bound 0 (1.000000)");
  EXPECT_EQ(HistogramData::WithExplicitBounds({1, NAN}).status().message(),
            "explicit histogram bound 1 is not finite");
}

// The straddling bucket is split by linear interpolation: exact on a bound,
// within the bucket's count inside one.
TEST(CountAtOrBelowTest, InterpolatesOnlyInsideTheBucketHoldingTheBound) {
  auto h = HistogramData::WithExplicitBounds({100, 200, 300});
  ASSERT_TRUE(h.ok());
  for (int v = 101; v <= 200; ++v) h->Record(v);  // 100 in (100, 200]
  h->Record(50, 10);
  h->Record(250, 5);
  h->Record(1000, 7);
  EXPECT_EQ(h->CountAtOrBelow(200), 110);  // a bound: exact
  EXPECT_EQ(h->CountAtOrBelow(300), 115);
  EXPECT_EQ(h->CountAtOrBelow(1e9), 122);
  // 150 splits (100, 200] halfway: 10 + 50 (exact 10 + 50).
  EXPECT_DOUBLE_EQ(h->CountAtOrBelow(150), 60);
  // Min (50) and max (1000) clamp the open buckets: (-inf, 100] is taken
  // as [50, 100] and (300, +inf) as (300, 1000].
  EXPECT_DOUBLE_EQ(h->CountAtOrBelow(75), 5);     // exact: 10
  EXPECT_DOUBLE_EQ(h->CountAtOrBelow(400), 116);  // exact: 115
  // Without min and max, a straddled bucket with an infinite edge counts as
  // above the bound.
  HistogramData unknown = *h;
  unknown.MarkMinMaxUnknown();
  EXPECT_EQ(unknown.CountAtOrBelow(75), 0);
  EXPECT_EQ(unknown.CountAtOrBelow(100), 10);
  EXPECT_EQ(unknown.CountAtOrBelow(400), 115);
  EXPECT_DOUBLE_EQ(unknown.CountAtOrBelow(150), 60);
}

}  // namespace
}  // namespace tai
