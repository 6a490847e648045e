// Observability's alerting: the notifiers Config::alerts names, behind one
// dispatcher whose every attempt is stored, and the alert engine over the
// embedded store, with its self-metrics.
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <set>
#include <thread>

#include "analysis/comparison_json.h"
#include "tai/alert/notifiers.h"
#include "tai/alert/rule_file.h"
#include "tai/cloud_alert_policies.h"
#include "tai/observability.h"
#include "tai/store/store_baselines.h"

namespace tai {
namespace {

// tai_alerts{state}, tai_alert_evaluations_total{outcome} and
// tai_alert_notifications_total{notifier,outcome}.
std::vector<uint64_t> RegisterAlertMetrics(MetricRegistry& registry, const AlertEngine& engine,
                                           const NotificationDispatcher* dispatcher) {
  std::vector<uint64_t> ids;
  MetricDescriptor alerts{.metric_type = "tai_alerts",
                          .value_type = MetricType::kGauge,
                          .description = "Alerts the alert engine tracks, by state",
                          .labels = {{"state", "", "string"}}};
  if (auto id = registry.CreateCallbackGauge(
          alerts,
          [&engine](Observer& o) {
            uint64_t by_state[4] = {};
            for (const Alert& a : engine.Alerts()) ++by_state[static_cast<size_t>(a.state)];
            for (AlertState s :
                 {AlertState::kPending, AlertState::kFiring, AlertState::kResolved}) {
              o.Observe(by_state[static_cast<size_t>(s)], {{"state", AlertStateName(s)}});
            }
          });
      id.ok()) {
    ids.push_back(*id);
  }
  MetricDescriptor evaluations{.metric_type = "tai_alert_evaluations",
                               .value_type = MetricType::kCumulative,
                               .description = "Rule and SLO evaluations, by outcome",
                               .labels = {{"outcome", "", "string"}}};
  if (auto id = registry.CreateCallbackCounter(
          evaluations,
          [&engine](Observer& o) {
            const AlertEngineStats s = engine.stats();
            o.Observe(s.evaluations - s.evaluation_failures, {{"outcome", "ok"}});
            o.Observe(s.evaluation_failures, {{"outcome", "failed"}});
          });
      id.ok()) {
    ids.push_back(*id);
  }
  if (dispatcher == nullptr) return ids;
  MetricDescriptor notifications{
      .metric_type = "tai_alert_notifications",
      .value_type = MetricType::kCumulative,
      .description =
          "Alerts sent to each notifier, by outcome: sent, failed (given up), "
          "dropped (queue full, shutdown), suppressed (repeats)",
      .labels = {{"notifier", "", "string"}, {"outcome", "", "string"}}};
  if (auto id = registry.CreateCallbackCounter(
          notifications,
          [dispatcher](Observer& o) {
            for (const NotifierStats& n : dispatcher->stats().notifiers) {
              o.Observe(n.sent, {{"notifier", n.name}, {"outcome", "sent"}});
              o.Observe(n.failed, {{"notifier", n.name}, {"outcome", "failed"}});
              o.Observe(n.dropped, {{"notifier", n.name}, {"outcome", "dropped"}});
              o.Observe(n.suppressed, {{"notifier", n.name}, {"outcome", "suppressed"}});
            }
          });
      id.ok()) {
    ids.push_back(*id);
  }
  return ids;
}

// Which notifiers failed their last attempt, so that a failure is logged
// when it starts rather than on every retry. Called from notifier threads.
class FailingNotifiers {
 public:
  // Records the outcome; true when it differs from the notifier's last.
  bool Changed(const std::string& notifier, bool ok) {
    std::lock_guard<std::mutex> lock(mu_);
    return ok ? failing_.erase(notifier) > 0 : failing_.insert(notifier).second;
  }

 private:
  std::mutex mu_;
  std::set<std::string> failing_;
};

std::string ReadEnvironment(std::string_view name) {
  const char* v = std::getenv(std::string(name).c_str());
  return v != nullptr ? v : "";
}

// What the alert policy sync did, for its self-metrics; outlives the
// runner, whose thread writes it, until the callbacks are removed.
struct AlertPolicySyncStats {
  std::atomic<uint64_t> ok{0}, failed{0}, created{0}, updated{0}, deleted{0};
};

// tai_gcp_alert_policy_syncs_total{outcome} and
// tai_gcp_alert_policy_changes_total{change}.
std::vector<uint64_t> RegisterAlertPolicySyncMetrics(
    MetricRegistry& registry, const std::shared_ptr<const AlertPolicySyncStats>& stats) {
  std::vector<uint64_t> ids;
  MetricDescriptor syncs{.metric_type = "tai_gcp_alert_policy_syncs",
                         .value_type = MetricType::kCumulative,
                         .description =
                             "Syncs of the rule file's Cloud Monitoring alert policies, by "
                             "outcome (failed: some policy could not be made; see the log)",
                         .labels = {{"outcome", "", "string"}}};
  if (auto id =
          registry.CreateCallbackCounter(syncs,
                                         [stats](Observer& o) {
                                           o.Observe(stats->ok.load(), {{"outcome", "ok"}});
                                           o.Observe(stats->failed.load(), {{"outcome", "failed"}});
                                         });
      id.ok()) {
    ids.push_back(*id);
  }
  MetricDescriptor changes{.metric_type = "tai_gcp_alert_policy_changes",
                           .value_type = MetricType::kCumulative,
                           .description = "Cloud Monitoring alert policies the sync changed",
                           .labels = {{"change", "", "string"}}};
  if (auto id = registry.CreateCallbackCounter(
          changes,
          [stats](Observer& o) {
            o.Observe(stats->created.load(), {{"change", "created"}});
            o.Observe(stats->updated.load(), {{"change", "updated"}});
            o.Observe(stats->deleted.load(), {{"change", "deleted"}});
          });
      id.ok()) {
    ids.push_back(*id);
  }
  return ids;
}

}  // namespace

namespace internal {

// Runs `attempt` on its own thread until it says it is done, waiting
// `first_wait` (doubling up to 10 minutes) between attempts. The attempt
// gets the cancel flag and the wait function, both cut short by the
// destructor, which joins the thread.
class AlertPolicySyncRunner {
 public:
  using Sleep = std::function<bool(std::chrono::milliseconds)>;
  using Attempt = std::function<bool(const std::atomic<bool>* cancel, const Sleep& sleep)>;

  AlertPolicySyncRunner(Attempt attempt, std::chrono::milliseconds first_wait)
      : attempt_(std::move(attempt)), first_wait_(first_wait), thread_([this] { Run(); }) {}
  ~AlertPolicySyncRunner() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
      cancel_.store(true);
    }
    stopped_.notify_all();
    thread_.join();
  }
  AlertPolicySyncRunner(const AlertPolicySyncRunner&) = delete;
  AlertPolicySyncRunner& operator=(const AlertPolicySyncRunner&) = delete;

 private:
  // False when stopped before `d` passed.
  bool SleepFor(std::chrono::milliseconds d) {
    std::unique_lock<std::mutex> lock(mu_);
    return !stopped_.wait_for(lock, d, [this] { return stopping_; });
  }

  void Run() {
    const Sleep sleep = [this](std::chrono::milliseconds d) { return SleepFor(d); };
    std::chrono::milliseconds wait = first_wait_;
    while (!attempt_(&cancel_, sleep) && SleepFor(wait)) {
      wait = std::min<std::chrono::milliseconds>(2 * wait, std::chrono::minutes(10));
    }
  }

  const Attempt attempt_;
  const std::chrono::milliseconds first_wait_;
  std::atomic<bool> cancel_{false};
  std::mutex mu_;
  std::condition_variable stopped_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;     // last: starts once the rest is made
};

}  // namespace internal

// Never fails Start for the sync's sake: it runs on its own thread, and
// what goes wrong there is a WARNING and a count.
Status Observability::StartAlertPolicySync() {
  const GcpExportConfig& g = config_.gcp;
  if (g.alert_policies != GcpExportConfig::AlertPolicies::kSync) return Status::Ok();
  gcp::AlertPolicySyncOptions sync{.scope = resource_->service_name,
                                   .delete_orphans = g.prune_alert_policies};
  sync.api = {
      .project_id = resource_->gcp_project, .endpoints = g.endpoints, .tokens = gcp_tokens_};
  sync.api.initial_backoff = g.delivery.initial_backoff;
  sync.api.max_backoff = g.delivery.max_backoff;
  auto stats = std::make_shared<AlertPolicySyncStats>();
  for (uint64_t id : RegisterAlertPolicySyncMetrics(*registry_, stats)) {
    alert_metric_ids_.push_back(id);
  }
  // A failure is said once (WARNING); the retries of an outage are only
  // counted, and the success that ends it is said again.
  auto attempt = [sync, stats, rule_file = config_.alerts.rule_file, &log = logger("tai.gcp"),
                  failing = false](const std::atomic<bool>* cancel,
                                   const internal::AlertPolicySyncRunner::Sleep& sleep) mutable {
    sync.cancel = cancel;
    sync.sleep_for = sleep;
    Result<gcp::AlertPolicySyncReport> report = FailedPreconditionError("not run");
    if (auto file = LoadRuleFile(rule_file); file.ok()) {
      report = SyncCloudAlertPolicies(file->rules, file->slos, sync);
    } else {
      report = file.status();
    }
    if (cancel->load()) return true;
    const Status outcome = report.ok() ? report->status() : report.status();
    if (report.ok()) {
      stats->created += static_cast<uint64_t>(report->created);
      stats->updated += static_cast<uint64_t>(report->updated);
      stats->deleted += static_cast<uint64_t>(report->deleted);
    }
    if (outcome.ok()) {
      ++stats->ok;
      TAI_LOG_INFO(log,
                   "alert policies of {} in Cloud Monitoring project {}: {} created, {} updated, "
                   "{} unchanged, {} deleted",
                   rule_file, sync.api.project_id, report->created, report->updated,
                   report->unchanged, report->deleted);
      return true;
    }
    ++stats->failed;
    const bool again =
        outcome.code() == StatusCode::kUnavailable || (report.ok() && report->retryable());
    if (!failing) {
      TAI_LOG_WARN(log, "the alert policies of {} are not all synced to Cloud Monitoring{}: {}",
                   rule_file, again ? " (tried again until it works)" : "", outcome.ToString());
    }
    failing = true;
    return !again;
  };
  alert_policy_sync_ =
      std::make_shared<internal::AlertPolicySyncRunner>(std::move(attempt), g.alert_policy_retry);
  return Status::Ok();
}

Status Observability::StartAlerts() {
  const AlertsConfig& a = config_.alerts;
  if (!store_) {
    alerts_status_ = FailedPreconditionError(
        "alerting needs the embedded store, and " +
        (store_status_.ok() ? std::string("it is off (TAI_STORE)") : store_status_.ToString()));
    if (!a.rule_file.empty()) {
      TAI_LOG_WARN(logger("tai.alert"), "the rules of {} are not evaluated: {}", a.rule_file,
                   alerts_status_.ToString());
    }
    return Status::Ok();
  }
  TAI_ASSIGN_OR_RETURN(auto notifiers, NotifiersFromEnvironment(a.NotifierVariables()));
  if (!a.rule_file.empty()) {
    // The rule file's own receivers, their secrets from the environment.
    TAI_ASSIGN_OR_RETURN(RuleFile file, LoadRuleFile(a.rule_file));
    for (const NotifierSpec& spec : file.notifiers) {
      TAI_ASSIGN_OR_RETURN_WITH_CONTEXT(auto notifier, MakeNotifier(spec, ReadEnvironment),
                                        a.rule_file + ": notifier '" + spec.name + "'");
      notifiers.push_back(std::move(notifier));
    }
  }
  if (!notifiers.empty()) {
    NotificationDispatcherOptions options{.notify_only_new_firing = a.notify_only_new_firing};
    // Every attempt, with its outcome, is kept in the store's alert history;
    // a receiver that starts failing is said once in the log, and again
    // only after it has recovered.
    auto failing = std::make_shared<FailingNotifiers>();
    options.on_attempt = [store = store_, failing,
                          &log = logger("tai.alert")](const NotificationAttempt& attempt) {
      store->AddNotificationAttempts({attempt});
      if (failing->Changed(attempt.notifier, attempt.ok) && !attempt.ok) {
        TAI_LOG_WARN(log, "notifier {} is failing (alerts are retried, then counted): {}",
                     attempt.notifier, attempt.error);
      }
    };
    TAI_ASSIGN_OR_RETURN(notifications_,
                         NotificationDispatcher::Create(std::move(notifiers), std::move(options)));
  }
  AlertEngineOptions options{.store = store_.get(), .rule_file = a.rule_file};
  if (notifications_) {
    options.notify = [d = notifications_.get()](const Alert& alert,
                                                const std::vector<std::string>& channels) {
      d->Enqueue(alert, channels);
    };
  }
  if (server_) options.generator_url_base = server_->url();
  options.on_rule_file_error = [this](const Status& error) {
    TAI_LOG_ERROR(logger("tai.alert"), "the changed rule file was rejected; the rules stay: {}",
                  error.ToString());
  };
  TAI_ASSIGN_OR_RETURN_WITH_CONTEXT(alerts_, AlertEngine::Create(std::move(options)), "alerting");
  alerts_->Start();
  alert_metric_ids_ = RegisterAlertMetrics(*registry_, *alerts_, notifications_.get());
  return Status::Ok();
}

ContinuousProfilingOptions Observability::ProfilingOptions() {
  ContinuousProfilingOptions options;
  options.resource = *resource_;
  options.logger = &logger("tai.profiling");
  if (store_) options.baselines = std::make_shared<StoreBaselineStore>(store_, *resource_);
  // A change of traffic is not a regression: windows are compared per
  // request served when the golden-signal middleware counts requests, and
  // by share of the CPU when a window (or the baseline) has no count.
  options.comparison.normalization = Normalization::kPerWork;
  if (http_server_metrics_) {
    options.work_counter = [metrics = http_server_metrics_] {
      return static_cast<double>(metrics->requests_recorded());
    };
  }
  if (!alerts_ && !store_) return options;
  options.on_comparison = [engine = alerts_.get(), store = store_.get(),
                           service = resource_->service_name](const ComparisonOutcome& c) {
    const std::vector<Regression>& regressions = c.comparison.regressions;
    if (engine) engine->ReportRegressions(c.kind, regressions, c.time_nanos);
    if (!store) return;
    store->AddProfileComparisons({ProfileComparisonRecord{
        .time_nanos = c.time_nanos,
        .service = service,
        .kind = std::string(ProfileKindName(c.kind)),
        .profile_id = c.profile_id,
        .baseline_time_nanos = c.baseline_time_nanos,
        .severity = std::string(AlertSeverityName(c.comparison.severity())),
        .regressions = regressions.size(),
        .total_change_percent = c.comparison.total_change_percent,
        .details_json = internal::ProfileComparisonJson(c.comparison)}});
  };
  return options;
}

}  // namespace tai
