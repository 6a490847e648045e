#include "analysis/regression_episodes.h"

#include <gtest/gtest.h>

namespace tai::internal {
namespace {

Regression Slower(std::string function, double percent) {
  return {.function = std::move(function),
          .increase_percent = percent,
          .severity = SeverityForIncrease(percent)};
}

ProfileComparison Showing(std::vector<Regression> regressions) {
  ProfileComparison c;
  c.options.threshold_percent = 10;
  c.regressions = std::move(regressions);
  return c;
}

// parse_order slows by 12% (MEDIUM) for four windows, rises to 30% (HIGH)
// in the third, and is gone in the fifth: one alert when it starts, one
// when it rises, one resolution; serialize's 3% (no band) alerts nothing.
TEST(RegressionEpisodesTest, OneAlertPerRegressionAgainOnlyWhenItRises) {
  RegressionEpisodes episodes;
  auto first = episodes.Observe(ProfileKind::kCpu, "cpu-000001",
                                Showing({Slower("parse_order", 12), Slower("serialize", 3)}), 100);
  ASSERT_TRUE(first.alert.has_value());
  ASSERT_EQ(first.alert->regressions.size(), 1u);
  EXPECT_EQ(first.alert->regressions[0].function, "parse_order");
  EXPECT_EQ(first.alert->severity, AlertSeverity::kMedium);
  EXPECT_EQ(first.alert->threshold_percent, 10);
  EXPECT_EQ(first.alert->timestamp, 100);
  EXPECT_TRUE(first.resolved.empty());
  EXPECT_EQ(episodes.active(), 1u);

  auto same =
      episodes.Observe(ProfileKind::kCpu, "cpu-000002", Showing({Slower("parse_order", 14)}), 200);
  EXPECT_FALSE(same.alert.has_value());
  EXPECT_TRUE(same.resolved.empty());

  auto rose =
      episodes.Observe(ProfileKind::kCpu, "cpu-000003", Showing({Slower("parse_order", 30)}), 300);
  ASSERT_TRUE(rose.alert.has_value());
  EXPECT_EQ(rose.alert->severity, AlertSeverity::kHigh);
  EXPECT_NE(rose.alert->alert_id, first.alert->alert_id);

  auto fell =
      episodes.Observe(ProfileKind::kCpu, "cpu-000004", Showing({Slower("parse_order", 12)}), 400);
  EXPECT_FALSE(fell.alert.has_value()) << "a lower band is no news";

  // Another kind's comparison leaves the CPU regression alone.
  auto heap = episodes.Observe(ProfileKind::kHeap, "heap-000004", Showing({}), 450);
  EXPECT_TRUE(heap.resolved.empty());

  auto gone = episodes.Observe(ProfileKind::kCpu, "cpu-000005", Showing({}), 500);
  EXPECT_FALSE(gone.alert.has_value());
  ASSERT_EQ(gone.resolved.size(), 1u);
  const AlertResolved& r = gone.resolved[0];
  EXPECT_EQ(r.function, "parse_order");
  EXPECT_EQ(r.kind, ProfileKind::kCpu);
  EXPECT_EQ(r.profile_id, "cpu-000005");
  EXPECT_EQ(r.timestamp, 500);
  EXPECT_EQ(r.since, 100);
  EXPECT_EQ(r.windows, 4);
  EXPECT_EQ(r.severity, AlertSeverity::kHigh);
  EXPECT_EQ(r.alert_id, rose.alert->alert_id);
  EXPECT_EQ(episodes.active(), 0u);

  // It comes back: a new episode, a new alert.
  auto again =
      episodes.Observe(ProfileKind::kCpu, "cpu-000006", Showing({Slower("parse_order", 12)}), 600);
  ASSERT_TRUE(again.alert.has_value());
  EXPECT_EQ(again.alert->severity, AlertSeverity::kMedium);
}

// Two functions in one alert end separately.
TEST(RegressionEpisodesTest, EachFunctionResolvesOnItsOwn) {
  RegressionEpisodes episodes;
  auto both = episodes.Observe(ProfileKind::kCpu, "cpu-000001",
                               Showing({Slower("a", 60), Slower("b", 12)}), 100);
  ASSERT_TRUE(both.alert.has_value());
  EXPECT_EQ(both.alert->regressions.size(), 2u);
  EXPECT_EQ(both.alert->severity, AlertSeverity::kCritical);
  auto only_a = episodes.Observe(ProfileKind::kCpu, "cpu-000002", Showing({Slower("a", 55)}), 200);
  EXPECT_FALSE(only_a.alert.has_value());
  ASSERT_EQ(only_a.resolved.size(), 1u);
  EXPECT_EQ(only_a.resolved[0].function, "b");
  EXPECT_EQ(only_a.resolved[0].severity, AlertSeverity::kMedium);
  EXPECT_EQ(only_a.resolved[0].windows, 1);
  EXPECT_EQ(episodes.active(), 1u);
}

}  // namespace
}  // namespace tai::internal
