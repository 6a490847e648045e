#include "tai/alert/notification_dispatcher.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>

#include "alert/notifiers/receiver_testing.h"
#include "tai/alert/notifiers.h"

namespace tai {
namespace {

using std::chrono::milliseconds;
using namespace std::chrono_literals;
using testing::ScriptedReceiver;

constexpr char kSlackPath[] = "/services/T0001/B0002/sEcReTtOkEn42";
constexpr char kRoutingKey[] = "R0UT1NGKEY0123456789abcdefABCDEF";

Alert MakeAlert(const std::string& name, AlertState state = AlertState::kFiring) {
  Alert alert;
  alert.rule_id = "rule-" + name;
  alert.labels = LabelSet({{"alertname", name}, {"severity", "page"}});
  alert.annotations = {{"summary", name + " is bad"}};
  alert.state = state;
  alert.fired_at_nanos = 1'767'225'600'000'000'000;
  if (state == AlertState::kResolved) alert.resolved_at_nanos = alert.fired_at_nanos + 1;
  alert.generator_url = "http://127.0.0.1:9464/alerts/" + name;
  return alert;
}

// Time that moves only when the dispatcher sleeps.
class FakeClock {
 public:
  int64_t Now() const { return now_.load(); }
  void Sleep(milliseconds d) {
    std::lock_guard lock(mu_);
    sleeps_.push_back(d);
    now_ += std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
  }
  std::vector<milliseconds> sleeps() {
    std::lock_guard lock(mu_);
    return sleeps_;
  }
  void Install(NotificationDispatcherOptions* options) {
    options->monotonic_nanos = [this] { return Now(); };
    options->wall_nanos = [this] { return Now(); };
    options->sleep_for = [this](milliseconds d) { Sleep(d); };
  }

 private:
  std::atomic<int64_t> now_{1'000'000'000};
  std::mutex mu_;
  std::vector<milliseconds> sleeps_;
};

// A notifier that answers from a script (then OK), can be held inside Send
// until released or cancelled, and records what it was given.
class FakeNotifier final : public Notifier {
 public:
  explicit FakeNotifier(std::string name, milliseconds interval = {})
      : name_(std::move(name)), interval_(interval) {}

  const std::string& name() const override { return name_; }
  std::chrono::milliseconds min_send_interval() const override { return interval_; }
  void Cancel() override {
    std::lock_guard lock(mu_);
    cancelled_ = true;
    cv_.notify_all();
  }
  NotifyOutcome Send(const std::vector<Alert>& alerts) override {
    std::unique_lock lock(mu_);
    batches_.push_back(alerts);
    cv_.notify_all();
    cv_.wait(lock, [&] { return !hold_ || cancelled_; });
    if (cancelled_) return {.status = Status(StatusCode::kCancelled, "cancelled")};
    if (!script_.empty()) {
      NotifyOutcome outcome = script_.front();
      script_.pop_front();
      return outcome;
    }
    return always_;
  }

  void Script(std::vector<NotifyOutcome> outcomes) {
    std::lock_guard lock(mu_);
    script_.insert(script_.end(), outcomes.begin(), outcomes.end());
  }
  void Always(NotifyOutcome outcome) {
    std::lock_guard lock(mu_);
    always_ = std::move(outcome);
  }
  void Hold(bool hold) {
    std::lock_guard lock(mu_);
    hold_ = hold;
    cv_.notify_all();
  }
  bool WaitForSends(size_t n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, 10s, [&] { return batches_.size() >= n; });
  }
  std::vector<std::vector<Alert>> batches() {
    std::lock_guard lock(mu_);
    return batches_;
  }

 private:
  const std::string name_;
  const milliseconds interval_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<NotifyOutcome> script_;
  NotifyOutcome always_;
  bool hold_ = false;
  bool cancelled_ = false;
  std::vector<std::vector<Alert>> batches_;
};

NotifyOutcome Retryable(int http_status, milliseconds retry_after = {}) {
  return {.status = UnavailableError("answered " + std::to_string(http_status)),
          .http_status = http_status,
          .retryable = true,
          .retry_after = retry_after};
}

// Collects on_attempt reports.
struct Attempts {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<NotificationAttempt> list;
  void Install(NotificationDispatcherOptions* options) {
    options->on_attempt = [this](const NotificationAttempt& a) {
      std::lock_guard lock(mu);
      list.push_back(a);
      cv.notify_all();
    };
  }
  std::vector<NotificationAttempt> Get() {
    std::lock_guard lock(mu);
    return list;
  }
  // True once `n` successful attempts of `notifier` were reported.
  bool WaitForOk(const std::string& notifier, size_t n) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, 10s, [&] {
      return static_cast<size_t>(std::count_if(list.begin(), list.end(), [&](const auto& a) {
               return a.ok && a.notifier == notifier;
             })) >= n;
    });
  }
};

struct Harness {
  std::unique_ptr<NotificationDispatcher> dispatcher;
  std::vector<FakeNotifier*> fakes;
};

Harness Make(std::vector<std::unique_ptr<FakeNotifier>> fakes,
             NotificationDispatcherOptions options) {
  Harness h;
  std::vector<std::unique_ptr<Notifier>> notifiers;
  for (auto& f : fakes) {
    h.fakes.push_back(f.get());
    notifiers.push_back(std::move(f));
  }
  auto made = NotificationDispatcher::Create(std::move(notifiers), std::move(options));
  EXPECT_TRUE(made.ok()) << made.status().ToString();
  if (made.ok()) h.dispatcher = std::move(made).value();
  return h;
}

std::vector<std::unique_ptr<FakeNotifier>> One(std::string name, milliseconds interval = {}) {
  std::vector<std::unique_ptr<FakeNotifier>> v;
  v.push_back(std::make_unique<FakeNotifier>(std::move(name), interval));
  return v;
}

TEST(NotificationDispatcherTest, CreateRejectsDuplicateNamesAndBadOptions) {
  std::vector<std::unique_ptr<Notifier>> two;
  two.push_back(std::make_unique<FakeNotifier>("slack"));
  two.push_back(std::make_unique<FakeNotifier>("slack"));
  auto dup = NotificationDispatcher::Create(std::move(two));
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.status().message().find("'slack'"), std::string::npos);
  EXPECT_FALSE(NotificationDispatcher::Create({}, {.max_queue = 0}).ok());
  EXPECT_FALSE(NotificationDispatcher::Create({}, {.max_attempts = 0}).ok());
}

TEST(NotificationDispatcherTest, RetriesRetryableOutcomesHonouringRetryAfter) {
  FakeClock clock;
  Attempts attempts;
  NotificationDispatcherOptions options{.initial_backoff = 100ms};
  clock.Install(&options);
  attempts.Install(&options);
  Harness h = Make(One("pagerduty"), options);
  h.fakes[0]->Script({Retryable(429, 5s), Retryable(503)});

  EXPECT_EQ(h.dispatcher->Enqueue(MakeAlert("A"), {}), 1u);
  ASSERT_TRUE(h.dispatcher->Flush(10s));

  auto reports = attempts.Get();
  ASSERT_EQ(reports.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(reports[i].attempt, i + 1);
    EXPECT_EQ(reports[i].notifier, "pagerduty");
    EXPECT_EQ(reports[i].rule_id, "rule-A");
    EXPECT_EQ(reports[i].state, "firing");
    EXPECT_EQ(reports[i].fingerprint, AlertFingerprint(MakeAlert("A").labels));
  }
  EXPECT_FALSE(reports[0].ok);
  EXPECT_EQ(reports[0].http_status, 429);
  EXPECT_EQ(reports[0].error, "answered 429");
  EXPECT_EQ(reports[1].http_status, 503);
  EXPECT_TRUE(reports[2].ok);
  EXPECT_EQ(reports[2].error, "");

  auto sleeps = clock.sleeps();
  ASSERT_EQ(sleeps.size(), 2u);
  EXPECT_EQ(sleeps[0], 5s);     // Retry-After beats the 100ms backoff
  EXPECT_GE(sleeps[1], 100ms);  // the doubled backoff (200ms) with jitter
  EXPECT_LE(sleeps[1], 200ms);

  NotifierStats stats = h.dispatcher->stats().notifiers[0];
  EXPECT_EQ(stats.sent, 1u);
  EXPECT_EQ(stats.requests, 3u);
  EXPECT_EQ(stats.retried, 2u);
  EXPECT_EQ(stats.failed, 0u);
  EXPECT_EQ(stats.last_error, "answered 503");
}

TEST(NotificationDispatcherTest, GivesUpAfterMaxAttemptsAndOnPermanentErrors) {
  FakeClock clock;
  NotificationDispatcherOptions options{.max_attempts = 3, .initial_backoff = 10ms};
  clock.Install(&options);
  auto fakes = One("down");
  fakes.push_back(std::make_unique<FakeNotifier>("rejects"));
  Harness h = Make(std::move(fakes), options);
  h.fakes[0]->Always(Retryable(503));
  h.fakes[1]->Always(
      {.status = InvalidArgumentError("answered 400: bad payload"), .http_status = 400});

  h.dispatcher->Enqueue(MakeAlert("A"), {});
  ASSERT_TRUE(h.dispatcher->Flush(10s));
  auto stats = h.dispatcher->stats();
  EXPECT_EQ(stats.notifiers[0].failed, 1u);
  EXPECT_EQ(stats.notifiers[0].requests, 3u);
  EXPECT_EQ(stats.notifiers[0].sent, 0u);
  EXPECT_EQ(stats.notifiers[1].failed, 1u);
  EXPECT_EQ(stats.notifiers[1].requests, 1u);
  EXPECT_EQ(stats.notifiers[1].last_error, "answered 400: bad payload");
}

TEST(NotificationDispatcherTest, RateLimitDelaysButNeverDropsResolutions) {
  FakeClock clock;
  Attempts attempts;
  NotificationDispatcherOptions options;
  clock.Install(&options);
  attempts.Install(&options);
  Harness h = Make(One("slack", 1s), options);

  h.dispatcher->Enqueue(MakeAlert("A"), {});
  ASSERT_TRUE(h.dispatcher->Flush(10s));
  h.dispatcher->Enqueue(MakeAlert("B"), {});
  h.dispatcher->Enqueue(MakeAlert("A", AlertState::kResolved), {});
  ASSERT_TRUE(h.dispatcher->Flush(10s));

  auto reports = attempts.Get();
  ASSERT_EQ(reports.size(), 3u);
  EXPECT_EQ(reports[2].state, "resolved");
  EXPECT_TRUE(reports[2].ok);
  // One message a second on the injected clock: each Send waited for the last.
  for (size_t i = 1; i < reports.size(); ++i) {
    if (reports[i].time_nanos != reports[i - 1].time_nanos) {  // another batch
      EXPECT_GE(reports[i].time_nanos - reports[i - 1].time_nanos, 1'000'000'000);
    }
  }
  EXPECT_GE(reports[1].time_nanos - reports[0].time_nanos, 1'000'000'000);
  ASSERT_FALSE(clock.sleeps().empty());
  for (milliseconds d : clock.sleeps()) EXPECT_LE(d, 1s);
  EXPECT_EQ(h.dispatcher->stats().notifiers[0].sent, 3u);
  EXPECT_EQ(h.dispatcher->stats().notifiers[0].dropped, 0u);
}

TEST(NotificationDispatcherTest, NotifierThatIsDownDelaysNeitherEnqueueNorOthers) {
  auto fakes = One("stuck");
  fakes.push_back(std::make_unique<FakeNotifier>("fast"));
  Attempts attempts;
  NotificationDispatcherOptions options;
  attempts.Install(&options);
  Harness h = Make(std::move(fakes), options);
  FakeNotifier* stuck = h.fakes[0];
  stuck->Hold(true);

  EXPECT_EQ(h.dispatcher->Enqueue(MakeAlert("A"), {}), 2u);
  ASSERT_TRUE(stuck->WaitForSends(1));  // held inside Send with A
  EXPECT_EQ(h.dispatcher->Enqueue(MakeAlert("B"), {}), 2u);
  EXPECT_EQ(h.dispatcher->Enqueue(MakeAlert("C"), {}), 2u);
  // The fast notifier delivers all three while the stuck one still holds A.
  ASSERT_TRUE(attempts.WaitForOk("fast", 3));
  EXPECT_EQ(h.dispatcher->stats().notifiers[0].queued, 2u);

  // Shutdown's deadline passes; the Send in progress is cancelled and
  // everything the stuck notifier had is counted as dropped.
  h.dispatcher->Shutdown(50ms);
  NotifierStats stuck_stats = h.dispatcher->stats().notifiers[0];
  EXPECT_EQ(stuck_stats.dropped, 3u);
  EXPECT_EQ(stuck_stats.sent, 0u);
  EXPECT_EQ(stuck_stats.queued, 0u);
  EXPECT_EQ(h.dispatcher->stats().notifiers[1].sent, 3u);
}

TEST(NotificationDispatcherTest, FullQueueDropsAndCountsButKeepsResolutions) {
  Harness h = Make(One("slow"), {.max_queue = 2});
  FakeNotifier* slow = h.fakes[0];
  slow->Hold(true);
  h.dispatcher->Enqueue(MakeAlert("A"), {});
  ASSERT_TRUE(slow->WaitForSends(1));
  EXPECT_EQ(h.dispatcher->Enqueue(MakeAlert("B"), {}), 1u);
  EXPECT_EQ(h.dispatcher->Enqueue(MakeAlert("C"), {}), 1u);
  EXPECT_EQ(h.dispatcher->Enqueue(MakeAlert("D"), {}), 0u);  // full
  EXPECT_EQ(h.dispatcher->stats().notifiers[0].dropped, 1u);
  // A resolution takes the place of the oldest firing alert (B).
  EXPECT_EQ(h.dispatcher->Enqueue(MakeAlert("A", AlertState::kResolved), {}), 1u);
  EXPECT_EQ(h.dispatcher->stats().notifiers[0].dropped, 2u);

  slow->Hold(false);
  ASSERT_TRUE(h.dispatcher->Flush(10s));
  auto batches = slow->batches();
  ASSERT_EQ(batches.size(), 2u);
  ASSERT_EQ(batches[1].size(), 2u);
  EXPECT_EQ(*batches[1][0].labels.Find("alertname"), "C");
  EXPECT_EQ(*batches[1][1].labels.Find("alertname"), "A");
  EXPECT_EQ(batches[1][1].state, AlertState::kResolved);
  EXPECT_EQ(h.dispatcher->stats().notifiers[0].sent, 3u);
}

TEST(NotificationDispatcherTest, ChannelsPickNotifiersAndUnknownOnesAreCounted) {
  auto fakes = One("slack");
  fakes.push_back(std::make_unique<FakeNotifier>("pagerduty"));
  Harness h = Make(std::move(fakes), {});
  EXPECT_EQ(h.dispatcher->Enqueue(MakeAlert("A"), {}), 2u);
  EXPECT_EQ(h.dispatcher->Enqueue(MakeAlert("B"), {"slack", "projects/x/notificationChannels/1"}),
            1u);
  EXPECT_EQ(h.dispatcher->Enqueue(MakeAlert("C"), {"projects/x/notificationChannels/1"}), 0u);
  EXPECT_EQ(h.dispatcher->Enqueue(MakeAlert("D", AlertState::kPending), {}), 0u);
  ASSERT_TRUE(h.dispatcher->Flush(10s));
  auto stats = h.dispatcher->stats();
  EXPECT_EQ(stats.unknown_channels, 2u);
  EXPECT_EQ(stats.not_notifiable, 1u);
  EXPECT_EQ(stats.notifiers[0].sent, 2u);
  EXPECT_EQ(stats.notifiers[1].sent, 1u);
  EXPECT_EQ(h.dispatcher->notifier_names(), (std::vector<std::string>{"slack", "pagerduty"}));
}

TEST(NotificationDispatcherTest, NotifyOnlyNewFiringSuppressesRepeats) {
  Harness h = Make(One("webhook"), {.notify_only_new_firing = true});
  h.dispatcher->Enqueue(MakeAlert("A"), {});
  h.dispatcher->Enqueue(MakeAlert("A"), {});  // a repeat
  h.dispatcher->Enqueue(MakeAlert("A", AlertState::kResolved), {});
  h.dispatcher->Enqueue(MakeAlert("A"), {});  // fires again: news
  ASSERT_TRUE(h.dispatcher->Flush(10s));
  auto batches = h.fakes[0]->batches();
  ASSERT_EQ(batches.size(), 3u);  // one state of an alert per batch
  EXPECT_EQ(batches[0][0].state, AlertState::kFiring);
  EXPECT_EQ(batches[1][0].state, AlertState::kResolved);
  EXPECT_EQ(batches[2][0].state, AlertState::kFiring);
  EXPECT_EQ(h.dispatcher->stats().notifiers[0].suppressed, 1u);

  // A firing the receiver never took is not a repeat.
  h.fakes[0]->Script({{.status = InvalidArgumentError("rejected")}});
  h.dispatcher->Enqueue(MakeAlert("B"), {});
  ASSERT_TRUE(h.dispatcher->Flush(10s));
  EXPECT_EQ(h.dispatcher->stats().notifiers[0].failed, 1u);
  EXPECT_EQ(h.dispatcher->Enqueue(MakeAlert("B"), {}), 1u);
  ASSERT_TRUE(h.dispatcher->Flush(10s));
  EXPECT_EQ(h.dispatcher->stats().notifiers[0].sent, 4u);
}

TEST(NotificationDispatcherTest, ShutdownDeliversWhatIsQueued) {
  Harness h = Make(One("webhook"), {.max_batch = 2});
  FakeNotifier* fake = h.fakes[0];
  fake->Hold(true);
  for (const char* name : {"A", "B", "C", "D", "E"}) h.dispatcher->Enqueue(MakeAlert(name), {});
  fake->Hold(false);
  h.dispatcher->Shutdown(10s);
  NotifierStats stats = h.dispatcher->stats().notifiers[0];
  EXPECT_EQ(stats.sent, 5u);
  EXPECT_EQ(stats.dropped, 0u);
  EXPECT_EQ(h.dispatcher->Enqueue(MakeAlert("F"), {}), 0u);
  EXPECT_EQ(h.dispatcher->stats().notifiers[0].dropped, 1u);
}

// ---- with the real notifiers against loopback receivers ----------------------

TEST(NotificationDispatcherTest, PagerDutyRetries429And503ThenTriggersAndResolves) {
  ScriptedReceiver pd("/v2/enqueue", 202);
  pd.Script({{.status = 429, .retry_after = "1", .body = "rate limited"}, {.status = 503}});
  auto notifier =
      MakePagerDutyNotifier({.routing_key = kRoutingKey, .url = pd.url() + "/v2/enqueue"});
  ASSERT_TRUE(notifier.ok());
  FakeClock clock;
  Attempts attempts;
  NotificationDispatcherOptions options{.initial_backoff = 10ms};
  clock.Install(&options);
  attempts.Install(&options);
  std::vector<std::unique_ptr<Notifier>> notifiers;
  notifiers.push_back(std::move(notifier).value());
  auto dispatcher = NotificationDispatcher::Create(std::move(notifiers), options);
  ASSERT_TRUE(dispatcher.ok());

  (*dispatcher)->Enqueue(MakeAlert("A"), {"pagerduty"});
  ASSERT_TRUE((*dispatcher)->Flush(10s));
  (*dispatcher)->Enqueue(MakeAlert("A", AlertState::kResolved), {"pagerduty"});
  ASSERT_TRUE((*dispatcher)->Flush(10s));

  ASSERT_EQ(pd.count(), 4u);
  EXPECT_EQ(pd.json(2)["event_action"], "trigger");
  EXPECT_EQ(pd.json(3)["event_action"], "resolve");
  EXPECT_EQ(pd.json(3)["dedup_key"], pd.json(2)["dedup_key"]);
  EXPECT_EQ(pd.json(0)["dedup_key"], pd.json(2)["dedup_key"]);
  ASSERT_GE(clock.sleeps().size(), 2u);
  EXPECT_GE(clock.sleeps()[0], 1s);  // Retry-After: 1

  auto reports = attempts.Get();
  ASSERT_EQ(reports.size(), 4u);
  EXPECT_EQ(reports[0].http_status, 429);
  EXPECT_EQ(reports[1].http_status, 503);
  EXPECT_EQ(reports[2].http_status, 202);
  EXPECT_TRUE(reports[2].ok);
  EXPECT_EQ(reports[3].state, "resolved");
  EXPECT_EQ(reports[3].attempt, 1);
  for (const auto& r : reports) EXPECT_EQ(r.error.find(kRoutingKey), std::string::npos) << r.error;

  NotifierStats stats = (*dispatcher)->stats().notifiers[0];
  EXPECT_EQ(stats.sent, 2u);
  EXPECT_EQ(stats.retried, 2u);
  EXPECT_NE(stats.last_error.find("answered 503"), std::string::npos) << stats.last_error;
}

TEST(NotificationDispatcherTest, PagerDutyEventsGoOneARequestSoABadOneFailsAlone) {
  ScriptedReceiver pd("/v2/enqueue", 202);
  pd.Script({{.status = 400, .body = "{\"message\":\"Event object is invalid\"}"}});
  Attempts attempts;
  NotificationDispatcherOptions options;
  attempts.Install(&options);
  std::vector<std::unique_ptr<Notifier>> notifiers;
  notifiers.push_back(
      *MakePagerDutyNotifier({.routing_key = kRoutingKey, .url = pd.url() + "/v2/enqueue"}));
  auto dispatcher = NotificationDispatcher::Create(std::move(notifiers), options);
  ASSERT_TRUE(dispatcher.ok());
  (*dispatcher)->Enqueue(MakeAlert("A"), {});
  (*dispatcher)->Enqueue(MakeAlert("B"), {});
  ASSERT_TRUE((*dispatcher)->Flush(10s));

  auto reports = attempts.Get();
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_EQ(reports[0].rule_id, "rule-A");
  EXPECT_FALSE(reports[0].ok);
  EXPECT_EQ(reports[0].http_status, 400);
  EXPECT_NE(reports[0].error.find("Event object is invalid"), std::string::npos)
      << reports[0].error;
  EXPECT_EQ(reports[1].rule_id, "rule-B");
  EXPECT_TRUE(reports[1].ok);
  NotifierStats stats = (*dispatcher)->stats().notifiers[0];
  EXPECT_EQ(stats.failed, 1u);
  EXPECT_EQ(stats.sent, 1u);
  EXPECT_EQ(stats.requests, 2u);
}

TEST(NotificationDispatcherTest, SlackIsRateLimited) {
  ScriptedReceiver slack("/services/*");
  FakeClock clock;
  Attempts attempts;
  NotificationDispatcherOptions options;
  clock.Install(&options);
  attempts.Install(&options);
  std::vector<std::unique_ptr<Notifier>> notifiers;
  notifiers.push_back(*MakeSlackNotifier({.webhook_url = slack.url() + kSlackPath}));
  auto dispatcher = NotificationDispatcher::Create(std::move(notifiers), options);
  ASSERT_TRUE(dispatcher.ok());

  for (const char* name : {"A", "B", "C"}) {
    (*dispatcher)->Enqueue(MakeAlert(name), {});
    ASSERT_TRUE((*dispatcher)->Flush(10s));
  }
  ASSERT_EQ(slack.count(), 3u);
  auto reports = attempts.Get();
  ASSERT_EQ(reports.size(), 3u);
  EXPECT_GE(reports[1].time_nanos - reports[0].time_nanos, 1'000'000'000);
  EXPECT_GE(reports[2].time_nanos - reports[1].time_nanos, 1'000'000'000);
  EXPECT_EQ((*dispatcher)->stats().notifiers[0].sent, 3u);
}

TEST(NotificationDispatcherTest, SlackThatIsDownIsCountedAndItsUrlNeverShows) {
  FakeClock clock;
  Attempts attempts;
  NotificationDispatcherOptions options{.max_attempts = 2, .initial_backoff = 10ms};
  clock.Install(&options);
  attempts.Install(&options);
  int closed = 0;
  {
    HttpServer gone;
    ASSERT_TRUE(gone.Start().ok());
    closed = gone.port();
  }
  std::vector<std::unique_ptr<Notifier>> notifiers;
  notifiers.push_back(*MakeSlackNotifier(
      {.webhook_url = "http://127.0.0.1:" + std::to_string(closed) + kSlackPath}));
  auto dispatcher = NotificationDispatcher::Create(std::move(notifiers), options);
  ASSERT_TRUE(dispatcher.ok());

  for (const char* name : {"A", "B", "C"}) (*dispatcher)->Enqueue(MakeAlert(name), {});
  ASSERT_TRUE((*dispatcher)->Flush(20s));
  for (const auto& a : attempts.Get()) {
    EXPECT_FALSE(a.ok);
    EXPECT_EQ(a.error.find("sEcReT"), std::string::npos) << a.error;
    EXPECT_EQ(a.error.find("T0001"), std::string::npos) << a.error;
  }
  NotifierStats stats = (*dispatcher)->stats().notifiers[0];
  EXPECT_EQ(stats.failed, 3u);
  EXPECT_EQ(stats.sent, 0u);
  EXPECT_FALSE(stats.last_error.empty());
  EXPECT_EQ(stats.last_error.find("sEcReT"), std::string::npos) << stats.last_error;
  EXPECT_EQ(stats.last_error.find("T0001"), std::string::npos) << stats.last_error;
  EXPECT_EQ(stats.description.find("sEcReT"), std::string::npos) << stats.description;
}

}  // namespace
}  // namespace tai
