// ProcessMetrics: the process's own saturation signals under the
// OpenTelemetry process metric names, read from getrusage and /proc at each
// collection (callback instruments: on the collecting thread, never on an
// application thread):
//
//   process.cpu.time                   counter, s   cpu_mode = user | system
//   process.cpu.utilization            gauge, 1     CPU time per wall second since the last read
//   process.memory.usage               gauge, By    resident set size
//   process.memory.virtual             gauge, By    virtual memory size
//   process.threads                    gauge
//   process.open_file_descriptors      gauge
//   process.paging.faults              counter      system_paging_type = major | minor
//   process.context_switches           counter      process_context_switch_type =
//                                                   voluntary | involuntary
//   process.uptime                     gauge, s
//   tai_library_cpu_time               counter, s   CPU of the library's own threads
//                                                   (named tai-*): its cost, measured
//
// The thread and descriptor counts keep the conventions' earlier names
// (process.threads, process.open_file_descriptors): the current ones end in
// ".count", which Prometheus reserves for histograms and summaries.
//
// A source the system does not offer (no /proc) leaves its metric out of the
// collection rather than reporting zero.
//
//   auto process = tai::ProcessMetrics::Register(registry);  // Result<unique_ptr>
//
// Owned by whoever registers it; it must outlive the registry's collections
// and removes its callbacks when destroyed. Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "tai/core/status.h"
#include "tai/metrics/metric_registry.h"

namespace tai {

// One reading of the process's counters; values the system could not give
// are empty.
struct ProcessSnapshot {
  double user_cpu_seconds = 0;
  double system_cpu_seconds = 0;
  int64_t minor_faults = 0;
  int64_t major_faults = 0;
  int64_t voluntary_switches = 0;
  int64_t involuntary_switches = 0;
  std::optional<int64_t> resident_bytes;
  std::optional<int64_t> virtual_bytes;
  std::optional<int64_t> threads;
  std::optional<int64_t> open_fds;
  std::optional<double> uptime_seconds;
  // User and system CPU, in clock ticks, of each live thread named "tai-..."
  // (the library's), by thread id.
  std::map<int, int64_t> library_thread_ticks;

  // Reads this process's figures now.
  static ProcessSnapshot Read();
  // The CPU of the library threads alive at the reading, in seconds.
  double LiveLibraryCpuSeconds() const;
  // The CPU the library threads alive now used since `earlier`, in seconds
  // (a thread started in between counts whole; one that ended is missed).
  double LibraryCpuSecondsSince(const ProcessSnapshot& earlier) const;
};

class ProcessMetrics {
 public:
  static Result<std::unique_ptr<ProcessMetrics>> Register(MetricRegistry& registry);
  ~ProcessMetrics();
  ProcessMetrics(const ProcessMetrics&) = delete;
  ProcessMetrics& operator=(const ProcessMetrics&) = delete;

 private:
  explicit ProcessMetrics(MetricRegistry& registry) : registry_(registry) {}
  // The reading shared by the callbacks of one collection: process.cpu.time's
  // callback, the first, takes it (Refresh); the others use it (Current).
  const ProcessSnapshot& Refresh();
  const ProcessSnapshot& Current();
  double Utilization(const ProcessSnapshot& now);
  // The library threads' CPU so far, finished threads included: a counter
  // must not fall when a thread ends and leaves /proc.
  double LibraryCpuSeconds(const ProcessSnapshot& now);

  MetricRegistry& registry_;
  std::vector<uint64_t> callbacks_;
  std::mutex mu_;
  ProcessSnapshot current_;
  bool read_ = false;
  double last_cpu_seconds_ = -1;
  int64_t last_cpu_read_nanos_ = 0;
  std::map<int, int64_t> library_ticks_seen_;
  int64_t library_ticks_retired_ = 0;
};

}  // namespace tai
