// SLOs through the alert engine, against a real store with an injected
// clock: request and error counters written a minute at a time while the
// engine evaluates every minute, as a service and its engine would. The
// 14.4x page of a 2% error rate against a 0.1% budget fires when both of its
// windows burn faster than 14.4x, and resolves once the errors stop and the
// short window clears; half the budget, or too few requests, never pages;
// SloStatuses says how much of each window has data. Then SLOs in rule
// files: read, checked, and hot reloaded.
#include <gtest/gtest.h>

#include <fstream>
#include <mutex>

#include "store/store_testing.h"
#include "tai/alert/alert_engine.h"
#include "tai/alert/rule_file.h"

namespace tai {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using testing::kBaseTime;
using testing::kMinute;
using testing::kSecond;

constexpr int64_t kStart = kBaseTime + testing::kHour;  // the service's first point

class SloAlertTest : public ::testing::Test {
 protected:
  void SetUp() override {
    t_.set_now(kStart);
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

  // 99.9% of checkout's requests succeed over 2 hours; only the 14.4x page
  // (1 h and 5 min), evaluated every minute.
  static Slo ErrorSlo() {
    return Slo{.window = hours(2),
               .error_budget = 0.001,
               .id = "checkout-errors",
               .kind = SliKind::kBadRatio,
               .bad_metric = "checkout/errors",
               .total_metric = "checkout/requests",
               .burn_rate_alerts = {{14.4, hours(1), minutes(5), "page"}},
               .notification_channels = {"pager"},
               .labels = {{"team", "payments"}},
               .annotations = {{"runbook",
                                "{{ $labels.slo }} burns {{ $value }}x "
                                "(limit {{ $threshold }}x)"}},
               .interval = seconds(60)};
  }

  // Minute k's point (at kStart + k min) carries the counters' totals after
  // `requests(k)` requests and `errors(k)` errors in that minute; the engine
  // evaluates one second after each point, then `each(k)` looks at it.
  template <typename Requests, typename Errors, typename Each>
  void Run(AlertEngine& engine, int minutes_count, Requests requests, Errors errors, Each each) {
    auto rd = testing::Descriptor("checkout/requests", MetricType::kCumulative);
    auto ed = testing::Descriptor("checkout/errors", MetricType::kCumulative);
    for (int k = 0; k < minutes_count; ++k) {
      if (k > 0) {
        total_ += requests(k);
        bad_ += errors(k);
      }
      const int64_t t = kStart + k * kMinute;
      t_.set_now(t);
      store_->AddMetrics(testing::Batch(
          {testing::OneMetric(rd, InstrumentKind::kCounter, {testing::Point({}, t, total_)}),
           testing::OneMetric(ed, InstrumentKind::kCounter, {testing::Point({}, t, bad_)})},
          t));
      ASSERT_TRUE(store_->Flush(seconds(10)).ok());
      t_.set_now(t + kSecond);
      Status s = engine.EvaluateOnce();
      ASSERT_TRUE(s.ok()) << s.ToString();
      each(k);
    }
  }

  // The only SLO's only burn-rate alert at the last evaluation.
  static BurnRateStatus Page(const AlertEngine& engine) {
    auto statuses = engine.SloStatuses();
    if (statuses.size() != 1 || statuses[0].burn_rates.size() != 1) return {};
    return statuses[0].burn_rates[0];
  }

  std::vector<Alert> Notified() {
    std::lock_guard<std::mutex> lock(mu_);
    return notified_;
  }

  testing::TestStore t_;
  std::unique_ptr<Store> store_;
  double total_ = 0, bad_ = 0;
  std::mutex mu_;
  std::vector<Alert> notified_;
  std::vector<std::string> channels_;
};

// Clean for an hour, then 2% errors (20x the budget) for an hour, then
// clean again. Over the 1 h window the burn rate climbs by 1/3 a minute
// (20 errors a minute over 60,000 requests, over 0.001) and passes 14.4 ~44
// minutes in; the 5 min window passes it after a few minutes. The page fires
// at the first evaluation where both exceed 14.4, never earlier, and
// resolves once the 5 min window has no errors, while the 1 h window still
// burns.
TEST_F(SloAlertTest, TwoPercentErrorsPageAtFourteenFourAndResolveWhenTheShortWindowClears) {
  auto engine = Engine({.generator_url_base = "http://127.0.0.1:9464"});
  ASSERT_TRUE(engine->AddSlo(ErrorSlo()).ok());
  EXPECT_EQ(engine->AddSlo(ErrorSlo()).code(), StatusCode::kAlreadyExists);
  int fired = -1, resolved = -1;
  double long_before_fire = 0;
  Run(
      *engine, 180, [](int) { return 1000.0; },
      [](int k) { return k > 60 && k <= 120 ? 20.0 : 0.0; },
      [&](int k) {
        const BurnRateStatus page = Page(*engine);
        const std::vector<Alert> n = Notified();
        if (fired < 0 && !n.empty()) {
          fired = k;
          EXPECT_GT(page.long_burn_rate, 14.4);
          EXPECT_GT(page.short_burn_rate, 14.4);
          EXPECT_TRUE(page.holds);
          EXPECT_LE(long_before_fire, 14.4) << "fired a minute late";
        }
        if (resolved < 0 && n.size() == 2) {
          resolved = k;
          EXPECT_LE(page.short_burn_rate, 14.4);
          EXPECT_GT(page.long_burn_rate, 14.4);  // the short window resolves it
        }
        long_before_fire = page.long_burn_rate;
      });
  // 44 minutes of errors (the first in the minute ending at 61).
  EXPECT_GE(fired, 60 + 43);
  EXPECT_LE(fired, 60 + 48);
  EXPECT_GT(resolved, 120);
  EXPECT_LE(resolved, 120 + 6);

  std::vector<Alert> n = Notified();
  ASSERT_EQ(n.size(), 2u);
  EXPECT_EQ(n[0].state, AlertState::kFiring);
  EXPECT_EQ(n[1].state, AlertState::kResolved);
  const Alert& a = n[0];
  EXPECT_EQ(a.rule_id, "slo:checkout-errors");
  EXPECT_EQ(*a.labels.Find("alertname"), BurnRateAlertName(ErrorSlo()));
  for (const auto& [k, v] : BurnRateAlertLabels(ErrorSlo(), ErrorSlo().burn_rate_alerts[0])) {
    ASSERT_NE(a.labels.Find(k), nullptr) << k;
    EXPECT_EQ(*a.labels.Find(k), v) << k;
  }
  EXPECT_EQ(AlertSeverityLabel(a), "page");
  EXPECT_EQ(*a.labels.Find("team"), "payments");
  EXPECT_EQ(a.annotations.at("summary"),
            BurnRateAlertSummary(ErrorSlo(), ErrorSlo().burn_rate_alerts[0]));
  EXPECT_EQ(a.annotations.at("runbook").rfind("checkout-errors burns ", 0), 0u)
      << a.annotations.at("runbook");
  EXPECT_NE(a.annotations.at("runbook").find("(limit 14.4x)"), std::string::npos);
  EXPECT_EQ(a.generator_url, "http://127.0.0.1:9464/alerts/slo:checkout-errors");
  EXPECT_EQ(channels_, std::vector<std::string>{"pager"});

  // Every state change is in the store's history, as a rule's.
  ASSERT_TRUE(store_->Flush(seconds(10)).ok());
  auto history = store_->SearchAlertEvents({.rule_id = "slo:checkout-errors"});
  ASSERT_TRUE(history.ok()) << history.status().ToString();
  std::vector<std::string> states;
  for (const AlertEventRecord& r : *history) states.push_back(r.state);
  std::sort(states.begin(), states.end());
  EXPECT_EQ(states, (std::vector<std::string>{"firing", "pending", "resolved"}));

  AlertEngineStats stats = engine->stats();
  EXPECT_EQ(stats.slos, 1u);
  EXPECT_EQ(stats.slo_evaluations, 180u);
  EXPECT_EQ(stats.evaluation_failures, 0u);
  EXPECT_EQ(stats.notifications, 2u);
}

TEST_F(SloAlertTest, HalfTheBudgetNeverPages) {
  auto engine = Engine();
  ASSERT_TRUE(engine->AddSlo(ErrorSlo()).ok());
  double highest = 0;
  Run(
      *engine, 150, [](int) { return 10000.0; }, [](int) { return 5.0; },
      [&](int) { highest = std::max(highest, Page(*engine).long_burn_rate); });
  EXPECT_NEAR(highest, 0.5, 0.01);
  EXPECT_TRUE(Notified().empty());
  EXPECT_TRUE(engine->Alerts().empty());
}

// One request a minute, half of them failing: a burn rate of 500, but
// never 100 events in the hour, so never a page.
TEST_F(SloAlertTest, LowTrafficNeverPages) {
  auto engine = Engine();
  ASSERT_TRUE(engine->AddSlo(ErrorSlo()).ok());
  Run(
      *engine, 150, [](int) { return 1.0; }, [](int k) { return k % 2 == 0 ? 1.0 : 0.0; },
      [](int) {});
  const BurnRateStatus page = Page(*engine);
  EXPECT_GT(page.long_burn_rate, 14.4);
  EXPECT_LT(page.long_counts.total, 100);
  EXPECT_FALSE(page.holds);
  EXPECT_TRUE(Notified().empty());
  EXPECT_TRUE(engine->Alerts().empty());
}

// A service 30 minutes old: its 2 h budget and its 1 h window are partly
// covered, its 5 min window wholly.
TEST_F(SloAlertTest, StatusesReportHowMuchOfEachWindowHasData) {
  auto engine = Engine();
  ASSERT_TRUE(engine->AddSlo(ErrorSlo()).ok());
  std::vector<SloStatus> before = engine->SloStatuses();
  ASSERT_EQ(before.size(), 1u);
  EXPECT_EQ(before[0].evaluated_at_nanos, 0);
  Run(
      *engine, 31, [](int) { return 1000.0; }, [](int) { return 1.0; }, [](int) {});
  std::vector<SloStatus> statuses = engine->SloStatuses();
  ASSERT_EQ(statuses.size(), 1u);
  const SloStatus& s = statuses[0];
  EXPECT_EQ(SloId(s.slo), "checkout-errors");
  EXPECT_EQ(s.evaluated_at_nanos, kStart + 30 * kMinute + kSecond);
  EXPECT_TRUE(s.error.empty()) << s.error;
  EXPECT_GT(s.budget.data_coverage, 0.2);
  EXPECT_LT(s.budget.data_coverage, 0.35);  // 30 min of 2 h
  EXPECT_NEAR(s.budget.sli, 0.999, 1e-6);
  EXPECT_NEAR(s.budget.burn_rate, 1.0, 1e-6);
  ASSERT_EQ(s.burn_rates.size(), 1u);
  EXPECT_GT(s.burn_rates[0].long_counts.coverage, 0.45);
  EXPECT_LT(s.burn_rates[0].long_counts.coverage, 0.65);  // 30 min of 1 h
  EXPECT_DOUBLE_EQ(s.burn_rates[0].short_counts.coverage, 1.0);

  EXPECT_TRUE(engine->RemoveSlo("checkout-errors").ok());
  EXPECT_EQ(engine->RemoveSlo("checkout-errors").code(), StatusCode::kNotFound);
  EXPECT_TRUE(engine->SloStatuses().empty());
}

TEST_F(SloAlertTest, AnInvalidSloIsRefusedNamingTheField) {
  auto engine = Engine();
  Slo bad = ErrorSlo();
  bad.error_budget = 0;
  Status s = engine->AddSlo(bad);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("field 'error_budget'"), std::string::npos) << s.ToString();
  bad = ErrorSlo();
  bad.annotations = {{"summary", "{{ $nope }}"}};
  s = engine->AddSlo(bad);
  EXPECT_NE(s.message().find("slo 'checkout-errors': field 'annotations.summary'"),
            std::string::npos)
      << s.ToString();
  EXPECT_TRUE(engine->Slos().empty());
}

constexpr const char* kSloYaml = R"(rules:
  - id: errors
    metric: app/error_rate
    threshold: 5
slos:
  - id: checkout-errors
    display_name: Checkout errors
    kind: bad_ratio
    bad_metric: checkout/errors
    total_metric: checkout/requests
    matchers: ['route="/pay"']
    objective: 99.9%
    window: 30d
    min_events: 50
    burn_rate_alerts:
      - {factor: 14.4, long_window: 1h, short_window: 5m, severity: page}
      - {factor: 1, long_window: 3d, short_window: 6h, severity: ticket}
    notification_channels: [pager]
    labels: {team: payments}
    annotations: {runbook: "https://runbooks.example/{{ $labels.slo }}"}
    interval: 30s
  - metric: checkout/latency
    threshold: 500
    error_budget: 0.01
)";

TEST(RuleFileSloTest, ReadsEveryFieldInYamlAndJson) {
  auto file = ParseRuleFile(kSloYaml, "slos.yaml", RuleFileFormat::kYaml);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  ASSERT_EQ(file->rules.size(), 1u);
  ASSERT_EQ(file->slos.size(), 2u);
  const Slo& s = file->slos[0];
  EXPECT_EQ(s.id, "checkout-errors");
  EXPECT_EQ(s.display_name, "Checkout errors");
  EXPECT_EQ(s.kind, SliKind::kBadRatio);
  EXPECT_EQ(s.bad_metric, "checkout/errors");
  EXPECT_EQ(s.total_metric, "checkout/requests");
  ASSERT_EQ(s.matchers.size(), 1u);
  EXPECT_EQ(s.matchers[0].key, "route");
  EXPECT_NEAR(s.error_budget, 0.001, 1e-12);
  EXPECT_EQ(s.window, hours(24 * 30));
  EXPECT_EQ(s.min_events, 50u);
  ASSERT_EQ(s.burn_rate_alerts.size(), 2u);
  EXPECT_EQ(s.burn_rate_alerts[1].factor, 1);
  EXPECT_EQ(s.burn_rate_alerts[1].long_window, hours(72));
  EXPECT_EQ(s.burn_rate_alerts[1].short_window, hours(6));
  EXPECT_EQ(s.burn_rate_alerts[1].severity, "ticket");
  EXPECT_EQ(s.notification_channels, std::vector<std::string>{"pager"});
  EXPECT_EQ(s.labels.at("team"), "payments");
  EXPECT_EQ(s.annotations.at("runbook"), "https://runbooks.example/{{ $labels.slo }}");
  EXPECT_EQ(s.interval, seconds(30));
  const Slo& latency = file->slos[1];
  EXPECT_EQ(SloId(latency), "checkout/latency");
  EXPECT_EQ(latency.kind, SliKind::kLatency);
  EXPECT_EQ(latency.threshold, 500);
  EXPECT_EQ(latency.error_budget, 0.01);
  EXPECT_EQ(latency.burn_rate_alerts.size(), DefaultBurnRateAlerts().size());

  auto json = ParseRuleFile(
      R"({"slos": [{"id": "e", "kind": "good_ratio", "good_metric": "ok",
                    "total_metric": "all", "objective": 0.995, "window": "7d",
                    "burn_rate_alerts": [{"factor": 6, "long_window": "6h",
                                          "short_window": "30m", "severity": "page"}]}]})",
      "slos.json", RuleFileFormat::kJson);
  ASSERT_TRUE(json.ok()) << json.status().ToString();
  ASSERT_EQ(json->slos.size(), 1u);
  EXPECT_NEAR(json->slos[0].error_budget, 0.005, 1e-12);
  EXPECT_EQ(json->slos[0].window, hours(24 * 7));
  EXPECT_EQ(json->slos[0].burn_rate_alerts[0].factor, 6);
}

TEST(RuleFileSloTest, EveryErrorNamesTheFileTheSloAndTheField) {
  auto file = ParseRuleFile(R"(slos:
  - id: a
    kind: bad_ratio
    total_metric: requests
    error_budget: 0.001
  - id: b
    metric: m
    objective: 120%
  - id: c
    metric: m
    colour: red
  - id: d
    metric: m
    burn_rate_alerts: [{factor: 2, long_window: 1 hour}]
  - id: e
    metric: m
    objective: 99%
    error_budget: 0.01
  - id: f
    metric: m
    annotations: {summary: "{{ $nope }}"}
  - id: g
    metric: m
  - id: g
    metric: m2
)",
                            "bad.yaml", RuleFileFormat::kYaml);
  ASSERT_FALSE(file.ok());
  const std::string m = file.status().message();
  for (const char* expected : {
           "bad.yaml: slo 'a' (#1): field 'bad_metric'",
           "bad.yaml: slo 'b' (#2): field 'objective': must be between 0 and 1",
           "bad.yaml: slo 'c' (#3): field 'colour': unknown field",
           "bad.yaml: slo 'd' (#4): field 'burn_rate_alerts': entry #1: field 'long_window': "
           "bad duration '1 hour'",
           "bad.yaml: slo 'e' (#5): field 'error_budget': give 'objective' or 'error_budget'",
           "bad.yaml: slo 'f' (#6): field 'annotations.summary'",
           "bad.yaml: slo 'g' (#8): field 'id': another slo has this id",
       }) {
    EXPECT_NE(m.find(expected), std::string::npos) << expected << "\nin:\n" << m;
  }
  auto not_a_list = ParseRuleFile("slos: {id: x}\n", "x.yaml", RuleFileFormat::kYaml);
  ASSERT_FALSE(not_a_list.ok());
  EXPECT_NE(not_a_list.status().message().find("x.yaml: field 'slos': expected a list"),
            std::string::npos);
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
}

// A file's SLOs load with its rules; an edit of another SLO keeps a firing
// SLO alert's state; a bad SLO keeps the old rules and SLOs alike.
TEST_F(SloAlertTest, RuleFileSlosHotReloadWithTheRules) {
  const std::string path = t_.dir() + "/rules.yaml";
  const std::string slo =
      "slos:\n"
      "  - id: checkout-errors\n"
      "    kind: bad_ratio\n"
      "    bad_metric: checkout/errors\n"
      "    total_metric: checkout/requests\n"
      "    objective: 99.9%\n"
      "    window: 2h\n"
      "    burn_rate_alerts: [{factor: 14.4, long_window: 1h, short_window: 5m, "
      "severity: page}]\n";
  WriteFile(path, "rules:\n  - id: errors\n    metric: app/error_rate\n" + std::string(slo));
  std::vector<std::string> reported;
  auto engine =
      Engine({.rule_file = path,
              .rule_file_check_interval = std::chrono::milliseconds(60'000),
              .on_rule_file_error = [&](const Status& s) { reported.push_back(s.message()); }});
  ASSERT_NE(engine, nullptr);
  ASSERT_EQ(engine->Slos().size(), 1u);
  ASSERT_EQ(engine->Rules().size(), 1u);
  // An hour of 5% errors: the page fires.
  int fired = -1;
  Run(
      *engine, 61, [](int) { return 1000.0; }, [](int) { return 50.0; },
      [&](int k) {
        if (fired < 0 && !Notified().empty()) fired = k;
      });
  ASSERT_GE(fired, 0);
  auto firing = engine->Alerts();
  ASSERT_EQ(firing.size(), 1u);
  ASSERT_EQ(firing[0].state, AlertState::kFiring);
  const int64_t fired_at = firing[0].fired_at_nanos;

  // A second SLO added: the first keeps its firing alert (not notified again).
  WriteFile(path, "rules:\n  - id: errors\n    metric: app/error_rate\n" + std::string(slo) +
                      "  - id: other\n    kind: bad_ratio\n    bad_metric: o/errors\n"
                      "    total_metric: o/requests\n");
  t_.set_now(t_.now() + 2 * kMinute);
  ASSERT_TRUE(engine->EvaluateOnce().ok());
  EXPECT_EQ(engine->stats().rule_file_reloads, 1u);
  EXPECT_EQ(engine->Slos().size(), 2u);
  auto alerts = engine->Alerts();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].state, AlertState::kFiring);
  EXPECT_EQ(alerts[0].fired_at_nanos, fired_at);
  EXPECT_EQ(Notified().size(), 1u);

  // A bad SLO: nothing changes, the error names it.
  WriteFile(path, "rules: []\n" + std::string(slo) +
                      "  - id: broken\n    metric: m\n"
                      "    window: forever\n");
  t_.set_now(t_.now() + 2 * kMinute);
  (void)engine->EvaluateOnce();
  EXPECT_EQ(engine->Slos().size(), 2u);
  EXPECT_EQ(engine->Rules().size(), 1u);
  ASSERT_EQ(reported.size(), 1u);
  EXPECT_NE(reported[0].find(path + ": slo 'broken' (#2): field 'window'"), std::string::npos)
      << reported[0];

  // The SLO edited: its alert starts afresh (dropped without notification).
  std::string edited = slo;
  edited.replace(edited.find("99.9%"), 5, "99.5%");
  WriteFile(path, "rules: []\n" + edited);
  t_.set_now(t_.now() + 2 * kMinute);
  ASSERT_TRUE(engine->EvaluateOnce().ok());
  EXPECT_EQ(engine->Slos().size(), 1u);
  EXPECT_NEAR(engine->Slos()[0].error_budget, 0.005, 1e-12);
  EXPECT_TRUE(engine->Rules().empty());
  EXPECT_EQ(Notified().size(), 1u);  // the old alert went without a resolution
}

}  // namespace
}  // namespace tai
