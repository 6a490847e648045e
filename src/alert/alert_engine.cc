#include "tai/alert/alert_engine.h"

#include <sys/stat.h>

#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "core/thread_name.h"
#include "alert/alert_template.h"
#include "alert/alert_tracker.h"
#include "alert/rule_evaluator.h"
#include "tai/alert/rule_file.h"
#include "tai/alert/slo_evaluator.h"
#include "tai/core/clock.h"
#include "tai/store/store.h"

namespace tai {
namespace {

bool SameMatchers(const std::vector<LabelMatcher>& a, const std::vector<LabelMatcher>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const auto& x, const auto& y) {
    return x.key == y.key && x.op == y.op && x.value == y.value;
  });
}

// Every field: a rule edited in any way starts its alerts afresh.
bool SameRule(const AlertingRule& a, const AlertingRule& b) {
  return a.id == b.id && a.display_name == b.display_name && a.metric_type == b.metric_type &&
         a.threshold == b.threshold && a.comparison_operator == b.comparison_operator &&
         a.evaluation_window_secs == b.evaluation_window_secs &&
         a.trigger_count == b.trigger_count && a.notification_channels == b.notification_channels &&
         a.aggregation == b.aggregation && SameMatchers(a.matchers, b.matchers) &&
         a.group_by == b.group_by && a.per_series == b.per_series && a.interval == b.interval &&
         a.for_duration == b.for_duration && a.no_data == b.no_data &&
         a.resolve_missing_after == b.resolve_missing_after && a.min_events == b.min_events &&
         a.labels == b.labels && a.annotations == b.annotations &&
         a.repeat_interval == b.repeat_interval;
}

bool SameBurnRateAlerts(const std::vector<BurnRateAlert>& a, const std::vector<BurnRateAlert>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const auto& x, const auto& y) {
    return x.factor == y.factor && x.long_window == y.long_window &&
           x.short_window == y.short_window && x.severity == y.severity;
  });
}

// Every field: an SLO edited in any way starts its alerts afresh.
bool SameSlo(const Slo& a, const Slo& b) {
  return a.metric == b.metric && a.threshold == b.threshold && a.window == b.window &&
         a.error_budget == b.error_budget && a.id == b.id && a.display_name == b.display_name &&
         a.kind == b.kind && a.good_metric == b.good_metric && a.bad_metric == b.bad_metric &&
         a.total_metric == b.total_metric && SameMatchers(a.matchers, b.matchers) &&
         a.min_events == b.min_events &&
         SameBurnRateAlerts(a.burn_rate_alerts, b.burn_rate_alerts) &&
         a.notification_channels == b.notification_channels && a.labels == b.labels &&
         a.annotations == b.annotations && a.interval == b.interval;
}

LabelSet ToLabelSet(const std::map<std::string, std::string>& labels) {
  return LabelSet::FromPairs({labels.begin(), labels.end()});
}

// An SLO's alert tracker: its annotation templates are expanded per burn-rate
// pair by the engine (the factor is each pair's), so the settings carry none.
internal::AlertTrackerSettings SloTrackerSettings(const Slo& slo, std::string generator_url) {
  internal::AlertTrackerSettings s;
  s.rule_id = "slo:" + SloId(slo);
  s.alertname = BurnRateAlertName(slo);
  s.generator_url = std::move(generator_url);
  return s;
}

// Regression alerts fire at once and end with the first comparison that no
// longer finds them (absent groups resolve: kResolve).
internal::AlertTrackerSettings RegressionTrackerSettings(ProfileKind kind) {
  internal::AlertTrackerSettings s;
  s.rule_id = "regression:" + std::string(ProfileKindName(kind));
  s.alertname = "ProfileRegression";
  s.no_data = NoDataPolicy::kResolve;
  return s;
}

std::string FormatPercent(double percent) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", percent);
  return text;
}

// What identifies a version of the rule file.
struct FileSignature {
  int64_t size = -1;
  int64_t mtime_nanos = 0;
  size_t hash = 0;
  friend bool operator==(const FileSignature&, const FileSignature&) = default;
};

Result<std::pair<FileSignature, std::string>> ReadSignature(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return NotFoundError("rule file '" + path + "' cannot be read");
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) return NotFoundError("rule file '" + path + "' cannot be read");
  FileSignature sig{static_cast<int64_t>(st.st_size),
                    int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec,
                    std::hash<std::string>()(text.str())};
  return std::make_pair(sig, text.str());
}

RuleFileFormat FormatOf(const std::string& path) {
  return path.ends_with(".json") ? RuleFileFormat::kJson : RuleFileFormat::kYaml;
}

}  // namespace

struct AlertEngine::State {
  struct RuleEntry {
    AlertingRule rule;
    std::shared_ptr<internal::AlertTracker> tracker;
    int64_t next_due = 0;
  };
  struct Due {
    AlertingRule rule;
    std::shared_ptr<internal::AlertTracker> tracker;
  };
  struct SloEntry {
    Slo slo;
    std::map<std::string, internal::AlertTemplate> annotations;
    std::shared_ptr<internal::AlertTracker> tracker;
    int64_t next_due = 0;
    SloStatus status;
  };
  using RuleMap = std::map<std::string, RuleEntry, std::less<>>;
  using SloMap = std::map<std::string, SloEntry, std::less<>>;

  explicit State(AlertEngineOptions o) : options(std::move(o)) {}

  std::string GeneratorUrl(const std::string& id) const {
    std::string base = options.generator_url_base;
    if (base.empty()) return "";
    while (base.ends_with('/')) base.pop_back();
    return base + "/alerts/" + id;
  }
  Result<RuleEntry> MakeEntry(AlertingRule rule) const {
    TAI_RETURN_IF_ERROR(ValidateAlertingRule(rule));
    TAI_ASSIGN_OR_RETURN(auto settings,
                         internal::MakeAlertTrackerSettings(rule, GeneratorUrl(rule.id)));
    return RuleEntry{std::move(rule), std::make_shared<internal::AlertTracker>(settings), 0};
  }
  Result<SloEntry> MakeSloEntry(Slo slo) const {
    TAI_RETURN_IF_ERROR(ValidateSlo(slo));
    const std::string id = SloId(slo);
    SloEntry e;
    for (const auto& [key, text] : slo.annotations) {
      auto t = internal::AlertTemplate::Parse(text);
      if (!t.ok()) {
        return InvalidArgumentError("slo '" + id + "': field 'annotations." + key +
                                    "': " + t.status().message());
      }
      e.annotations.emplace(key, std::move(*t));
    }
    e.tracker = std::make_shared<internal::AlertTracker>(
        SloTrackerSettings(slo, GeneratorUrl("slo:" + id)));
    e.status.slo = slo;
    e.slo = std::move(slo);
    return e;
  }
  Result<RuleMap> MakeRules(std::vector<AlertingRule> list) const {
    RuleMap next;
    for (AlertingRule& rule : list) {
      const std::string id = rule.id;
      TAI_ASSIGN_OR_RETURN(RuleEntry entry, MakeEntry(std::move(rule)));
      if (!next.emplace(id, std::move(entry)).second) {
        return InvalidArgumentError("rule '" + id + "': field 'id': defined twice");
      }
    }
    return next;
  }
  Result<SloMap> MakeSlos(std::vector<Slo> list) const {
    SloMap next;
    for (Slo& slo : list) {
      const std::string id = SloId(slo);
      TAI_ASSIGN_OR_RETURN(SloEntry entry, MakeSloEntry(std::move(slo)));
      if (!next.emplace(id, std::move(entry)).second) {
        return InvalidArgumentError("slo '" + id + "': field 'id': defined twice");
      }
    }
    return next;
  }
  // Unchanged rules and SLOs keep their entries (their alerts' state).
  void InstallRulesLocked(RuleMap next) {
    for (auto& [id, entry] : next) {
      auto old = rules.find(id);
      if (old != rules.end() && SameRule(old->second.rule, entry.rule)) {
        entry = std::move(old->second);
      }
    }
    rules = std::move(next);
  }
  void InstallSlosLocked(SloMap next) {
    for (auto& [id, entry] : next) {
      auto old = slos.find(id);
      if (old != slos.end() && SameSlo(old->second.slo, entry.slo)) {
        entry = std::move(old->second);
      }
    }
    slos = std::move(next);
  }
  size_t TrackedLocked() const {
    size_t n = 0;
    for (const auto& [id, e] : rules) n += e.tracker->size();
    for (const auto& [id, e] : slos) n += e.tracker->size();
    for (const auto& [kind, t] : regressions) n += t->size();
    return n;
  }
  size_t CapacityLocked(const internal::AlertTracker& tracker) const {
    const size_t others = TrackedLocked() - tracker.size();
    return options.max_alerts > others ? options.max_alerts - others : 0;
  }
  // Records and notifies one tracker update, outside the lock: the
  // callbacks may take their own.
  void Deliver(internal::AlertTrackerUpdate update, const std::vector<std::string>& channels);
  Status ReplaceRulesAndSlos(std::vector<AlertingRule> rules, std::vector<Slo> slos);
  Status EvaluateRule(const Due& due, int64_t now);
  Status EvaluateSlo(const Slo& slo, const std::shared_ptr<internal::AlertTracker>& tracker,
                     int64_t now);
  void CheckRuleFile(int64_t now);
  void Loop(AlertEngine& engine);
  std::chrono::milliseconds IdleTime();

  const AlertEngineOptions options;

  mutable std::mutex mu;  // guards the fields below
  RuleMap rules;
  SloMap slos;
  std::map<ProfileKind, std::shared_ptr<internal::AlertTracker>> regressions;
  AlertEngineStats stats;

  std::mutex eval_mu;  // one evaluation pass at a time; guards the rule file fields
  FileSignature file_signature;
  int64_t next_file_check = 0;

  std::mutex thread_mu;  // guards the fields below
  std::condition_variable wake;
  bool stopping = false;
  std::thread thread;
};

AlertEngine::AlertEngine(AlertEngineOptions options)
    : state_(std::make_unique<State>(std::move(options))) {}

AlertEngine::~AlertEngine() { Stop(); }

Result<std::unique_ptr<AlertEngine>> AlertEngine::Create(AlertEngineOptions options) {
  if (!options.clock) options.clock = [] { return WallNanos(); };
  std::unique_ptr<AlertEngine> engine(new AlertEngine(std::move(options)));
  State& s = *engine->state_;
  if (!s.options.rule_file.empty()) {
    auto read = ReadSignature(s.options.rule_file);
    if (!read.ok()) return read.status();
    TAI_ASSIGN_OR_RETURN(RuleFile file, ParseRuleFile(read->second, s.options.rule_file,
                                                      FormatOf(s.options.rule_file)));
    TAI_RETURN_IF_ERROR(s.ReplaceRulesAndSlos(std::move(file.rules), std::move(file.slos)));
    s.file_signature = read->first;
    s.next_file_check =
        s.options.clock() + std::chrono::nanoseconds(s.options.rule_file_check_interval).count();
  }
  return engine;
}

Status AlertEngine::AddRule(AlertingRule rule) {
  TAI_ASSIGN_OR_RETURN(State::RuleEntry entry, state_->MakeEntry(std::move(rule)));
  std::lock_guard<std::mutex> lock(state_->mu);
  const std::string id = entry.rule.id;
  if (!state_->rules.emplace(id, std::move(entry)).second) {
    return AlreadyExistsError("rule '" + id + "' already exists");
  }
  return Status::Ok();
}

Status AlertEngine::RemoveRule(std::string_view id) {
  std::lock_guard<std::mutex> lock(state_->mu);
  auto it = state_->rules.find(id);
  if (it == state_->rules.end()) return NotFoundError("no rule '" + std::string(id) + "'");
  state_->rules.erase(it);
  return Status::Ok();
}

Status AlertEngine::ReplaceRules(std::vector<AlertingRule> rules) {
  TAI_ASSIGN_OR_RETURN(State::RuleMap next, state_->MakeRules(std::move(rules)));
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->InstallRulesLocked(std::move(next));
  return Status::Ok();
}

// Both validated before either is installed: a rule file applies whole or
// not at all.
Status AlertEngine::State::ReplaceRulesAndSlos(std::vector<AlertingRule> rule_list,
                                               std::vector<Slo> slo_list) {
  TAI_ASSIGN_OR_RETURN(RuleMap next_rules, MakeRules(std::move(rule_list)));
  TAI_ASSIGN_OR_RETURN(SloMap next_slos, MakeSlos(std::move(slo_list)));
  std::lock_guard<std::mutex> lock(mu);
  InstallRulesLocked(std::move(next_rules));
  InstallSlosLocked(std::move(next_slos));
  return Status::Ok();
}

Status AlertEngine::AddSlo(Slo slo) {
  TAI_ASSIGN_OR_RETURN(State::SloEntry entry, state_->MakeSloEntry(std::move(slo)));
  std::lock_guard<std::mutex> lock(state_->mu);
  const std::string id = SloId(entry.slo);
  if (!state_->slos.emplace(id, std::move(entry)).second) {
    return AlreadyExistsError("slo '" + id + "' already exists");
  }
  return Status::Ok();
}

Status AlertEngine::RemoveSlo(std::string_view id) {
  std::lock_guard<std::mutex> lock(state_->mu);
  auto it = state_->slos.find(id);
  if (it == state_->slos.end()) return NotFoundError("no slo '" + std::string(id) + "'");
  state_->slos.erase(it);
  return Status::Ok();
}

std::vector<Slo> AlertEngine::Slos() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  std::vector<Slo> out;
  for (const auto& [id, e] : state_->slos) out.push_back(e.slo);
  return out;
}

std::vector<SloStatus> AlertEngine::SloStatuses() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  std::vector<SloStatus> out;
  for (const auto& [id, e] : state_->slos) out.push_back(e.status);
  return out;
}

void AlertEngine::ReportRegressions(ProfileKind kind, const std::vector<Regression>& regressions,
                                    int64_t time_nanos) {
  const std::string kind_name(ProfileKindName(kind));
  std::vector<internal::Observation> observed;
  for (const Regression& r : regressions) {
    const std::string band(AlertSeverityName(r.severity));
    observed.push_back(
        {.labels = LabelSet::FromPairs({{"function", r.function}, {"profile_kind", kind_name}}),
         .value = r.increase_percent,
         .holds = true,
         .start_labels = {{"severity", band}},
         .annotations = {
             {"current_severity", band},
             {"increase_percent", FormatPercent(r.increase_percent)},
             {"summary", r.function + " costs " + FormatPercent(r.increase_percent) +
                             "% more in the " + kind_name + " profile (" + band + ")"}}});
  }
  internal::AlertTrackerUpdate update;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    ++state_->stats.regression_reports;
    auto& tracker = state_->regressions[kind];
    if (!tracker) {
      tracker = std::make_shared<internal::AlertTracker>(RegressionTrackerSettings(kind));
    }
    update = tracker->Evaluate(time_nanos, observed, state_->CapacityLocked(*tracker));
    state_->stats.alerts_dropped += update.dropped;
    if (state_->options.notify) state_->stats.notifications += update.notify.size();
  }
  state_->Deliver(std::move(update), {});
}

std::vector<AlertingRule> AlertEngine::Rules() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  std::vector<AlertingRule> out;
  for (const auto& [id, e] : state_->rules) out.push_back(e.rule);
  return out;
}

Status AlertEngine::EvaluateOnce() {
  State& s = *state_;
  std::lock_guard<std::mutex> pass(s.eval_mu);
  const int64_t now = s.options.clock();
  s.CheckRuleFile(now);
  std::vector<State::Due> due;
  std::vector<std::pair<Slo, std::shared_ptr<internal::AlertTracker>>> due_slos;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    for (auto& [id, e] : s.rules) {
      if (e.next_due > now) continue;
      due.push_back({e.rule, e.tracker});
      e.next_due = now + e.rule.interval.count();
    }
    for (auto& [id, e] : s.slos) {
      if (e.next_due > now) continue;
      due_slos.emplace_back(e.slo, e.tracker);
      e.next_due = now + e.slo.interval.count();
    }
  }
  Status last = Status::Ok();
  for (const State::Due& d : due) {
    Status st = s.EvaluateRule(d, now);
    if (!st.ok()) last = st;
  }
  for (const auto& [slo, tracker] : due_slos) {
    Status st = s.EvaluateSlo(slo, tracker, now);
    if (!st.ok()) last = st;
  }
  return last;
}

Status AlertEngine::State::EvaluateRule(const Due& due, int64_t now) {
  const auto started = std::chrono::steady_clock::now();
  Result<std::vector<internal::Observation>> observed =
      options.store != nullptr ? internal::EvaluateRule(*options.store, due.rule, now)
                               : std::vector<internal::Observation>{{.value = 0, .no_data = true}};
  const auto took = std::chrono::steady_clock::now() - started;
  internal::AlertTrackerUpdate update;
  {
    std::lock_guard<std::mutex> lock(mu);
    ++stats.evaluations;
    if (took > due.rule.interval) ++stats.slow_evaluations;
    if (!observed.ok()) {
      ++stats.evaluation_failures;
      Status error = observed.status().WithContext("evaluating rule '" + due.rule.id + "'");
      stats.last_error = error.ToString();
      return error;
    }
    // A rule removed or replaced meanwhile: its result applies to nothing.
    auto it = rules.find(due.rule.id);
    if (it == rules.end() || it->second.tracker != due.tracker) return Status::Ok();
    update = due.tracker->Evaluate(now, *observed, CapacityLocked(*due.tracker));
    stats.alerts_dropped += update.dropped;
    if (options.notify) stats.notifications += update.notify.size();
  }
  Deliver(std::move(update), due.rule.notification_channels);
  return Status::Ok();
}

void AlertEngine::State::Deliver(internal::AlertTrackerUpdate update,
                                 const std::vector<std::string>& channels) {
  if (options.record) {
    for (const AlertEventRecord& r : update.events) options.record(r);
  }
  if (options.record_to_store && options.store != nullptr && !update.events.empty()) {
    options.store->AddAlertEvents(std::move(update.events));
  }
  if (options.notify) {
    for (const Alert& a : update.notify) options.notify(a, channels);
  }
}

// One observation per burn-rate pair, labelled as the exports label it; the
// SLO's templates are expanded here because $threshold is each pair's
// factor.
Status AlertEngine::State::EvaluateSlo(const Slo& slo,
                                       const std::shared_ptr<internal::AlertTracker>& tracker,
                                       int64_t now) {
  const auto started = std::chrono::steady_clock::now();
  const std::string id = SloId(slo);
  Result<ErrorBudget> budget = ErrorBudget{};
  Result<std::vector<BurnRateStatus>> burn = std::vector<BurnRateStatus>{};
  if (options.store != nullptr) {
    budget = ComputeErrorBudget(*options.store, slo, now);
    if (budget.ok()) {
      burn = EvaluateBurnRateAlerts(*options.store, slo, now);
    } else {
      burn = budget.status();
    }
  }
  const auto took = std::chrono::steady_clock::now() - started;
  internal::AlertTrackerUpdate update;
  {
    std::lock_guard<std::mutex> lock(mu);
    ++stats.slo_evaluations;
    if (took > slo.interval) ++stats.slow_evaluations;
    auto it = slos.find(id);
    const bool current = it != slos.end() && it->second.tracker == tracker;
    if (!burn.ok()) {
      ++stats.evaluation_failures;
      Status error = burn.status().WithContext("evaluating slo '" + id + "'");
      stats.last_error = error.ToString();
      if (current) {
        it->second.status.evaluated_at_nanos = now;
        it->second.status.error = error.ToString();
      }
      return error;
    }
    // An SLO removed or replaced meanwhile: its result applies to nothing.
    if (!current) return Status::Ok();
    SloEntry& e = it->second;
    std::vector<internal::Observation> observed;
    for (const BurnRateStatus& b : *burn) {
      internal::Observation o{.labels = ToLabelSet(BurnRateAlertLabels(slo, b.alert)),
                              .value = b.long_burn_rate,
                              .holds = b.holds};
      o.annotations["summary"] = BurnRateAlertSummary(slo, b.alert);
      if (!e.annotations.empty()) {
        std::vector<std::pair<std::string, std::string>> pairs = o.labels.labels();
        pairs.emplace_back("alertname", BurnRateAlertName(slo));
        const LabelSet labels = LabelSet::FromPairs(std::move(pairs));
        for (const auto& [key, t] : e.annotations) {
          o.annotations[key] = t.Expand(b.long_burn_rate, b.alert.factor, labels);
        }
      }
      observed.push_back(std::move(o));
    }
    e.status = {.slo = slo,
                .evaluated_at_nanos = now,
                .budget = *budget,
                .burn_rates = std::move(*burn),
                .error = ""};
    update = tracker->Evaluate(now, observed, CapacityLocked(*tracker));
    stats.alerts_dropped += update.dropped;
    if (options.notify) stats.notifications += update.notify.size();
  }
  Deliver(std::move(update), slo.notification_channels);
  return Status::Ok();
}

// A changed file that does not parse (or validate) keeps the old rules; it
// is reported once per version.
void AlertEngine::State::CheckRuleFile(int64_t now) {
  if (options.rule_file.empty() || now < next_file_check) return;
  next_file_check = now + std::chrono::nanoseconds(options.rule_file_check_interval).count();
  auto read = ReadSignature(options.rule_file);
  Status error = read.status();
  if (read.ok()) {
    if (read->first == file_signature) return;
    file_signature = read->first;
    auto file = ParseRuleFile(read->second, options.rule_file, FormatOf(options.rule_file));
    error = file.ok() ? ReplaceRulesAndSlos(std::move(file->rules), std::move(file->slos))
                      : file.status();
  } else if (file_signature.size == -2) {
    return;  // still missing: reported already
  } else {
    file_signature = {.size = -2};
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    if (error.ok()) {
      ++stats.rule_file_reloads;
      return;
    }
    ++stats.rule_file_errors;
    stats.last_error = error.ToString();
  }
  if (options.on_rule_file_error) options.on_rule_file_error(error);
}

std::chrono::milliseconds AlertEngine::State::IdleTime() {
  const int64_t now = options.clock();
  int64_t next = now + std::chrono::nanoseconds(options.max_idle).count();
  {
    std::lock_guard<std::mutex> lock(mu);
    for (const auto& [id, e] : rules) next = std::min(next, e.next_due);
    for (const auto& [id, e] : slos) next = std::min(next, e.next_due);
  }
  if (!options.rule_file.empty()) next = std::min(next, next_file_check);
  const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::nanoseconds(std::max<int64_t>(next - now, 0)));
  return std::max(wait, std::chrono::milliseconds(1));
}

void AlertEngine::State::Loop(AlertEngine& engine) {
  for (;;) {
    (void)engine.EvaluateOnce();
    std::chrono::milliseconds idle;
    {
      std::lock_guard<std::mutex> pass(eval_mu);
      idle = IdleTime();
    }
    std::unique_lock<std::mutex> lock(thread_mu);
    if (wake.wait_for(lock, idle, [&] { return stopping; })) return;
  }
}

void AlertEngine::Start() {
  std::lock_guard<std::mutex> lock(state_->thread_mu);
  if (state_->thread.joinable()) return;
  state_->stopping = false;
  state_->thread = std::thread([this] {
    internal::NameThisThread("tai-alerts");
    state_->Loop(*this);
  });
}

void AlertEngine::Stop() {
  std::thread thread;
  {
    std::lock_guard<std::mutex> lock(state_->thread_mu);
    state_->stopping = true;
    thread = std::move(state_->thread);
  }
  state_->wake.notify_all();
  if (thread.joinable()) thread.join();
}

std::vector<Alert> AlertEngine::Alerts() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  std::vector<Alert> out;
  for (const auto& [id, e] : state_->rules) {
    for (Alert& a : e.tracker->Alerts()) out.push_back(std::move(a));
  }
  for (const auto& [id, e] : state_->slos) {
    for (Alert& a : e.tracker->Alerts()) out.push_back(std::move(a));
  }
  for (const auto& [kind, tracker] : state_->regressions) {
    for (Alert& a : tracker->Alerts()) out.push_back(std::move(a));
  }
  return out;
}

Status AlertEngine::Acknowledge(std::string_view fingerprint, std::string comment) {
  State& s = *state_;
  const int64_t now = s.options.clock();
  internal::AlertTrackerUpdate update;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    std::vector<internal::AlertTracker*> trackers;
    for (const auto& [id, e] : s.rules) trackers.push_back(e.tracker.get());
    for (const auto& [id, e] : s.slos) trackers.push_back(e.tracker.get());
    for (const auto& [kind, tracker] : s.regressions) trackers.push_back(tracker.get());
    Result<AlertEventRecord> event = NotFoundError("");
    for (internal::AlertTracker* t : trackers) {
      event = t->Acknowledge(fingerprint, now, comment);
      if (event.status().code() != StatusCode::kNotFound) break;
    }
    if (event.status().code() == StatusCode::kNotFound) {
      return NotFoundError("no alert with fingerprint '" + std::string(fingerprint) +
                           "' is tracked (pending, firing, or resolved in the last 15 minutes)");
    }
    if (!event.ok()) return event.status();
    update.events.push_back(std::move(*event));
  }
  // Recorded like a state change; nothing is notified.
  s.Deliver(std::move(update), {});
  return Status::Ok();
}

AlertEngineStats AlertEngine::stats() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  AlertEngineStats s = state_->stats;
  s.rules = state_->rules.size();
  s.slos = state_->slos.size();
  s.alerts = state_->TrackedLocked();
  return s;
}

}  // namespace tai
