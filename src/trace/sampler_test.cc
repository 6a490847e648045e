#include "tai/trace/sampler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "trace/sampler_fast_path.h"

namespace tai {
namespace {

bool Decide(const Sampler& s, const TraceId& id, const SpanContext& parent = {}) {
  return s.ShouldSample({parent, id, "op", SpanKind::kInternal});
}

class RatioSamplerTest : public ::testing::TestWithParam<double> {};

TEST_P(RatioSamplerTest, KeepsTheRatioWithinThreeSigmaOverAMillionIds) {
  const double ratio = GetParam();
  auto sampler = TraceIdRatioSampler(ratio);
  // Random ids from a seeded generator: a 3-sigma bound on truly fresh ids
  // would fail one run in 370 by chance; the sampler must hold it for any
  // uniform ids, and these are.
  std::mt19937_64 rng(20261125);
  constexpr int kIds = 1'000'000;
  int kept = 0;
  for (int i = 0; i < kIds; ++i) kept += Decide(*sampler, TraceId::FromWords(rng(), rng()));
  const double expected = ratio * kIds;
  const double sigma = std::sqrt(kIds * ratio * (1 - ratio));
  EXPECT_NEAR(kept, expected, 3 * sigma) << "ratio " << ratio;
}

INSTANTIATE_TEST_SUITE_P(Ratios, RatioSamplerTest, ::testing::Values(0.01, 0.1, 0.5));

TEST(SamplerTest, RatioDecisionDependsOnlyOnTheTraceId) {
  auto a = TraceIdRatioSampler(0.3);
  auto b = TraceIdRatioSampler(0.3);  // "another service" with the same ratio
  for (int i = 0; i < 10'000; ++i) {
    TraceId id = NewTraceId();
    EXPECT_EQ(Decide(*a, id), Decide(*b, id));
  }
}

TEST(SamplerTest, RatioSamplersAreNested) {
  // A trace kept at 1% is kept at 10%: services with higher ratios keep a
  // superset, so every trace sampled by the strictest one is complete.
  auto low = TraceIdRatioSampler(0.01);
  auto high = TraceIdRatioSampler(0.1);
  for (int i = 0; i < 100'000; ++i) {
    TraceId id = NewTraceId();
    if (Decide(*low, id)) {
      EXPECT_TRUE(Decide(*high, id));
    }
  }
}

TEST(SamplerTest, RatioBoundsAndThreshold) {
  EXPECT_FALSE(Decide(*TraceIdRatioSampler(0.0), TraceId::FromWords(0, 0)));
  EXPECT_TRUE(Decide(*TraceIdRatioSampler(1.0), TraceId::FromWords(~0ULL, ~0ULL)));
  EXPECT_TRUE(Decide(*TraceIdRatioSampler(0.5), TraceId::FromWords(1, 0x007FFFFFFFFFFFFFULL)));
  EXPECT_FALSE(Decide(*TraceIdRatioSampler(0.5), TraceId::FromWords(1, 0x0080000000000000ULL)));
  // Out-of-range ratios are clamped rather than trusted.
  EXPECT_TRUE(Decide(*TraceIdRatioSampler(7.0), NewTraceId()));
  EXPECT_FALSE(Decide(*TraceIdRatioSampler(-1.0), NewTraceId()));
  EXPECT_FALSE(Decide(*TraceIdRatioSampler(std::nan("")), NewTraceId()));
}

TEST(SamplerTest, AlwaysOnAndOff) {
  EXPECT_TRUE(Decide(*AlwaysOnSampler(), NewTraceId()));
  EXPECT_FALSE(Decide(*AlwaysOffSampler(), NewTraceId()));
}

TEST(SamplerTest, ParentBasedFollowsTheParentsSampledFlag) {
  auto sampler = ParentBasedSampler(AlwaysOffSampler());
  SpanContext parent;
  parent.trace_id = NewTraceId();
  parent.span_id = NewSpanId();
  parent.remote = true;
  parent.trace_flags = SpanContext::kSampledFlag;
  EXPECT_TRUE(Decide(*sampler, parent.trace_id, parent));  // remote sampled parent
  parent.trace_flags = 0;
  auto on = ParentBasedSampler(AlwaysOnSampler());
  EXPECT_FALSE(Decide(*on, parent.trace_id, parent));  // remote unsampled parent
  parent.remote = false;
  EXPECT_FALSE(Decide(*on, parent.trace_id, parent));  // local unsampled parent
  parent.trace_flags = SpanContext::kSampledFlag;
  EXPECT_TRUE(Decide(*sampler, parent.trace_id, parent));  // local sampled parent
  // No parent: the root sampler decides.
  EXPECT_FALSE(Decide(*sampler, NewTraceId()));
  EXPECT_TRUE(Decide(*on, NewTraceId()));
}

TEST(SamplerTest, TracerFastPathDecidesAsTheSamplerDoes) {
  struct Named {
    std::shared_ptr<const Sampler> sampler;
    bool generic;
  };
  class Custom : public Sampler {
   public:
    bool ShouldSample(const SamplingParameters& p) const override {
      return p.trace_id.high() % 2 == 0;
    }
    std::string Description() const override { return "Custom"; }
  };
  const std::vector<Named> samplers = {
      {AlwaysOnSampler(), false},
      {AlwaysOffSampler(), false},
      {TraceIdRatioSampler(0.3), false},
      {ParentBasedSampler(TraceIdRatioSampler(0.3)), false},
      {ParentBasedSampler(AlwaysOffSampler()), false},
      {std::make_shared<const Custom>(), true},
      {ParentBasedSampler(std::make_shared<const Custom>()), true}};
  for (const Named& n : samplers) {
    const internal::SamplerFastPath f = internal::DescribeSampler(*n.sampler);
    ASSERT_EQ(f.generic, n.generic) << n.sampler->Description();
    if (f.generic) continue;
    for (int i = 0; i < 20'000; ++i) {
      SpanContext parent;
      if (i % 3 != 0) {
        parent.trace_id = NewTraceId();
        parent.span_id = NewSpanId();
        parent.trace_flags = i % 2 ? SpanContext::kSampledFlag : 0;
      }
      const TraceId id = parent.valid() ? parent.trace_id : NewTraceId();
      ASSERT_EQ(internal::FastSample(f, parent, id), Decide(*n.sampler, id, parent))
          << n.sampler->Description();
    }
  }
}

TEST(SamplerTest, DefaultsByEnvironment) {
  EXPECT_EQ(DefaultSampleRatio(Environment::kDev), 1.0);
  EXPECT_EQ(DefaultSampleRatio(Environment::kStaging), 0.1);
  EXPECT_EQ(DefaultSampleRatio(Environment::kProd), 0.01);
}

TEST(SamplerTest, FromOpenTelemetryNames) {
  EXPECT_EQ((*SamplerFromName("always_on", "", 1))->Description(), "AlwaysOnSampler");
  EXPECT_EQ((*SamplerFromName("parentbased_always_off", "", 1))->Description(),
            "ParentBased{root=AlwaysOffSampler}");
  auto ratio = SamplerFromName("traceidratio", "0.25", 1);
  ASSERT_TRUE(ratio.ok());
  EXPECT_EQ((*ratio)->Description(), "TraceIdRatioBased{0.250000}");
  auto fallback = SamplerFromName("parentbased_traceidratio", "", 0.01);
  EXPECT_EQ((*fallback)->Description(), "ParentBased{root=TraceIdRatioBased{0.010000}}");

  auto bad = SamplerFromName("sometimes", "", 1);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("'sometimes'"), std::string::npos);
  auto bad_arg = SamplerFromName("traceidratio", "1.5", 1);
  ASSERT_FALSE(bad_arg.ok());
  EXPECT_NE(bad_arg.status().message().find("'1.5'"), std::string::npos);
  EXPECT_FALSE(SamplerFromName("traceidratio", "half", 1).ok());
}

}  // namespace
}  // namespace tai
