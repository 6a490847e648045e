// The store's alert history: schema version 2 on a version 1 file, alert
// events and notification attempts written on the writer thread, searched
// back with filters, and removed by retention.
#include <gtest/gtest.h>

#include "store/schema.h"
#include "store/store_testing.h"

namespace tai {
namespace {

using testing::kBaseTime;
using testing::kDay;
using testing::kSecond;

AlertEventRecord Event(int64_t t, std::string rule, std::string fp, std::string state) {
  return {.time_nanos = t,
          .rule_id = std::move(rule),
          .fingerprint = std::move(fp),
          .labels = LabelSet({{"alertname", "HighLatency"}, {"route", "/pay"}}),
          .state = std::move(state),
          .value = 0.25,
          .annotations = {{"summary", "p99 is 0.25"}}};
}

NotificationAttempt Attempt(int64_t t, std::string notifier, bool ok) {
  return {.time_nanos = t,
          .notifier = std::move(notifier),
          .fingerprint = "00000000000000aa",
          .rule_id = "slow-pay",
          .state = "firing",
          .attempt = ok ? 2 : 1,
          .ok = ok,
          .http_status = ok ? 200 : 503,
          .error = ok ? "" : "HTTP 503"};
}

TEST(AlertHistory, AVersion1FileIsMigratedAndKeepsItsData) {
  testing::TestStore t;
  {
    auto db = internal::Database::Open(t.path(), internal::Database::Mode::kReadWrite);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(internal::Migrate(**db, internal::StoreMigrations().first(1)).ok());
    ASSERT_EQ(*internal::SchemaVersion(**db), 1);
    ASSERT_TRUE((*db)->Exec("INSERT INTO series(metric, labels, kind) VALUES ('m', '{}', 0)").ok());
  }
  auto store = t.Open();
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  (*store)->AddAlertEvents({Event(kBaseTime, "r", "fp", "firing")});
  ASSERT_TRUE((*store)->Flush(std::chrono::seconds(10)).ok());
  auto names = (*store)->MetricNames();
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, std::vector<std::string>{"m"});
  auto events = (*store)->SearchAlertEvents({});
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  EXPECT_EQ(events->size(), 1u);
  store->reset();
  auto db = internal::Database::Open(t.path(), internal::Database::Mode::kReadOnly);
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(*internal::SchemaVersion(**db), internal::StoreMigrations().back().version);
}

TEST(AlertHistory, EventsAreSearchedNewestFirstByRuleFingerprintAndState) {
  testing::TestStore t;
  auto store = t.Open();
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  (*store)->AddAlertEvents({Event(kBaseTime, "slow-pay", "a", "pending"),
                            Event(kBaseTime + kSecond, "slow-pay", "a", "firing"),
                            Event(kBaseTime + 2 * kSecond, "errors", "b", "firing"),
                            Event(kBaseTime + 3 * kSecond, "slow-pay", "a", "resolved")});
  ASSERT_TRUE((*store)->Flush(std::chrono::seconds(10)).ok());
  EXPECT_EQ((*store)->stats().written_of(StoreSignal::kAlerts), 4u);

  auto all = (*store)->SearchAlertEvents({});
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 4u);
  EXPECT_EQ((*all)[0].state, "resolved");
  EXPECT_EQ((*all)[0].labels, LabelSet({{"alertname", "HighLatency"}, {"route", "/pay"}}));
  EXPECT_EQ((*all)[0].annotations.at("summary"), "p99 is 0.25");
  EXPECT_EQ((*all)[0].value, 0.25);

  auto rule = (*store)->SearchAlertEvents({.rule_id = "slow-pay"});
  ASSERT_TRUE(rule.ok());
  EXPECT_EQ(rule->size(), 3u);
  auto firing = (*store)->SearchAlertEvents({.state = "firing"});
  ASSERT_TRUE(firing.ok());
  EXPECT_EQ(firing->size(), 2u);
  auto by_fp = (*store)->SearchAlertEvents({.fingerprint = "b"});
  ASSERT_TRUE(by_fp.ok());
  ASSERT_EQ(by_fp->size(), 1u);
  EXPECT_EQ((*by_fp)[0].rule_id, "errors");
  auto window = (*store)->SearchAlertEvents(
      {.start_nanos = kBaseTime + kSecond, .end_nanos = kBaseTime + 3 * kSecond});
  ASSERT_TRUE(window.ok());
  EXPECT_EQ(window->size(), 2u);
  auto limited = (*store)->SearchAlertEvents({.limit = 1});
  ASSERT_TRUE(limited.ok());
  ASSERT_EQ(limited->size(), 1u);
  EXPECT_EQ((*limited)[0].time_nanos, kBaseTime + 3 * kSecond);
}

TEST(AlertHistory, NotificationAttemptsRoundTrip) {
  testing::TestStore t;
  auto store = t.Open();
  ASSERT_TRUE(store.ok());
  (*store)->AddNotificationAttempts({Attempt(kBaseTime, "slack", false),
                                     Attempt(kBaseTime + kSecond, "slack", true),
                                     Attempt(kBaseTime + kSecond, "pagerduty", true)});
  ASSERT_TRUE((*store)->Flush(std::chrono::seconds(10)).ok());
  auto slack = (*store)->SearchNotifications({.notifier = "slack"});
  ASSERT_TRUE(slack.ok()) << slack.status().ToString();
  ASSERT_EQ(slack->size(), 2u);
  EXPECT_TRUE((*slack)[0].ok);
  EXPECT_EQ((*slack)[0].attempt, 2);
  EXPECT_FALSE((*slack)[1].ok);
  EXPECT_EQ((*slack)[1].http_status, 503);
  EXPECT_EQ((*slack)[1].error, "HTTP 503");
  EXPECT_EQ((*slack)[1].rule_id, "slow-pay");
  auto all = (*store)->SearchNotifications({.fingerprint = "00000000000000aa"});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 3u);
}

TEST(AlertHistory, AFullQueueDropsAndCounts) {
  testing::TestStore t;
  t.options().max_queued_alert_records = 2;
  t.options().commit_interval = std::chrono::milliseconds(60'000);
  auto store = t.Open();
  ASSERT_TRUE(store.ok());
  std::vector<AlertEventRecord> three(3, Event(kBaseTime, "r", "f", "firing"));
  (*store)->AddAlertEvents(three);
  EXPECT_EQ((*store)->stats().dropped_of(StoreSignal::kAlerts), 3u);
}

TEST(AlertHistory, RetentionRemovesHistoryPastItsAge) {
  testing::TestStore t;
  t.options().retention.alert_history = std::chrono::hours(24);
  auto store = t.Open();
  ASSERT_TRUE(store.ok());
  (*store)->AddAlertEvents(
      {Event(kBaseTime, "old", "a", "firing"), Event(kBaseTime + 2 * kDay, "new", "b", "firing")});
  (*store)->AddNotificationAttempts(
      {Attempt(kBaseTime, "slack", true), Attempt(kBaseTime + 2 * kDay, "slack", true)});
  ASSERT_TRUE((*store)->Flush(std::chrono::seconds(10)).ok());
  t.set_now(kBaseTime + 2 * kDay + kSecond);
  ASSERT_TRUE((*store)->RunMaintenance(std::chrono::seconds(30)).ok());
  auto events = (*store)->SearchAlertEvents({});
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].rule_id, "new");
  auto attempts = (*store)->SearchNotifications({});
  ASSERT_TRUE(attempts.ok());
  EXPECT_EQ(attempts->size(), 1u);
}

}  // namespace
}  // namespace tai
