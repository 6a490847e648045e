// The alert state machine on its own, as the SLO and regression alerts
// will drive it: observations in, state changes and notifications out.
#include "alert/alert_tracker.h"

#include <gtest/gtest.h>

namespace tai::internal {
namespace {

constexpr int64_t kMinute = int64_t{60} * 1'000'000'000;

AlertTrackerSettings Settings() {
  AlertTrackerSettings s;
  s.rule_id = "slo:checkout";
  s.alertname = "CheckoutBurnRate";
  s.labels = {{"severity", "page"}};
  s.annotations.emplace("summary", *AlertTemplate::Parse("burn rate {{ $value }}x"));
  return s;
}

Observation Holds(LabelSet labels, double value) {
  return {.labels = std::move(labels), .value = value, .holds = true};
}

TEST(AlertTracker, ObservationsDriveStatesAndReturnWhatToRecordAndNotify) {
  AlertTracker tracker(Settings());
  LabelSet window({{"window", "1h"}});
  auto up = tracker.Evaluate(0, {Holds(window, 14.4)});
  ASSERT_EQ(up.events.size(), 2u);  // pending, then firing at once (trigger_count 1, no `for`)
  EXPECT_EQ(up.events[0].state, "pending");
  EXPECT_EQ(up.events[1].state, "firing");
  EXPECT_EQ(up.events[1].rule_id, "slo:checkout");
  ASSERT_EQ(up.notify.size(), 1u);
  EXPECT_EQ(up.notify[0].annotations.at("summary"), "burn rate 14.4x");
  EXPECT_EQ(*up.notify[0].labels.Find("alertname"), "CheckoutBurnRate");
  EXPECT_EQ(*up.notify[0].labels.Find("window"), "1h");

  auto same = tracker.Evaluate(kMinute, {Holds(window, 15)});
  EXPECT_TRUE(same.events.empty());
  EXPECT_TRUE(same.notify.empty());

  auto down = tracker.Evaluate(2 * kMinute, {{.labels = window, .value = 0.5, .holds = false}});
  ASSERT_EQ(down.notify.size(), 1u);
  EXPECT_EQ(down.notify[0].state, AlertState::kResolved);
  EXPECT_EQ(down.notify[0].annotations.at("summary"), "burn rate 0.5x");
  ASSERT_EQ(tracker.Alerts().size(), 1u);

  // A resolved alert is listed for keep_resolved, then forgotten.
  tracker.Evaluate(2 * kMinute + Settings().keep_resolved.count(), {});
  EXPECT_TRUE(tracker.Alerts().empty());
}

TEST(AlertTracker, NewGroupsPastTheCapacityAreRefusedAndCounted) {
  AlertTracker tracker(Settings());
  auto up = tracker.Evaluate(0,
                             {Holds(LabelSet({{"k", "a"}}), 1), Holds(LabelSet({{"k", "b"}}), 1),
                              Holds(LabelSet({{"k", "c"}}), 1)},
                             2);
  EXPECT_EQ(up.dropped, 1u);
  EXPECT_EQ(tracker.size(), 2u);
}

// Start labels are set when an alert starts and kept while it lasts (they
// are no part of its identity); observation annotations follow every
// evaluation, and the settings' templates win over them.
TEST(AlertTracker, StartLabelsStayAnnotationsFollow) {
  AlertTrackerSettings settings = Settings();
  settings.no_data = NoDataPolicy::kResolve;
  AlertTracker tracker(settings);
  LabelSet fn({{"function", "parse"}});
  auto slower = [&](double percent, const std::string& band) {
    Observation o = Holds(fn, percent);
    o.start_labels = {{"band", band}};
    o.annotations = {{"current_band", band}, {"summary", "overridden by the template"}};
    return o;
  };
  auto up = tracker.Evaluate(0, {slower(24, "MEDIUM")});
  ASSERT_EQ(up.notify.size(), 1u);
  EXPECT_EQ(*up.notify[0].labels.Find("band"), "MEDIUM");
  EXPECT_EQ(up.notify[0].annotations.at("summary"), "burn rate 24x");
  auto same = tracker.Evaluate(kMinute, {slower(26, "HIGH")});
  EXPECT_TRUE(same.events.empty());
  ASSERT_EQ(tracker.Alerts().size(), 1u);
  EXPECT_EQ(*tracker.Alerts()[0].labels.Find("band"), "MEDIUM");
  EXPECT_EQ(tracker.Alerts()[0].annotations.at("current_band"), "HIGH");
  // Absent with kResolve: resolved under the labels it fired with.
  auto down = tracker.Evaluate(2 * kMinute, {});
  ASSERT_EQ(down.notify.size(), 1u);
  EXPECT_EQ(down.notify[0].state, AlertState::kResolved);
  EXPECT_EQ(down.events[0].fingerprint, up.events[0].fingerprint);
  // A new episode takes the start labels of its own start.
  auto again = tracker.Evaluate(3 * kMinute, {slower(60, "CRITICAL")});
  ASSERT_EQ(again.notify.size(), 1u);
  EXPECT_EQ(*again.notify[0].labels.Find("band"), "CRITICAL");
  EXPECT_EQ(tracker.size(), 1u);
}

TEST(AlertTracker, TemplatesRejectUnknownReferences) {
  auto bad = AlertTemplate::Parse("{{ $labels }} and {{ $value }}");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("'{{ $labels }}'"), std::string::npos)
      << bad.status().message();
  EXPECT_FALSE(AlertTemplate::Parse("open {{ $value").ok());
  auto good = AlertTemplate::Parse("{{$labels.route}}: {{ $value }} > {{ $threshold }}");
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(good->Expand(0.051, 0.05, LabelSet({{"route", "/pay"}})), "/pay: 0.051 > 0.05");
}

// The fingerprint people see (of the alert's labels) includes start labels,
// which the tracker's own key leaves out: acknowledging goes by the former.
TEST(AlertTracker, AcknowledgeFindsTheAlertByItsLabelsFingerprint) {
  AlertTracker tracker(Settings());
  Observation o = Holds(LabelSet({{"function", "parse"}}), 30);
  o.start_labels = {{"band", "HIGH"}};
  ASSERT_EQ(tracker.Evaluate(0, {o}).notify.size(), 1u);
  const Alert fired = tracker.Alerts().at(0);
  ASSERT_EQ(*fired.labels.Find("band"), "HIGH");
  const std::string fingerprint = AlertFingerprint(fired.labels);

  auto ack = tracker.Acknowledge(fingerprint, kMinute, "mine");
  ASSERT_TRUE(ack.ok()) << ack.status().ToString();
  EXPECT_EQ(ack->state, "acknowledged");
  EXPECT_EQ(ack->fingerprint, fingerprint);
  EXPECT_EQ(ack->annotations.at("comment"), "mine");
  EXPECT_EQ(ack->annotations.at("summary"), "burn rate 30x");
  EXPECT_EQ(tracker.Alerts().at(0).acknowledged_at_nanos, kMinute);
  EXPECT_EQ(tracker.Acknowledge("ffffffffffffffff", kMinute, "").status().code(),
            StatusCode::kNotFound);

  // No repeat while acknowledged, however long it fires.
  auto later = tracker.Evaluate(Settings().repeat_interval.count() + kMinute, {o});
  EXPECT_TRUE(later.notify.empty());
}

}  // namespace
}  // namespace tai::internal
