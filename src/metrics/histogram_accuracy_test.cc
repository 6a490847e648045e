// Percentile accuracy on 1,000,000 values from three distributions: every
// reported percentile is within the documented relative-error bound of the
// exact (nearest-rank) value, through the hot path (Histogram instrument,
// per-CPU shards, drain) as users record.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>

#include "tai/metrics/metric_registry.h"

namespace tai {
namespace {

struct Case {
  const char* name;
  std::function<double(std::mt19937_64&)> draw;
};

double Exact(const std::vector<double>& sorted, double q) {
  size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::max<size_t>(rank, 1) - 1];
}

class HistogramAccuracyTest : public ::testing::TestWithParam<Case> {};

TEST_P(HistogramAccuracyTest, PercentilesWithinDocumentedBound) {
  MetricRegistry registry;
  auto hist = registry.CreateHistogram({.metric_type = "test/latency"}).value();
  auto bound = hist.Bind().value();
  std::mt19937_64 rng(2024);
  std::vector<double> values(1'000'000);
  for (double& v : values) {
    v = GetParam().draw(rng);
    bound.Record(v);
  }
  auto batch = registry.Collect();
  const HistogramData* h = nullptr;
  for (const auto& m : batch->metrics) {
    if (m.descriptor->metric_type == "test/latency") {
      h = m.points.at(0).value.distribution().histogram.get();
    }
  }
  ASSERT_NE(h, nullptr);
  ASSERT_EQ(h->count(), values.size());
  std::sort(values.begin(), values.end());
  const double alpha = h->RelativeErrorBound();
  EXPECT_LE(alpha, 0.0218) << "the data should fit at scale 4 or finer";
  for (double q : {0.5, 0.9, 0.99, 0.999}) {
    const double exact = Exact(values, q);
    const double got = h->Percentile(q);
    EXPECT_LE(std::fabs(got - exact), alpha * std::fabs(exact) * (1 + 1e-9))
        << GetParam().name << " p" << q * 100 << " exact " << exact << " got " << got << " bound "
        << alpha;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Distributions, HistogramAccuracyTest,
    ::testing::Values(
        Case{"uniform",
             [](std::mt19937_64& r) { return std::uniform_real_distribution<double>(1, 1000)(r); }},
        Case{"lognormal",
             [](std::mt19937_64& r) { return std::lognormal_distribution<double>(3, 1)(r); }},
        Case{"bimodal",
             [](std::mt19937_64& r) {
               bool slow = std::bernoulli_distribution(0.2)(r);
               return slow ? std::normal_distribution<double>(800, 50)(r)
                           : std::normal_distribution<double>(20, 3)(r);
             }}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

}  // namespace
}  // namespace tai
