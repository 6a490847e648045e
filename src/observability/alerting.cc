// Observability's alerting: the notifiers Config::alerts names, behind one
// dispatcher whose every attempt is stored, and the alert engine over the
// embedded store, with its self-metrics.
#include <cstdlib>
#include <mutex>
#include <set>

#include "tai/alert/notifiers.h"
#include "tai/alert/rule_file.h"
#include "tai/observability.h"

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

}  // namespace

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
  if (alerts_) {
    options.on_comparison = [engine = alerts_.get()](ProfileKind kind,
                                                     const std::vector<Regression>& regressions,
                                                     int64_t time_nanos) {
      engine->ReportRegressions(kind, regressions, time_nanos);
    };
  }
  return options;
}

}  // namespace tai
