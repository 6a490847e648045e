#include "tai/alert/alert_engine.h"

#include <sys/stat.h>

#include <condition_variable>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "alert/alert_tracker.h"
#include "alert/rule_evaluator.h"
#include "tai/alert/rule_file.h"
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
  size_t TrackedLocked() const {
    size_t n = 0;
    for (const auto& [id, e] : rules) n += e.tracker->size();
    return n;
  }
  Status EvaluateRule(const Due& due, int64_t now);
  void CheckRuleFile(int64_t now, AlertEngine& engine);
  void Loop(AlertEngine& engine);
  std::chrono::milliseconds IdleTime();

  const AlertEngineOptions options;

  mutable std::mutex mu;  // guards the fields below
  std::map<std::string, RuleEntry, std::less<>> rules;
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
    TAI_RETURN_IF_ERROR(engine->ReplaceRules(std::move(file.rules)));
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
  std::map<std::string, State::RuleEntry, std::less<>> next;
  for (AlertingRule& rule : rules) {
    const std::string id = rule.id;
    TAI_ASSIGN_OR_RETURN(State::RuleEntry entry, state_->MakeEntry(std::move(rule)));
    if (!next.emplace(id, std::move(entry)).second) {
      return InvalidArgumentError("rule '" + id + "': field 'id': defined twice");
    }
  }
  std::lock_guard<std::mutex> lock(state_->mu);
  for (auto& [id, entry] : next) {
    auto old = state_->rules.find(id);
    if (old != state_->rules.end() && SameRule(old->second.rule, entry.rule)) {
      entry = std::move(old->second);
    }
  }
  state_->rules = std::move(next);
  return Status::Ok();
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
  s.CheckRuleFile(now, *this);
  std::vector<State::Due> due;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    for (auto& [id, e] : s.rules) {
      if (e.next_due > now) continue;
      due.push_back({e.rule, e.tracker});
      e.next_due = now + e.rule.interval.count();
    }
  }
  Status last = Status::Ok();
  for (const State::Due& d : due) {
    Status st = s.EvaluateRule(d, now);
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
    const size_t others = TrackedLocked() - due.tracker->size();
    const size_t capacity = options.max_alerts > others ? options.max_alerts - others : 0;
    update = due.tracker->Evaluate(now, *observed, capacity);
    stats.alerts_dropped += update.dropped;
    if (options.notify) stats.notifications += update.notify.size();
  }
  // Handed on outside the lock: the callbacks may take their own.
  if (options.record) {
    for (const AlertEventRecord& r : update.events) options.record(r);
  }
  if (options.record_to_store && options.store != nullptr && !update.events.empty()) {
    options.store->AddAlertEvents(std::move(update.events));
  }
  if (options.notify) {
    for (const Alert& a : update.notify) options.notify(a, due.rule.notification_channels);
  }
  return Status::Ok();
}

// A changed file that does not parse (or validate) keeps the old rules; it
// is reported once per version.
void AlertEngine::State::CheckRuleFile(int64_t now, AlertEngine& engine) {
  if (options.rule_file.empty() || now < next_file_check) return;
  next_file_check = now + std::chrono::nanoseconds(options.rule_file_check_interval).count();
  auto read = ReadSignature(options.rule_file);
  Status error = read.status();
  if (read.ok()) {
    if (read->first == file_signature) return;
    file_signature = read->first;
    auto file = ParseRuleFile(read->second, options.rule_file, FormatOf(options.rule_file));
    error = file.ok() ? engine.ReplaceRules(std::move(file->rules)) : file.status();
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
  state_->thread = std::thread([this] { state_->Loop(*this); });
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
  return out;
}

AlertEngineStats AlertEngine::stats() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  AlertEngineStats s = state_->stats;
  s.rules = state_->rules.size();
  s.alerts = state_->TrackedLocked();
  return s;
}

}  // namespace tai
