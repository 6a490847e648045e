// The alert engine against a real store with an injected clock: state
// transitions, trigger_count and `for`, missing data, grouping, templates,
// repeats and resolutions, failing queries, the alert limit, the rule
// file's hot reload and the evaluation thread.
#include "tai/alert/alert_engine.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <thread>

#include "store/store_testing.h"

namespace tai {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using testing::kBaseTime;
using testing::kMinute;
using testing::kSecond;

class AlertEngineTest : public ::testing::Test {
 protected:
  void SetUp() override { OpenStore(); }

  void OpenStore() {
    store_.reset();
    auto store = t_.Open();
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }

  std::unique_ptr<AlertEngine> Engine(AlertEngineOptions o = {}) {
    o.store = store_.get();
    o.clock = [this] { return t_.now(); };
    o.notify = [this](const Alert& a, const std::vector<std::string>& channels) {
      std::lock_guard<std::mutex> lock(mu_);
      notified_.push_back(a);
      channels_ = channels;
    };
    auto engine = AlertEngine::Create(std::move(o));
    EXPECT_TRUE(engine.ok()) << engine.status().ToString();
    return engine.ok() ? std::move(*engine) : nullptr;
  }

  void Gauge(const std::string& metric, LabelSet labels, int64_t t, double v) {
    auto d = testing::Descriptor(metric, MetricType::kGauge);
    store_->AddMetrics(testing::Batch(
        {testing::OneMetric(d, InstrumentKind::kGauge, {testing::Point(std::move(labels), t, v)})},
        t));
    ASSERT_TRUE(store_->Flush(seconds(10)).ok());
  }

  // Evaluates at `t` (store and engine share the clock).
  void EvaluateAt(AlertEngine& engine, int64_t t) {
    t_.set_now(t);
    Status s = engine.EvaluateOnce();
    EXPECT_TRUE(s.ok()) << s.ToString();
  }

  static AlertingRule Rule(std::string id) {
    return {.id = std::move(id),
            .metric_type = "app/error_rate",
            .threshold = 5,
            .comparison_operator = ComparisonOperator::kGreaterThan,
            .evaluation_window_secs = 60,
            .aggregation = WindowAggregation::kLast,
            .interval = seconds(10)};
  }

  std::vector<AlertState> States(const AlertEngine& engine) {
    std::vector<AlertState> out;
    for (const Alert& a : engine.Alerts()) out.push_back(a.state);
    return out;
  }
  size_t Notified() {
    std::lock_guard<std::mutex> lock(mu_);
    return notified_.size();
  }
  Alert LastNotified() {
    std::lock_guard<std::mutex> lock(mu_);
    return notified_.back();
  }

  testing::TestStore t_;
  std::unique_ptr<Store> store_;
  std::mutex mu_;
  std::vector<Alert> notified_;
  std::vector<std::string> channels_;
};

TEST_F(AlertEngineTest, PendingFiresAfterTriggerCountThenResolves) {
  auto engine = Engine({.generator_url_base = "http://127.0.0.1:9464/"});
  AlertingRule rule = Rule("high-error-rate");
  rule.display_name = "Error Rate > 5%";
  rule.trigger_count = 2;
  rule.notification_channels = {"slack"};
  rule.labels = {{"severity", "page"}};
  ASSERT_TRUE(engine->CreateAlertingRule(rule).ok());

  Gauge("app/error_rate", {}, kBaseTime + 5 * kSecond, 7);
  EvaluateAt(*engine, kBaseTime + 10 * kSecond);
  EXPECT_EQ(States(*engine), std::vector{AlertState::kPending});
  EXPECT_EQ(Notified(), 0u);

  Gauge("app/error_rate", {}, kBaseTime + 15 * kSecond, 8);
  EvaluateAt(*engine, kBaseTime + 20 * kSecond);
  ASSERT_EQ(States(*engine), std::vector{AlertState::kFiring});
  ASSERT_EQ(Notified(), 1u);
  Alert fired = LastNotified();
  EXPECT_EQ(fired.state, AlertState::kFiring);
  EXPECT_EQ(fired.value, 8);
  EXPECT_EQ(*fired.labels.Find("alertname"), "Error Rate > 5%");
  EXPECT_EQ(AlertSeverityLabel(fired), "page");
  EXPECT_EQ(fired.active_at_nanos, kBaseTime + 10 * kSecond);
  EXPECT_EQ(fired.fired_at_nanos, kBaseTime + 20 * kSecond);
  EXPECT_EQ(fired.generator_url, "http://127.0.0.1:9464/alerts/high-error-rate");
  EXPECT_EQ(channels_, std::vector<std::string>{"slack"});

  Gauge("app/error_rate", {}, kBaseTime + 25 * kSecond, 1);
  EvaluateAt(*engine, kBaseTime + 30 * kSecond);
  EXPECT_EQ(States(*engine), std::vector{AlertState::kResolved});
  ASSERT_EQ(Notified(), 2u);
  EXPECT_EQ(LastNotified().state, AlertState::kResolved);
  EXPECT_EQ(LastNotified().resolved_at_nanos, kBaseTime + 30 * kSecond);

  // Every state change is in the store's alert history.
  ASSERT_TRUE(store_->Flush(seconds(10)).ok());
  auto events = store_->SearchAlertEvents({.rule_id = "high-error-rate"});
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ((*events)[0].state, "resolved");
  EXPECT_EQ((*events)[1].state, "firing");
  EXPECT_EQ((*events)[2].state, "pending");
  EXPECT_EQ((*events)[1].fingerprint, AlertFingerprint(fired.labels));
  EXPECT_EQ(engine->stats().evaluations, 3u);
}

TEST_F(AlertEngineTest, ForDurationMustElapseBeforeFiring) {
  auto engine = Engine();
  AlertingRule rule = Rule("slow");
  rule.interval = minutes(1);
  rule.for_duration = minutes(2);
  ASSERT_TRUE(engine->AddRule(rule).ok());
  for (int i = 0; i <= 2; ++i) {
    Gauge("app/error_rate", {}, kBaseTime + i * kMinute, 9);
    EvaluateAt(*engine, kBaseTime + i * kMinute);
    EXPECT_EQ(States(*engine), std::vector{i < 2 ? AlertState::kPending : AlertState::kFiring})
        << "minute " << i;
  }
  EXPECT_EQ(Notified(), 1u);
}

TEST_F(AlertEngineTest, PendingThatStopsHoldingIsNeverNotified) {
  auto engine = Engine();
  AlertingRule rule = Rule("flappy");
  rule.trigger_count = 3;
  ASSERT_TRUE(engine->AddRule(rule).ok());
  Gauge("app/error_rate", {}, kBaseTime, 9);
  EvaluateAt(*engine, kBaseTime + kSecond);
  EXPECT_EQ(States(*engine), std::vector{AlertState::kPending});
  Gauge("app/error_rate", {}, kBaseTime + 5 * kSecond, 1);
  EvaluateAt(*engine, kBaseTime + 11 * kSecond);
  EXPECT_TRUE(engine->Alerts().empty());
  EXPECT_EQ(Notified(), 0u);
  ASSERT_TRUE(store_->Flush(seconds(10)).ok());
  auto events = store_->SearchAlertEvents({.rule_id = "flappy"});
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[0].state, "inactive");
}

TEST_F(AlertEngineTest, RepeatsAfterRepeatIntervalAndAlwaysNotifiesResolution) {
  auto engine = Engine();
  AlertingRule rule = Rule("repeat");
  rule.interval = minutes(1);
  rule.repeat_interval = minutes(5);
  ASSERT_TRUE(engine->AddRule(rule).ok());
  std::string fingerprint;
  for (int i = 0; i <= 7; ++i) {
    Gauge("app/error_rate", {}, kBaseTime + i * kMinute, 9);
    EvaluateAt(*engine, kBaseTime + i * kMinute);
    auto alerts = engine->Alerts();
    ASSERT_EQ(alerts.size(), 1u);  // one alert per fingerprint, however often it holds
    if (i == 0) fingerprint = AlertFingerprint(alerts[0].labels);
    EXPECT_EQ(AlertFingerprint(alerts[0].labels), fingerprint);
  }
  EXPECT_EQ(Notified(), 2u);  // at 0 and at 5 min; the repeat due at 10 min is not yet
  Gauge("app/error_rate", {}, kBaseTime + 8 * kMinute, 2);
  EvaluateAt(*engine, kBaseTime + 8 * kMinute);
  ASSERT_EQ(Notified(), 3u);
  EXPECT_EQ(LastNotified().state, AlertState::kResolved);
  EXPECT_EQ(engine->stats().notifications, 3u);
}

TEST_F(AlertEngineTest, AnAcknowledgedAlertStopsRepeatingUntilItFiresAgain) {
  auto engine = Engine();
  AlertingRule rule = Rule("ack");
  rule.interval = minutes(1);
  rule.repeat_interval = minutes(5);
  ASSERT_TRUE(engine->AddRule(rule).ok());
  Gauge("app/error_rate", {}, kBaseTime, 9);
  EvaluateAt(*engine, kBaseTime);
  ASSERT_EQ(Notified(), 1u);
  const std::string fingerprint = AlertFingerprint(engine->Alerts().at(0).labels);

  t_.set_now(kBaseTime + 30 * kSecond);
  ASSERT_TRUE(engine->Acknowledge(fingerprint, "on it").ok());
  t_.set_now(kBaseTime + 40 * kSecond);
  ASSERT_TRUE(engine->Acknowledge(fingerprint).ok());  // again: keeps the first time
  for (int i = 1; i <= 7; ++i) {
    Gauge("app/error_rate", {}, kBaseTime + i * kMinute, 9);
    EvaluateAt(*engine, kBaseTime + i * kMinute);
  }
  Alert acked = engine->Alerts().at(0);
  EXPECT_EQ(acked.state, AlertState::kFiring);
  EXPECT_EQ(acked.acknowledged_at_nanos, kBaseTime + 30 * kSecond);
  EXPECT_EQ(Notified(), 1u);  // the repeat due at 5 min is not sent

  Gauge("app/error_rate", {}, kBaseTime + 8 * kMinute, 2);
  EvaluateAt(*engine, kBaseTime + 8 * kMinute);
  ASSERT_EQ(Notified(), 2u);  // the resolution still goes out
  EXPECT_EQ(LastNotified().state, AlertState::kResolved);
  Status resolved = engine->Acknowledge(fingerprint);
  EXPECT_EQ(resolved.code(), StatusCode::kFailedPrecondition) << resolved.ToString();
  EXPECT_NE(resolved.message().find(fingerprint), std::string::npos);

  // A new episode is not acknowledged: it notifies and repeats again.
  Gauge("app/error_rate", {}, kBaseTime + 9 * kMinute, 9);
  EvaluateAt(*engine, kBaseTime + 9 * kMinute);
  EXPECT_EQ(engine->Alerts().at(0).acknowledged_at_nanos, 0);
  EXPECT_EQ(Notified(), 3u);
  Gauge("app/error_rate", {}, kBaseTime + 14 * kMinute, 9);
  EvaluateAt(*engine, kBaseTime + 14 * kMinute);
  EXPECT_EQ(Notified(), 4u);

  Status unknown = engine->Acknowledge("0123456789abcdef");
  EXPECT_EQ(unknown.code(), StatusCode::kNotFound);
  EXPECT_NE(unknown.message().find("0123456789abcdef"), std::string::npos);

  // Each acknowledgement is in the history, with its comment.
  ASSERT_TRUE(store_->Flush(seconds(10)).ok());
  auto events = store_->SearchAlertEvents({.fingerprint = fingerprint, .state = "acknowledged"});
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[1].time_nanos, kBaseTime + 30 * kSecond);
  EXPECT_EQ((*events)[1].annotations.at("comment"), "on it");
  EXPECT_EQ((*events)[1].rule_id, "ack");
  EXPECT_FALSE((*events)[0].annotations.contains("comment"));
}

// Acknowledge comes from the dashboard's HTTP workers while the evaluation
// thread runs (TSan checks this one).
TEST_F(AlertEngineTest, AcknowledgeRacesTheEvaluationThreadSafely) {
  std::mutex mu;
  std::condition_variable cv;
  bool fired = false;
  // Every reading of the clock is a second later: the rule is due on every
  // pass of the thread.
  std::atomic<int64_t> ticks{0};
  auto created = AlertEngine::Create({.store = store_.get(),
                                      .clock = [&] { return kBaseTime + ticks++ * kSecond; },
                                      .record =
                                          [&](const AlertEventRecord& r) {
                                            std::lock_guard<std::mutex> lock(mu);
                                            if (r.state == "firing") fired = true;
                                            cv.notify_all();
                                          },
                                      .max_idle = std::chrono::milliseconds(1)});
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  std::unique_ptr<AlertEngine> engine = std::move(*created);
  AlertingRule rule = Rule("absent");
  rule.metric_type = "app/heartbeat";
  rule.no_data = NoDataPolicy::kAlert;
  rule.interval = seconds(1);
  ASSERT_TRUE(engine->AddRule(rule).ok());
  engine->Start();
  {
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, seconds(10), [&] { return fired; }));
  }
  const std::string fingerprint = AlertFingerprint(engine->Alerts().at(0).labels);
  std::vector<std::thread> threads;
  for (int n = 0; n < 2; ++n) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        EXPECT_TRUE(engine->Acknowledge(fingerprint, "seen").ok());
        EXPECT_EQ(engine->Alerts().size(), 1u);
      }
    });
  }
  for (auto& t : threads) t.join();
  engine->Stop();
  EXPECT_NE(engine->Alerts().at(0).acknowledged_at_nanos, 0);
}

TEST_F(AlertEngineTest, NoDataKeepStateHoldsUntilResolveMissingAfter) {
  auto engine = Engine();
  AlertingRule rule = Rule("keep");
  rule.resolve_missing_after = minutes(10);
  ASSERT_TRUE(engine->AddRule(rule).ok());
  Gauge("app/error_rate", {}, kBaseTime, 9);
  EvaluateAt(*engine, kBaseTime);
  EXPECT_EQ(States(*engine), std::vector{AlertState::kFiring});
  EvaluateAt(*engine, kBaseTime + 5 * kMinute);  // the window is empty
  EXPECT_EQ(States(*engine), std::vector{AlertState::kFiring});
  EvaluateAt(*engine, kBaseTime + 10 * kMinute);
  EXPECT_EQ(States(*engine), std::vector{AlertState::kResolved});
  EXPECT_EQ(LastNotified().state, AlertState::kResolved);
}

TEST_F(AlertEngineTest, NoDataAlertFiresOnAnAbsentMetric) {
  auto engine = Engine();
  AlertingRule rule = Rule("absent");
  rule.metric_type = "app/heartbeat";
  rule.no_data = NoDataPolicy::kAlert;
  ASSERT_TRUE(engine->AddRule(rule).ok());
  EvaluateAt(*engine, kBaseTime);
  EXPECT_EQ(States(*engine), std::vector{AlertState::kFiring});
  EXPECT_EQ(Notified(), 1u);
  // Still firing long after resolve_missing_after: absence is the point.
  EvaluateAt(*engine, kBaseTime + 30 * kMinute);
  EXPECT_EQ(States(*engine), std::vector{AlertState::kFiring});
}

TEST_F(AlertEngineTest, NoDataResolveResolvesAtOnce) {
  auto engine = Engine();
  AlertingRule rule = Rule("resolve");
  rule.no_data = NoDataPolicy::kResolve;
  ASSERT_TRUE(engine->AddRule(rule).ok());
  Gauge("app/error_rate", {}, kBaseTime, 9);
  EvaluateAt(*engine, kBaseTime);
  EXPECT_EQ(States(*engine), std::vector{AlertState::kFiring});
  EvaluateAt(*engine, kBaseTime + 2 * kMinute);
  EXPECT_EQ(States(*engine), std::vector{AlertState::kResolved});
}

TEST_F(AlertEngineTest, MinEventsBelowIsNoData) {
  auto engine = Engine();
  AlertingRule rule = Rule("quiet");
  rule.min_events = 3;
  rule.no_data = NoDataPolicy::kResolve;
  ASSERT_TRUE(engine->AddRule(rule).ok());
  Gauge("app/error_rate", {}, kBaseTime, 9);
  EvaluateAt(*engine, kBaseTime + kSecond);
  EXPECT_TRUE(engine->Alerts().empty());
  Gauge("app/error_rate", {}, kBaseTime + 2 * kSecond, 9);
  Gauge("app/error_rate", {}, kBaseTime + 3 * kSecond, 9);
  EvaluateAt(*engine, kBaseTime + 11 * kSecond);
  EXPECT_EQ(States(*engine), std::vector{AlertState::kFiring});
}

TEST_F(AlertEngineTest, ASeriesThatDisappearsResolvesAfterResolveMissingAfter) {
  auto engine = Engine();
  AlertingRule rule = Rule("per-host");
  rule.per_series = true;
  rule.interval = minutes(1);
  rule.resolve_missing_after = minutes(3);
  ASSERT_TRUE(engine->AddRule(rule).ok());
  for (int i = 0; i <= 4; ++i) {
    const int64_t t = kBaseTime + i * kMinute;
    Gauge("app/error_rate", LabelSet({{"host", "a"}}), t, 9);
    if (i == 0) Gauge("app/error_rate", LabelSet({{"host", "b"}}), t, 9);
    EvaluateAt(*engine, t);
  }
  std::map<std::string, AlertState> by_host;
  for (const Alert& a : engine->Alerts()) by_host[*a.labels.Find("host")] = a.state;
  EXPECT_EQ(by_host["a"], AlertState::kFiring);
  EXPECT_EQ(by_host["b"], AlertState::kResolved);  // missing from minute 1, gone by minute 4
}

TEST_F(AlertEngineTest, GroupByYieldsOneAlertPerGroupWithExpandedAnnotations) {
  auto engine = Engine();
  AlertingRule rule = Rule("latency");
  rule.metric_type = "http/latency";
  rule.aggregation = WindowAggregation::kMax;
  rule.threshold = 100;
  rule.group_by = {"route"};
  rule.labels = {{"severity", "ticket"}};
  rule.annotations = {{"summary", "{{ $labels.route }} at {{$value}} over {{ $threshold }}"},
                      {"host", "[{{ $labels.host }}]"}};
  ASSERT_TRUE(engine->AddRule(rule).ok());
  Gauge("http/latency", LabelSet({{"route", "/pay"}, {"host", "a"}}), kBaseTime, 50);
  Gauge("http/latency", LabelSet({{"route", "/pay"}, {"host", "b"}}), kBaseTime, 150.5);
  Gauge("http/latency", LabelSet({{"route", "/refund"}, {"host", "a"}}), kBaseTime, 200);
  Gauge("http/latency", LabelSet({{"route", "/home"}, {"host", "a"}}), kBaseTime, 20);
  EvaluateAt(*engine, kBaseTime + kSecond);
  auto alerts = engine->Alerts();
  ASSERT_EQ(alerts.size(), 2u);
  std::map<std::string, Alert> by_route;
  for (const Alert& a : alerts) by_route[*a.labels.Find("route")] = a;
  ASSERT_TRUE(by_route.contains("/pay"));
  ASSERT_TRUE(by_route.contains("/refund"));
  const Alert& pay = by_route["/pay"];
  EXPECT_EQ(pay.labels,
            LabelSet({{"alertname", "latency"}, {"route", "/pay"}, {"severity", "ticket"}}));
  EXPECT_EQ(pay.annotations.at("summary"), "/pay at 150.5 over 100");
  EXPECT_EQ(pay.annotations.at("host"), "[]");  // not a group label
  EXPECT_EQ(by_route["/refund"].annotations.at("summary"), "/refund at 200 over 100");
}

TEST_F(AlertEngineTest, QuantilesOfAGroupComeFromTheMergedHistogram) {
  auto engine = Engine();
  AlertingRule rule = Rule("p99");
  rule.metric_type = "http/duration";
  rule.aggregation = WindowAggregation::kP99;
  rule.threshold = 5;
  rule.group_by = {"route"};
  ASSERT_TRUE(engine->AddRule(rule).ok());
  auto d = testing::Descriptor("http/duration", MetricType::kDistribution);
  // Host a: 1000 fast requests; host b: 5 slow ones. Merged, the p99 is
  // fast; the largest per-host p99 would be 800.
  HistogramData fast, slow;
  for (int i = 0; i < 1000; ++i) fast.Record(10);
  for (int i = 0; i < 5; ++i) slow.Record(800);
  std::vector<MetricPoint> points = {testing::Point(LabelSet({{"route", "/pay"}, {"host", "a"}}),
                                                    kBaseTime, testing::Distribution(fast)),
                                     testing::Point(LabelSet({{"route", "/pay"}, {"host", "b"}}),
                                                    kBaseTime, testing::Distribution(slow))};
  store_->AddMetrics(testing::Batch(
      {testing::OneMetric(d, InstrumentKind::kHistogram, std::move(points))}, kBaseTime));
  ASSERT_TRUE(store_->Flush(seconds(10)).ok());
  EvaluateAt(*engine, kBaseTime + kSecond);
  auto alerts = engine->Alerts();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_NEAR(alerts[0].value, 10, 10 * 0.02);
  EXPECT_EQ(*alerts[0].labels.Find("route"), "/pay");
}

TEST_F(AlertEngineTest, CounterRatesAndTheirIncreaseAsMinEvents) {
  auto engine = Engine();
  AlertingRule rule = Rule("error-rate");
  rule.metric_type = "http/errors";
  rule.aggregation = WindowAggregation::kRate;
  rule.threshold = 2;  // per second
  rule.min_events = 100;
  ASSERT_TRUE(engine->AddRule(rule).ok());
  AlertingRule quiet = rule;
  quiet.id = "error-rate-quiet";
  quiet.min_events = 1000;
  quiet.no_data = NoDataPolicy::kResolve;
  ASSERT_TRUE(engine->AddRule(quiet).ok());
  auto d = testing::Descriptor("http/errors", MetricType::kCumulative);
  for (int i = 0; i <= 3; ++i) {
    const int64_t t = kBaseTime + i * 10 * kSecond;
    store_->AddMetrics(testing::Batch(
        {testing::OneMetric(d, InstrumentKind::kCounter,
                            {testing::Point(LabelSet({{"route", "/pay"}}), t, 60.0 * i)})},
        t));
  }
  ASSERT_TRUE(store_->Flush(seconds(10)).ok());
  EvaluateAt(*engine, kBaseTime + 30 * kSecond);
  auto alerts = engine->Alerts();
  ASSERT_EQ(alerts.size(), 1u);  // 180 errors in the window: too few for the quiet rule
  EXPECT_EQ(alerts[0].rule_id, "error-rate");
  EXPECT_DOUBLE_EQ(alerts[0].value, 3);  // 180 over 60 s
}

TEST_F(AlertEngineTest, AddRuleRejectsBadRulesAndUnknownTemplates) {
  auto engine = Engine();
  AlertingRule bad = Rule("high-error-rate");
  bad.trigger_count = 0;
  Status s = engine->AddRule(bad);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "rule 'high-error-rate': field 'trigger_count': must be at least 1, got 0");

  AlertingRule tmpl = Rule("tmpl");
  tmpl.annotations = {{"summary", "value {{ $valu }}"}};
  s = engine->AddRule(tmpl);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("rule 'tmpl'"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("annotations.summary"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("$valu"), std::string::npos) << s.message();

  ASSERT_TRUE(engine->AddRule(Rule("dup")).ok());
  EXPECT_EQ(engine->AddRule(Rule("dup")).code(), StatusCode::kAlreadyExists);
  EXPECT_TRUE(engine->RemoveRule("dup").ok());
  EXPECT_EQ(engine->RemoveRule("dup").code(), StatusCode::kNotFound);
}

TEST_F(AlertEngineTest, AFailingQueryIsCountedAndKeepsTheState) {
  t_.options().max_rows_scanned = 3;
  OpenStore();
  auto engine = Engine();
  ASSERT_TRUE(engine->AddRule(Rule("fragile")).ok());
  Gauge("app/error_rate", {}, kBaseTime, 9);
  EvaluateAt(*engine, kBaseTime + kSecond);
  ASSERT_EQ(States(*engine), std::vector{AlertState::kFiring});
  for (int i = 1; i <= 5; ++i) Gauge("app/error_rate", {}, kBaseTime + i * kSecond, 1);
  t_.set_now(kBaseTime + 11 * kSecond);
  Status s = engine->EvaluateOnce();
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(States(*engine), std::vector{AlertState::kFiring});
  AlertEngineStats stats = engine->stats();
  EXPECT_EQ(stats.evaluation_failures, 1u);
  EXPECT_EQ(stats.evaluations, 2u);
  EXPECT_NE(stats.last_error.find("rule 'fragile'"), std::string::npos) << stats.last_error;
  EXPECT_EQ(Notified(), 1u);
}

TEST_F(AlertEngineTest, AlertsPastTheLimitAreRefusedAndCounted) {
  auto engine = Engine({.max_alerts = 2});
  AlertingRule rule = Rule("hosts");
  rule.per_series = true;
  ASSERT_TRUE(engine->AddRule(rule).ok());
  for (const char* host : {"a", "b", "c"}) {
    Gauge("app/error_rate", LabelSet({{"host", host}}), kBaseTime, 9);
  }
  EvaluateAt(*engine, kBaseTime + kSecond);
  EXPECT_EQ(engine->Alerts().size(), 2u);
  EXPECT_EQ(engine->stats().alerts_dropped, 1u);
}

TEST_F(AlertEngineTest, ReplaceRulesIsAtomicAndKeepsStateOfUnchangedRules) {
  auto engine = Engine();
  ASSERT_TRUE(engine->AddRule(Rule("a")).ok());
  ASSERT_TRUE(engine->AddRule(Rule("b")).ok());
  Gauge("app/error_rate", {}, kBaseTime, 9);
  EvaluateAt(*engine, kBaseTime + kSecond);
  ASSERT_EQ(engine->Alerts().size(), 2u);

  AlertingRule invalid = Rule("c");
  invalid.evaluation_window_secs = 0;
  EXPECT_FALSE(engine->ReplaceRules({Rule("a"), invalid}).ok());
  EXPECT_EQ(engine->Rules().size(), 2u);

  AlertingRule changed = Rule("b");
  changed.threshold = 8;
  ASSERT_TRUE(engine->ReplaceRules({Rule("a"), changed}).ok());
  auto alerts = engine->Alerts();
  ASSERT_EQ(alerts.size(), 1u);  // b starts afresh
  EXPECT_EQ(alerts[0].rule_id, "a");
  EXPECT_EQ(alerts[0].fired_at_nanos, kBaseTime + kSecond);
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
}

TEST_F(AlertEngineTest, RuleFileHotReloadKeepsStateAndRejectsABadVersion) {
  const std::string path = t_.dir() + "/rules.yaml";
  const std::string first =
      "rules:\n"
      "  - id: errors\n"
      "    metric: app/error_rate\n"
      "    aggregation: last\n"
      "    op: '>'\n"
      "    threshold: 5\n"
      "    window: 1m\n"
      "    interval: 10s\n";
  WriteFile(path, first);
  std::vector<std::string> reported;
  auto engine =
      Engine({.rule_file = path,
              .rule_file_check_interval = std::chrono::milliseconds(5'000),
              .on_rule_file_error = [&](const Status& s) { reported.push_back(s.message()); }});
  ASSERT_NE(engine, nullptr);
  ASSERT_EQ(engine->Rules().size(), 1u);
  Gauge("app/error_rate", {}, kBaseTime, 9);
  EvaluateAt(*engine, kBaseTime + kSecond);
  ASSERT_EQ(States(*engine), std::vector{AlertState::kFiring});

  WriteFile(path, first +
                      "  - id: errors-ticket\n"
                      "    metric: app/error_rate\n"
                      "    threshold: 1\n"
                      "    window: 1m\n");
  EvaluateAt(*engine, kBaseTime + 11 * kSecond);
  EXPECT_EQ(engine->Rules().size(), 2u);
  EXPECT_EQ(engine->stats().rule_file_reloads, 1u);
  auto alerts = engine->Alerts();
  ASSERT_EQ(alerts.size(), 2u);
  for (const Alert& a : alerts) {
    if (a.rule_id == "errors") {
      EXPECT_EQ(a.fired_at_nanos, kBaseTime + kSecond);
    }
  }
  EXPECT_EQ(Notified(), 2u);  // errors did not fire again

  WriteFile(path, first + "  - id: broken\n    metric: m\n    window: 5 minutes\n");
  EvaluateAt(*engine, kBaseTime + 21 * kSecond);
  EXPECT_EQ(engine->Rules().size(), 2u);
  AlertEngineStats stats = engine->stats();
  EXPECT_EQ(stats.rule_file_errors, 1u);
  ASSERT_EQ(reported.size(), 1u);
  EXPECT_NE(reported[0].find(path + ": rule 'broken' (#2): field 'window': bad duration "
                                    "'5 minutes'"),
            std::string::npos)
      << reported[0];
  EXPECT_NE(stats.last_error.find("bad duration"), std::string::npos);
  // The same bad version is reported once.
  EvaluateAt(*engine, kBaseTime + 31 * kSecond);
  EXPECT_EQ(reported.size(), 1u);
}

TEST_F(AlertEngineTest, TheEvaluationThreadEvaluatesAndStopsPromptly) {
  std::mutex mu;
  std::condition_variable cv;
  size_t recorded = 0;
  auto engine = Engine({.record =
                            [&](const AlertEventRecord&) {
                              std::lock_guard<std::mutex> lock(mu);
                              ++recorded;
                              cv.notify_all();
                            },
                        .max_idle = std::chrono::milliseconds(60'000)});
  AlertingRule rule = Rule("absent");
  rule.metric_type = "app/heartbeat";
  rule.no_data = NoDataPolicy::kAlert;
  ASSERT_TRUE(engine->AddRule(rule).ok());
  engine->Start();
  {
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, seconds(10), [&] { return recorded >= 2; }));
  }
  const auto before = std::chrono::steady_clock::now();
  engine->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - before, seconds(5));
  EXPECT_EQ(States(*engine), std::vector{AlertState::kFiring});
}

}  // namespace
}  // namespace tai
