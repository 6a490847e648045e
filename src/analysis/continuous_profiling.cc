#include "tai/analysis/continuous_profiling.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <map>
#include <type_traits>
#include <utility>

#include "analysis/regression_episodes.h"
#include "core/text.h"
#include "core/thread_name.h"
#include "profile/profile_merge.h"
#include "tai/core/clock.h"

namespace tai {
namespace {

constexpr std::string_view kEventNames[] = {"ProfileStarted",     "ProfileFinished",
                                            "RegressionDetected", "AlertTriggered",
                                            "ProfileUploaded",    "AlertResolved"};

std::string Describe(const ProfileStarted& e) {
  return "ProfileStarted: " + e.profile_id + " started";
}
std::string Describe(const ProfileFinished& e) {
  if (e.kind == ProfileKind::kHeap) {
    return internal::StringPrintf(
        "ProfileFinished: %s finished (%" PRId64 " stacks, %.1f MiB in use)", e.profile_id.c_str(),
        e.samples, static_cast<double>(e.inuse_bytes) / (1024 * 1024));
  }
  return internal::StringPrintf("ProfileFinished: %s finished (%" PRId64 " samples, %" PRId64
                                "ms CPU time)",
                                e.profile_id.c_str(), e.samples, e.cpu_micros / 1000);
}
std::string Describe(const RegressionDetected& e) {
  return internal::StringPrintf("RegressionDetected: %s increased by %.1f%% (threshold: %.1f%%)",
                                e.regression.function.c_str(), e.regression.increase_percent,
                                e.threshold_percent);
}
std::string Describe(const AlertTriggered& e) {
  size_t n = e.alert.regressions.size();
  return internal::StringPrintf("AlertTriggered: %s severity alert (%s) %s",
                                std::string(AlertSeverityName(e.alert.severity)).c_str(),
                                n == 1 ? e.alert.regressions[0].function.c_str()
                                       : (std::to_string(n) + " regressions").c_str(),
                                e.alert.alert_id.c_str());
}
std::string Describe(const AlertResolved& e) {
  return internal::StringPrintf(
      "AlertResolved: %s no longer regressed in %s after %" PRId64 " window%s (%s %s alert %s)",
      e.function.c_str(), e.profile_id.c_str(), e.windows, e.windows == 1 ? "" : "s",
      std::string(AlertSeverityName(e.severity)).c_str(),
      std::string(ProfileKindName(e.kind)).c_str(), e.alert_id.c_str());
}
std::string Describe(const ProfileUploaded& e) {
  std::string to;
  for (const std::string& s : e.sinks) to += (to.empty() ? "" : ", ") + s;
  return "ProfileUploaded: " + e.profile_id + " uploaded to " + (to.empty() ? "no sink" : to);
}

// The sum of the profile's `type` column (0 when it has none).
int64_t ColumnTotal(const Profile& p, std::string_view type) {
  int64_t total = 0;
  for (size_t i = 0; i < p.sample_types.size(); ++i) {
    if (p.sample_types[i].type != type) continue;
    for (const ProfileSample& s : p.samples) total += i < s.values.size() ? s.values[i] : 0;
  }
  return total;
}

// The profile's sample count ("samples"/"count") and CPU in microseconds.
std::pair<int64_t, int64_t> Totals(const Profile& p) {
  return {ColumnTotal(p, "samples"), p.ToReportUnit(p.TotalValue())};
}

}  // namespace

// The design's events in the log at a level that fits: the routine ones at
// DEBUG, a regression at WARNING, an alert at WARNING (low, medium), ERROR
// (high) or CRITICAL.
LogLevel EventLevel(const ProfilingEvent& event) {
  if (const auto* a = std::get_if<AlertTriggered>(&event)) {
    if (a->alert.severity == AlertSeverity::kCritical) return LogLevel::kFatal;
    return a->alert.severity == AlertSeverity::kHigh ? LogLevel::kError : LogLevel::kWarn;
  }
  if (std::holds_alternative<AlertResolved>(event)) return LogLevel::kInfo;
  return std::holds_alternative<RegressionDetected>(event) ? LogLevel::kWarn : LogLevel::kDebug;
}

std::string_view EventName(const ProfilingEvent& event) { return kEventNames[event.index()]; }

std::string DescribeEvent(const ProfilingEvent& event) {
  return std::visit([](const auto& e) { return Describe(e); }, event);
}

ContinuousProfilingService::ContinuousProfilingService(std::shared_ptr<ProfileRecorder> profiler,
                                                       int64_t collect_interval_s,
                                                       int64_t upload_interval_s,
                                                       double regression_threshold_pct)
    : ContinuousProfilingService(std::move(profiler), [&] {
        ContinuousProfilingOptions o;
        o.collect_interval = std::chrono::seconds(collect_interval_s);
        o.upload_interval = std::chrono::seconds(upload_interval_s);
        o.comparison.threshold_percent = regression_threshold_pct;
        return o;
      }()) {}

ContinuousProfilingService::ContinuousProfilingService(std::shared_ptr<ProfileRecorder> profiler,
                                                       ContinuousProfilingOptions options)
    : profiler_(std::move(profiler)),
      options_(std::move(options)),
      episodes_(std::make_unique<internal::RegressionEpisodes>()) {
  if (options_.baselines) {
    baselines_ = options_.baselines;
  } else if (!options_.baseline_directory.empty()) {
    baselines_ =
        std::make_shared<DirectoryBaselineStore>(options_.baseline_directory, options_.resource);
  } else if (profiler_) {
    baselines_ = profiler_->baseline_store();
  }
}

ContinuousProfilingService::~ContinuousProfilingService() { (void)Stop(); }

void ContinuousProfilingService::AddSink(std::shared_ptr<ProfileSink> sink) {
  std::lock_guard<std::mutex> lock(mu_);
  if (sink && !running_) sinks_.push_back(std::move(sink));
}

Status ContinuousProfilingService::Start() {
  if (!profiler_) return InvalidArgumentError("continuous profiling needs a profiler, not null");
  if (options_.collect_interval.count() < 1 || options_.upload_interval.count() < 1) {
    return InvalidArgumentError("collect and upload intervals must be at least 1 s, not " +
                                std::to_string(options_.collect_interval.count()) + " s and " +
                                std::to_string(options_.upload_interval.count()) + " s");
  }
  if (options_.window.count() < 0 || options_.window > options_.collect_interval) {
    return InvalidArgumentError(
        "window must be between 0 (the whole interval) and the collect "
        "interval, not " +
        std::to_string(options_.window.count()) + " ms");
  }
  if (options_.max_events == 0 || options_.max_queued_profiles == 0) {
    return InvalidArgumentError("max_events and max_queued_profiles must be at least 1");
  }
  if (options_.baseline_windows < 1) {
    return InvalidArgumentError("baseline_windows must be at least 1, not " +
                                std::to_string(options_.baseline_windows));
  }
  TAI_RETURN_IF_ERROR(options_.comparison.Validate().WithContext("comparison options"));
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (running_) return FailedPreconditionError("continuous profiling is already running");
    running_ = true;
    stop_ = false;
  }
  if (options_.heap) {
    if (Status s = HeapProfiler::Start(options_.heap_options); !s.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      running_ = false;
      return s.WithContext("continuous heap profiling (options.heap) could not start");
    }
    heap_since_ = WallNanos();
  }
  if (sinks_.empty() && options_.logger != nullptr) {
    TAI_LOG_WARN(*options_.logger,
                 "continuous profiling has no profile sink: windows are profiled and compared, "
                 "the last ones kept by the profiler, nothing is uploaded (AddSink before Start)");
  }
  LoadBaselines();
  thread_ = std::thread([this] {
    internal::NameThisThread("tai-profiling");
    Run();
  });
  return Status::Ok();
}

Status ContinuousProfilingService::Stop(std::chrono::milliseconds deadline) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!running_ || stop_) return Status::Ok();
    stop_ = true;
    stop_by_ = Clock::now() + deadline;
  }
  changed_.notify_all();
  thread_.join();
  std::lock_guard<std::mutex> lock(mu_);
  running_ = false;
  bool late = Clock::now() > stop_by_;
  return late ? DeadlineExceededError("continuous profiling took longer than the deadline to stop")
              : Status::Ok();
}

bool ContinuousProfilingService::running() const {
  std::lock_guard<std::mutex> lock(mu_);
  return running_;
}

// Windows and uploads follow a fixed schedule from the start (window k
// starts at start + k * collect_interval and ends `window` later), so a slow
// window does not shift the ones after it; a start already past when the
// service gets to it is merged into the next. When a window ends at the
// moment the next starts and an upload is due, the order is: finish, start
// the next, upload.
void ContinuousProfilingService::Run() {
  const Clock::time_point t0 = Clock::now();
  const auto window = WindowLength();
  Clock::time_point next_start = t0, window_end = t0;
  Clock::time_point upload_at = t0 + options_.upload_interval;
  for (;;) {
    const Clock::time_point now = Clock::now();
    if (in_window_ && now >= window_end) FinishWindow(true);
    if (!in_window_ && now >= next_start) {
      StartWindow();
      window_end = next_start + window;
      while (next_start <= now) next_start += options_.collect_interval;
    }
    if (now >= upload_at) {
      Upload();
      while (upload_at <= now) upload_at += options_.upload_interval;
    }
    const Clock::time_point wake = std::min(in_window_ ? window_end : next_start, upload_at);
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait_until(lock, wake, [&] { return stop_ || Clock::now() >= wake; });
    if (stop_) break;
  }
  FinishCpuWindow(false);
  in_window_ = false;
  SnapshotHeap(true);
  Upload();
  FlushSinks();
}

std::chrono::nanoseconds ContinuousProfilingService::WindowLength() const {
  return options_.window.count() > 0 ? std::chrono::nanoseconds(options_.window)
                                     : std::chrono::nanoseconds(options_.collect_interval);
}

void ContinuousProfilingService::FlushSinks() {
  Clock::time_point stop_by;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_by = stop_by_;
  }
  for (const auto& sink : sinks_) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(stop_by - Clock::now());
    if (!sink->Flush(std::max(left, std::chrono::milliseconds(0))).ok()) {
      UpdateStats([](ProfilingStatistics& s) { ++s.upload_failures; });
    }
  }
}

void ContinuousProfilingService::StartWindow() {
  in_window_ = true;
  char id[32];
  std::snprintf(id, sizeof id, "cpu-%06" PRIu64, next_id_++);
  Status s = profiler_->StartCpuProfile(id);
  if (!s.ok()) {
    UpdateStats([](ProfilingStatistics& st) { ++st.profile_errors; });
    if (options_.logger != nullptr) {
      TAI_LOG_RATE_LIMITED(*options_.logger, LogLevel::kWarn, 1,
                           "continuous profiling skipped a window: {}", s.message());
    }
    return;
  }
  window_id_ = id;
  if (options_.work_counter) window_work_start_ = options_.work_counter();
  Record(ProfileStarted{WallNanos(), window_id_});
}

// The heap snapshot follows the CPU profile, so the CPU window's events
// (and its alert) come first, as without heap profiling.
void ContinuousProfilingService::FinishWindow(bool compare) {
  if (!in_window_) return;
  in_window_ = false;
  FinishCpuWindow(compare);
  SnapshotHeap(false);
}

// A window cut short by Stop is uploaded but not compared: it is shorter
// than the baseline's windows and often holds shutdown work, so comparing it
// would add alarm risk and no information.
void ContinuousProfilingService::FinishCpuWindow(bool compare) {
  if (window_id_.empty()) return;
  std::string id = std::exchange(window_id_, "");
  Result<Profile> p = profiler_->FinishCpuProfile();
  if (!p.ok()) {
    CountProfileError("a CPU profile", p.status());
    return;
  }
  if (options_.work_counter) {
    const double work = options_.work_counter() - window_work_start_;
    if (work > 0) SetProfileWork(*p, work);
  }
  auto [samples, cpu_micros] = Totals(*p);
  if (compare) {  // a window cut short has too little wall time for a fair figure
    double overhead = profiler_->MeasuredOverhead();
    UpdateStats([&](ProfilingStatistics& st) {
      st.last_overhead = overhead;
      st.max_overhead = std::max(st.max_overhead, overhead);
    });
  }
  Record(ProfileFinished{WallNanos(), id, samples, cpu_micros});
  if (compare && Compare(id, *p)) AddToVersionBaseline(id, *p);
  Enqueue(std::move(id), ProfileKind::kCpu, std::move(*p));
}

// The last snapshot is the heap profiler's own final profile: Stop both
// reads it and releases the profiler for the process.
void ContinuousProfilingService::SnapshotHeap(bool last) {
  if (!options_.heap) return;
  Result<Profile> p = last ? HeapProfiler::Stop() : HeapProfiler::Snapshot();
  if (!p.ok()) {
    CountProfileError("a heap snapshot", p.status());
    return;
  }
  // Dated to the period since the previous snapshot, not the profiler's
  // start: snapshots then line up with the CPU windows, sort by time, and
  // age out of the store one by one.
  const int64_t now = WallNanos();
  p->time_nanos = heap_since_;
  p->duration_nanos = now - heap_since_;
  heap_since_ = now;
  char id[32];
  std::snprintf(id, sizeof id, "heap-%06" PRIu64, next_heap_id_++);
  Record(ProfileFinished{.timestamp = now,
                         .profile_id = id,
                         .samples = static_cast<int64_t>(p->samples.size()),
                         .kind = ProfileKind::kHeap,
                         .inuse_bytes = ColumnTotal(*p, "inuse_space")});
  Enqueue(id, ProfileKind::kHeap, std::move(*p));
}

void ContinuousProfilingService::Enqueue(std::string id, ProfileKind kind, Profile profile) {
  if (sinks_.empty()) return;  // nothing would send it: the profiler keeps the last ones
  std::map<std::string, std::string> labels;
  if (!options_.resource.service_version.empty()) {
    labels["version"] = options_.resource.service_version;
  }
  queue_.push_back(UploadedProfile{std::move(id), kind, std::move(profile), std::move(labels)});
  while (queue_.size() > options_.max_queued_profiles) {
    queue_.pop_front();
    UpdateStats([](ProfilingStatistics& st) { ++st.profiles_dropped; });
  }
}

void ContinuousProfilingService::CountProfileError(std::string_view what, const Status& status) {
  UpdateStats([](ProfilingStatistics& st) { ++st.profile_errors; });
  if (options_.logger != nullptr) {
    TAI_LOG_RATE_LIMITED(*options_.logger, LogLevel::kWarn, 1,
                         "continuous profiling could not take {}: {}", what, status.message());
  }
}

bool ContinuousProfilingService::Compare(const std::string& id, const Profile& profile) {
  std::optional<Profile> base = baseline();
  if (!base) return true;
  Result<ProfileComparison> c = CompareProfiles(*base, profile, options_.comparison);
  if (!c.ok()) {
    CountBaselineError("profile " + id + " not compared with the baseline", c.status());
    return false;
  }
  const bool stable = c->regressions.empty();
  UpdateStats([](ProfilingStatistics& st) { ++st.comparisons; });
  for (const Regression& r : c->regressions) {
    Record(RegressionDetected{WallNanos(), id, r, options_.comparison.threshold_percent});
  }
  const int64_t now = WallNanos();
  internal::RegressionEpisodes::Update update = episodes_->Observe(ProfileKind::kCpu, id, *c, now);
  if (update.alert) RaiseAlert(id, *update.alert);
  for (AlertResolved& r : update.resolved) Record(std::move(r));
  UpdateStats([n = episodes_->active()](ProfilingStatistics& st) { st.active_regressions = n; });
  if (options_.on_comparison) {
    options_.on_comparison(ComparisonOutcome{.kind = ProfileKind::kCpu,
                                             .profile_id = id,
                                             .time_nanos = now,
                                             .baseline_time_nanos = base->time_nanos,
                                             .comparison = std::move(*c)});
  }
  return stable;
}

// The version's own baseline, once made, stays for the life of the
// version: windows after it are what it is there to judge.
void ContinuousProfilingService::AddToVersionBaseline(const std::string& id,
                                                      const Profile& profile) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (version_baseline_) return;
  }
  if (!collecting_) {
    collecting_ = profile;
    collecting_from_ = id;
  } else {
    Result<Profile> merged = internal::MergeProfileList({*collecting_, profile});
    if (!merged.ok()) {
      CountBaselineError("window " + id + " not added to the version's baseline", merged.status());
      return;
    }
    collecting_ = std::move(merged).value();
  }
  if (++collected_ < options_.baseline_windows) return;
  Profile made = *std::exchange(collecting_, std::nullopt);
  std::string where = "memory only (no baseline store)";
  if (baselines_) {
    Status saved = baselines_->SaveVersionBaseline(made);
    if (saved.ok()) {
      where = baselines_->description();
    } else {
      CountBaselineError("the version's baseline could not be saved", saved);
      where = "memory only (saving failed)";
    }
  }
  if (options_.logger != nullptr) {
    const Resource& r = options_.resource;
    TAI_LOG_INFO(*options_.logger,
                 "profiling baseline of {} {} made from {} windows ({} to {}), kept in {}",
                 r.service_name, r.service_version.empty() ? "(no version)" : r.service_version,
                 collected_, collecting_from_, id, where);
  }
  std::lock_guard<std::mutex> lock(mu_);
  version_baseline_ = std::move(made);
}

void ContinuousProfilingService::CountBaselineError(std::string_view what, const Status& status) {
  UpdateStats([](ProfilingStatistics& st) { ++st.baseline_errors; });
  if (options_.logger != nullptr) {
    TAI_LOG_RATE_LIMITED(*options_.logger, LogLevel::kWarn, 1, "{}: {}", what, status.message());
  }
}

void ContinuousProfilingService::RaiseAlert(const std::string& id, const RegressionAlert& alert) {
  Record(AlertTriggered{alert.timestamp, id, alert});
  if (options_.on_alert) options_.on_alert(alert);
}

void ContinuousProfilingService::Upload() {
  if (queue_.empty()) return;
  std::vector<UploadedProfile> batch(queue_.begin(), queue_.end());
  std::vector<std::string> names;
  for (const auto& sink : sinks_) {
    Status s = sink->Export(batch, options_.resource);
    if (!s.ok()) {
      UpdateStats([](ProfilingStatistics& st) { ++st.upload_failures; });
      if (options_.logger != nullptr) {
        TAI_LOG_RATE_LIMITED(*options_.logger, LogLevel::kWarn, 1,
                             "profile sink {} failed, batch kept for the next upload: {}",
                             sink->name(), s.message());
      }
      return;
    }
    names.push_back(sink->name());
  }
  queue_.clear();
  UpdateStats([](ProfilingStatistics& st) { ++st.upload_batches; });
  for (const UploadedProfile& p : batch) Record(ProfileUploaded{WallNanos(), p.id, names});
}

// A baseline that is not there is the normal case (kNotFound); any other
// failure is counted and said, and the service goes on without it.
void ContinuousProfilingService::LoadBaselines() {
  collecting_.reset();
  collected_ = 0;
  if (!baselines_) return;
  auto load = [this](Result<Profile> (BaselineStore::*get)() const,
                     std::string_view what) -> std::optional<Profile> {
    Result<Profile> p = ((*baselines_).*get)();
    if (p.ok()) return std::move(p).value();
    if (p.status().code() != StatusCode::kNotFound) {
      CountBaselineError(std::string("the ") + std::string(what) + " could not be loaded from " +
                             baselines_->description(),
                         p.status());
    }
    return std::nullopt;
  };
  if (!profiler_->baseline_profile()) {
    if (auto pinned = load(&BaselineStore::LoadPinned, "pinned baseline")) {
      profiler_->SetBaselineProfile(std::move(*pinned));
    }
  }
  std::optional<Profile> own = load(&BaselineStore::LoadVersionBaseline, "version's baseline");
  std::optional<Profile> previous;
  if (!own) previous = load(&BaselineStore::LoadPreviousVersionBaseline, "previous baseline");
  std::lock_guard<std::mutex> lock(mu_);
  version_baseline_ = std::move(own);
  previous_baseline_ = std::move(previous);
}

Status ContinuousProfilingService::PinBaseline(const Profile& baseline) {
  profiler_->SetBaselineProfile(baseline);
  if (!baselines_) return Status::Ok();
  return baselines_->SavePinned(baseline);
}

std::optional<Profile> ContinuousProfilingService::baseline() const {
  std::optional<Profile> pinned = profiler_ ? profiler_->baseline_profile() : std::nullopt;
  if (pinned) return pinned;
  std::lock_guard<std::mutex> lock(mu_);
  return version_baseline_ ? version_baseline_ : previous_baseline_;
}

// The counters that follow from events are updated with the event, under
// one lock, so that statistics and the event log never disagree.
// LogMessage rather than TAI_LOG: the level is known only at run time, and a
// CRITICAL alert is no reason to abort as TAI_LOG_FATAL does.
void ContinuousProfilingService::LogEvent(const ProfilingEvent& event) const {
  if (options_.logger == nullptr) return;
  const LogLevel level = EventLevel(event);
  if (!options_.logger->Enabled(level)) return;
  const std::string line = DescribeEvent(event);
  if (const auto* a = std::get_if<AlertTriggered>(&event)) {
    options_.logger->LogMessage(
        level, line,
        {{"alert_id", a->alert.alert_id}, {"function", a->alert.regressions.front().function}});
  } else if (const auto* r = std::get_if<AlertResolved>(&event)) {
    options_.logger->LogMessage(level, line,
                                {{"alert_id", r->alert_id}, {"function", r->function}});
  } else {
    options_.logger->LogMessage(level, line);
  }
}

void ContinuousProfilingService::Record(ProfilingEvent event) {
  LogEvent(event);
  {
    std::lock_guard<std::mutex> lock(mu_);
    ProfilingStatistics& st = stats_;
    std::visit(
        [&st](const auto& e) {
          using E = std::decay_t<decltype(e)>;
          if constexpr (std::is_same_v<E, ProfileStarted>) ++st.profiles_started;
          if constexpr (std::is_same_v<E, ProfileFinished>) {
            ++(e.kind == ProfileKind::kHeap ? st.heap_profiles_finished : st.profiles_finished);
          }
          if constexpr (std::is_same_v<E, RegressionDetected>) ++st.regressions_detected;
          if constexpr (std::is_same_v<E, ProfileUploaded>) ++st.profiles_uploaded;
          if constexpr (std::is_same_v<E, AlertResolved>) ++st.alerts_resolved;
          if constexpr (std::is_same_v<E, AlertTriggered>) {
            ++st.total_alerts;
            ++st.alerts_by_severity[static_cast<size_t>(e.alert.severity)];
          }
        },
        event);
    events_.push_back(std::move(event));
    while (events_.size() > options_.max_events) {
      events_.pop_front();
      ++stats_.events_dropped;
    }
  }
  changed_.notify_all();
}

template <typename F>
void ContinuousProfilingService::UpdateStats(F&& update) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    update(stats_);
  }
  changed_.notify_all();
}

ProfilingStatistics ContinuousProfilingService::GetStatistics() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

std::vector<ProfilingEvent> ContinuousProfilingService::Events() const {
  std::lock_guard<std::mutex> lock(mu_);
  return {events_.begin(), events_.end()};
}

bool ContinuousProfilingService::WaitFor(
    const std::function<bool(const ProfilingStatistics&)>& done,
    std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  return changed_.wait_for(lock, timeout, [&] { return done(stats_); });
}

}  // namespace tai
