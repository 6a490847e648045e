// ContinuousProfilingService: the original design's always-on profiler. In
// the background it profiles the process for a window at the start of every
// `collect_interval` (the whole interval by default: back-to-back windows);
// at the end of each window it finishes the profile,
// compares it with the baseline (tai::CompareProfiles), raises an alert when
// something got slower, and queues the profile; every `upload_interval` it
// hands the queued profiles in one batch to each ProfileSink. Stop()
// finishes the window in progress and uploads everything still queued (that
// last, shortened window is not compared: it would not be like the others).
//
//   auto profiler = std::make_shared<tai::ProfileRecorder>(100);
//   tai::ContinuousProfilingService service(profiler, 60, 300, 10.0);
//   service.AddSink(*tai::DirectoryProfileSink::Create({.directory = "profiles"}));
//   TAI_RETURN_IF_ERROR(service.Start());
//   ... service.GetStatistics().profiles_finished ... service.Events() ...
//   service.Stop();
//
// The profiler is a tai::ProfileRecorder, or the original design's
// tai::gcp::CloudProfiler (which is one), shared with the caller.
//
// Baselines, by default, so that the design's 4-argument constructor
// compares from the first windows on. The window is compared with, first
// found:
//   1. the pinned baseline: the profiler's (ProfileRecorder::
//      SetBaselineProfile), set by PinBaseline (which also saves it) or
//      loaded from the baseline store at Start;
//   2. this version's own baseline (Resource::service_version): loaded from
//      the store at Start (a restart of the same version), or made in this
//      run: the first `baseline_windows` (3) full windows after Start whose
//      comparison found no regression (any full window while there is
//      nothing to compare with), merged into one profile and saved in the
//      store, pinned;
//   3. the previous version's: the newest own baseline of another version
//      of the service in the store, until this version's own is made.
// A fresh service with no baseline anywhere compares from its
// (baseline_windows + 1)th window. Because a window that regresses does
// not count towards the version's baseline, a version that made things
// slower keeps comparing with the previous version's (and keeps its alert)
// until the regression is gone or a new baseline is pinned. Where the
// baselines are kept: options.baselines; else a directory
// (options.baseline_directory); else the profiler's (gcp::CloudProfiler:
// the embedded store of the process's design pipeline); else memory only,
// where a restart makes them again. Observability::ProfilingOptions() sets
// the embedded store.
//
// One alert per regression while it lasts: the service keeps the active
// regressions by (function, profile kind) and raises AlertTriggered only
// for those that start, or rise to a higher severity band, in a window;
// the first compared window that no longer shows one records AlertResolved
// for it. Windows that are not compared (no baseline yet, a failed or
// skipped window, the one cut short by Stop) change nothing. Alerts go to
// the logger (WARN for LOW and MEDIUM, ERROR for HIGH, FATAL's level for
// CRITICAL; a resolution at INFO) and to the on_alert callback; every
// comparison (with its regressions, maybe none) goes to on_comparison,
// which feeds the alert engine (which keeps one alert per regression the
// same way) and the store's comparison history.
//
// Heap profiling (options.heap): Start also starts the process's heap
// profiler (tai::HeapProfiler) and fails, naming why, when it cannot: the
// program does not link tai::heap_hooks (sanitizer builds cannot), or a heap
// profile already runs. Failing rather than running CPU-only keeps a
// program from believing it has heap profiles it does not get; a caller
// that wants "heap when possible" checks HeapProfiler::HooksLinked() first,
// as `taiobs demo` does. At the end of every window (whether or not its CPU
// profile could run) the service takes a heap snapshot and queues it as a
// ProfileKind::kHeap profile with its own id ("heap-000001") next to the
// CPU one; Stop takes the last snapshot and stops the heap profiler. A
// snapshot's time and duration are the period since the previous snapshot
// (or Start), so snapshots line up with the CPU windows; its in-use space
// (the default sample type) is as of the snapshot, and, as in Go's heap
// profiles, its alloc columns count everything since Start. Heap profiles are not compared with the
// (CPU) baseline and raise no alerts. Their windows make a ProfileFinished event with kind kHeap
// and no ProfileStarted (the heap profiler runs from Start to Stop), and count in
// heap_profiles_finished, not profiles_finished.
//
// Events are kept in a bounded log (the oldest dropped and counted), the
// upload queue is bounded too (the oldest profile dropped and counted). The
// profiler's windows are shared starts (ProfileRecorder): with the Cloud
// Profiler agent sampling at the same rate and clock, both get their
// profiles from one sampling session. While a CPU profile runs that cannot
// be shared (an unshared CpuProfiler, another rate or clock) a window is
// skipped and counted in profile_errors, never a crash.
//
// The service owns its thread; it shares the profiler and the sinks.
// Thread-safe.
#pragma once

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <variant>
#include <vector>

#include "tai/analysis/regression.h"
#include "tai/core/resource.h"
#include "tai/core/status.h"
#include "tai/log/log.h"
#include "tai/profile/baseline_store.h"
#include "tai/profile/heap_profiler.h"
#include "tai/profile/profile_recorder.h"
#include "tai/profile/profile_sink.h"

namespace tai {
namespace internal {
class RegressionEpisodes;
}  // namespace internal

// The events, in the order the service makes them for one window:
// ProfileStarted, ProfileFinished, then RegressionDetected for each
// regression, one AlertTriggered when a regression started (or rose to a
// higher band) in this window, one AlertResolved for each regression that
// this window no longer shows, and ProfileUploaded when its batch is
// delivered. Timestamps are ns since the Unix epoch.
struct ProfileStarted {
  int64_t timestamp = 0;
  std::string profile_id;
};
// A CPU window or a heap snapshot (kind kHeap: `samples` counts the sampled
// stacks, `inuse_bytes` the estimated bytes in use, cpu_micros is 0).
struct ProfileFinished {
  int64_t timestamp = 0;
  std::string profile_id;
  int64_t samples = 0;
  int64_t cpu_micros = 0;
  ProfileKind kind = ProfileKind::kCpu;
  int64_t inuse_bytes = 0;
};
struct RegressionDetected {
  int64_t timestamp = 0;
  std::string profile_id;
  Regression regression;
  double threshold_percent = 0;
};
// An alert for the regressions that started (or rose to a higher band) in
// the window `profile_id`: alert.regressions holds only those; the ones
// still active from earlier windows were alerted then.
struct AlertTriggered {
  int64_t timestamp = 0;
  std::string profile_id;
  RegressionAlert alert;
};
// A regression that earlier windows showed and the window `profile_id`,
// compared with the baseline, no longer shows: its alert is over.
struct AlertResolved {
  int64_t timestamp = 0;
  std::string profile_id;  // the first window without it
  std::string function;
  ProfileKind kind = ProfileKind::kCpu;
  std::string alert_id;                           // the AlertTriggered that last raised it
  AlertSeverity severity = AlertSeverity::kNone;  // the highest band it reached
  int64_t since = 0;    // when it started (its first AlertTriggered's timestamp)
  int64_t windows = 0;  // the compared windows that showed it
};
struct ProfileUploaded {
  int64_t timestamp = 0;
  std::string profile_id;
  std::vector<std::string> sinks;  // names of the sinks that took it
};
using ProfilingEvent = std::variant<ProfileStarted, ProfileFinished, RegressionDetected,
                                    AlertTriggered, ProfileUploaded, AlertResolved>;

// "ProfileStarted", "ProfileFinished", ...
std::string_view EventName(const ProfilingEvent& event);
// The level the service logs an event at: DEBUG for the routine ones,
// WARN for a regression, WARN/ERROR/FATAL (CRITICAL) for an alert by
// severity, INFO for the end of one.
LogLevel EventLevel(const ProfilingEvent& event);
// The original design's log lines: "ProfileFinished: cpu-000001 finished
// (1000 samples, 342ms CPU time)", "AlertTriggered: MEDIUM severity alert
// (2 regressions)"...
std::string DescribeEvent(const ProfilingEvent& event);

struct ProfilingStatistics {
  uint64_t profiles_started = 0;        // CPU windows
  uint64_t profiles_finished = 0;       // CPU windows
  uint64_t heap_profiles_finished = 0;  // heap snapshots (options.heap)
  uint64_t profiles_uploaded = 0;       // of either kind
  uint64_t upload_batches = 0;          // batches every sink took
  uint64_t upload_failures = 0;         // batches some sink refused (kept and offered again)
  uint64_t profiles_dropped = 0;        // pushed out of a full upload queue
  uint64_t profile_errors = 0;  // windows that could not start or finish, failed heap snapshots
  uint64_t comparisons = 0;
  uint64_t regressions_detected = 0;
  uint64_t total_alerts = 0;                     // AlertTriggered events
  std::array<uint64_t, 5> alerts_by_severity{};  // indexed by AlertSeverity
  uint64_t alerts_resolved = 0;                  // AlertResolved events
  uint64_t active_regressions = 0;  // alerted and not resolved yet, by (function, kind)
  uint64_t events_dropped = 0;
  uint64_t baseline_errors = 0;  // saving or loading a baseline failed
  // The profiler's measured overhead (CPU per wall second) of the last
  // full window, and the highest seen (a window cut short by Stop is left out).
  double last_overhead = 0;
  double max_overhead = 0;
  uint64_t alerts(AlertSeverity s) const { return alerts_by_severity[static_cast<size_t>(s)]; }
};

// One comparison of a finished window with the baseline, for
// ContinuousProfilingOptions::on_comparison.
struct ComparisonOutcome {
  ProfileKind kind = ProfileKind::kCpu;
  std::string profile_id;           // the compared window ("cpu-000042")
  int64_t time_nanos = 0;           // when it was compared
  int64_t baseline_time_nanos = 0;  // the baseline profile's time
  ProfileComparison comparison;     // regressions (often none), improvements, totals
};

struct ContinuousProfilingOptions {
  std::chrono::seconds collect_interval{60};
  std::chrono::seconds upload_interval{300};
  // How long each interval is profiled, from its start; 0 profiles the whole
  // interval (back-to-back windows). E.g. 10 s every 60 s, as Cloud
  // Profiler's agents do, for a sixth of the profiling cost.
  std::chrono::milliseconds window{0};
  // Threshold, confidence, normalisation of the comparison; the threshold is
  // the constructor's regression_threshold_pct.
  ComparisonOptions comparison;
  // The work the process has done so far (requests served: the HTTP
  // middleware's request counter, or any counter the service names), read
  // on the service thread at each CPU window's start and end. The window's
  // profile carries the difference (SetProfileWork), so that
  // comparison.normalization = kPerWork compares CPU per unit of work and
  // a change of traffic is not read as a regression. Unset, or no work in
  // a window: kPerWork compares shares.
  std::function<double()> work_counter;
  // Names the profiles' service and version: baselines and sinks use it.
  Resource resource;
  // Where baselines are kept across restarts (see the top of this file);
  // null: a directory when baseline_directory is set, else the profiler's
  // ProfileRecorder::baseline_store() (gcp::CloudProfiler: the embedded
  // store), else memory only.
  std::shared_ptr<BaselineStore> baselines;
  std::string baseline_directory;
  // How many full windows without a regression make a version's own
  // baseline (at least 1).
  int baseline_windows = 3;
  // Heap snapshots at the end of every window too (see the top of this
  // file); Start fails when the heap profiler cannot start. Default off.
  bool heap = false;
  // The heap profiler's sampling (512 KiB between samples on average).
  HeapProfileOptions heap_options;
  size_t max_events = 1000;
  size_t max_queued_profiles = 100;
  Logger* logger = nullptr;  // must outlive the service
  std::function<void(const RegressionAlert&)> on_alert;
  // Called from the service thread after every comparison with the
  // baseline, regressions found or not (none is how an alert learns it is
  // over). The analysis module sits below the alert module and beside the
  // store, so whoever owns them (the application, Observability) connects
  // them:
  //   o.on_comparison = [&engine](const tai::ComparisonOutcome& c) {
  //     engine.ReportRegressions(c.kind, c.comparison.regressions, c.time_nanos);
  //   };
  // Must not block for long: the next window waits.
  std::function<void(const ComparisonOutcome& outcome)> on_comparison;
};

class ContinuousProfilingService {
 public:
  ContinuousProfilingService(std::shared_ptr<ProfileRecorder> profiler,
                             int64_t collect_interval_s = 60, int64_t upload_interval_s = 300,
                             double regression_threshold_pct = 10.0);
  ContinuousProfilingService(std::shared_ptr<ProfileRecorder> profiler,
                             ContinuousProfilingOptions options);
  // Stops (with Stop's default deadline) if running.
  ~ContinuousProfilingService();
  ContinuousProfilingService(const ContinuousProfilingService&) = delete;
  ContinuousProfilingService& operator=(const ContinuousProfilingService&) = delete;

  // Before Start.
  void AddSink(std::shared_ptr<ProfileSink> sink);
  // Loads the baselines, starts the heap profiler (options.heap) and the
  // background thread. Fails for bad options, no profiler, when already
  // running, or when the heap profiler cannot start (kFailedPrecondition
  // without tai::heap_hooks, kAlreadyExists when a heap profile runs).
  Status Start();
  // Finishes the window in progress, takes the last heap snapshot and stops
  // the heap profiler (options.heap), and uploads every queued
  // profile (sinks get what is left of `deadline` to flush), then joins the
  // thread. Idempotent. A sink's Export that blocks delays Stop: sinks bound
  // their own network calls.
  Status Stop(std::chrono::milliseconds deadline = std::chrono::seconds(10));
  bool running() const;

  // Pins a baseline: set on the profiler and saved in the baseline store
  // (pinned for the service: every version and restart uses it). With the
  // embedded store it waits for the store to commit it (at most 10 s).
  Status PinBaseline(const Profile& baseline);
  // The baseline the next window is compared with, if any.
  std::optional<Profile> baseline() const;

  ProfilingStatistics GetStatistics() const;
  // The event log, oldest first.
  std::vector<ProfilingEvent> Events() const;
  // Waits until `done(statistics)` holds or `timeout` passes; true when it held.
  bool WaitFor(const std::function<bool(const ProfilingStatistics&)>& done,
               std::chrono::milliseconds timeout) const;

 private:
  using Clock = std::chrono::steady_clock;
  void Run();
  std::chrono::nanoseconds WindowLength() const;
  void FlushSinks();
  void StartWindow();
  void FinishWindow(bool compare);
  void FinishCpuWindow(bool compare);
  void SnapshotHeap(bool last);
  void Enqueue(std::string id, ProfileKind kind, Profile profile);
  void CountProfileError(std::string_view what, const Status& status);
  // True when the window may go into the version's baseline: nothing to
  // compare with, or compared and no regression found.
  bool Compare(const std::string& id, const Profile& profile);
  void AddToVersionBaseline(const std::string& id, const Profile& profile);
  void CountBaselineError(std::string_view what, const Status& status);
  void RaiseAlert(const std::string& id, const RegressionAlert& alert);
  void Upload();
  void LoadBaselines();
  void LogEvent(const ProfilingEvent& event) const;
  void Record(ProfilingEvent event);
  template <typename F>
  void UpdateStats(F&& update);

  const std::shared_ptr<ProfileRecorder> profiler_;
  ContinuousProfilingOptions options_;
  std::shared_ptr<BaselineStore> baselines_;
  std::vector<std::shared_ptr<ProfileSink>> sinks_;

  mutable std::mutex mu_;
  mutable std::condition_variable changed_;  // stats or stop_ changed
  bool stop_ = false;
  bool running_ = false;
  Clock::time_point stop_by_;
  ProfilingStatistics stats_;
  std::deque<ProfilingEvent> events_;
  std::optional<Profile> version_baseline_;   // this version's own, loaded or made
  std::optional<Profile> previous_baseline_;  // the previous version's
  std::thread thread_;

  // Only the service thread touches these.
  std::unique_ptr<internal::RegressionEpisodes> episodes_;
  std::optional<Profile> collecting_;  // stable windows merged towards the version's baseline
  int collected_ = 0;
  std::string collecting_from_;  // the first of them
  std::deque<UploadedProfile> queue_;
  bool in_window_ = false;
  std::string window_id_;         // the CPU profile's; "" when none runs
  double window_work_start_ = 0;  // work_counter() when the window started
  uint64_t next_id_ = 1;
  uint64_t next_heap_id_ = 1;
  int64_t heap_since_ = 0;  // wall ns of the previous heap snapshot, or of Start
};

}  // namespace tai
