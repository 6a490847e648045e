#include "tai/metrics/process_metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "core/thread_name.h"
#include "tai/core/clock.h"

namespace tai {
namespace {

double Seconds(const timeval& t) {
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
}

double TicksToSeconds(int64_t ticks) {
  const long per_second = ::sysconf(_SC_CLK_TCK);
  return per_second > 0 ? static_cast<double>(ticks) / static_cast<double>(per_second) : 0;
}

std::optional<double> AsDouble(std::optional<int64_t> v) {
  if (!v) return std::nullopt;
  return static_cast<double>(*v);
}

std::optional<std::string> ReadProcFile(const char* path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// /proc/self/statm: sizes in pages; the first is virtual, the second resident.
void ReadStatm(ProcessSnapshot* s) {
  auto text = ReadProcFile("/proc/self/statm");
  if (!text) return;
  std::istringstream in(*text);
  int64_t size = 0, resident = 0;
  if (!(in >> size >> resident)) return;
  const int64_t page = ::sysconf(_SC_PAGESIZE);
  s->virtual_bytes = size * page;
  s->resident_bytes = resident * page;
}

// /proc/self/stat: the fields after the command name, which is in
// parentheses and may hold spaces; field 20 is the thread count, 22 the
// start time in clock ticks after boot.
void ReadStat(ProcessSnapshot* s) {
  auto stat = ReadProcFile("/proc/self/stat");
  auto uptime = ReadProcFile("/proc/uptime");
  if (!stat) return;
  const size_t close = stat->rfind(')');
  if (close == std::string::npos) return;
  std::istringstream in(stat->substr(close + 1));
  std::string field;
  int64_t threads = -1, start_ticks = -1;
  for (int n = 3; n <= 22 && in >> field; ++n) {
    if (n == 20) threads = std::strtoll(field.c_str(), nullptr, 10);
    if (n == 22) start_ticks = std::strtoll(field.c_str(), nullptr, 10);
  }
  if (threads > 0) s->threads = threads;
  const long ticks_per_second = ::sysconf(_SC_CLK_TCK);
  if (uptime && start_ticks >= 0 && ticks_per_second > 0) {
    const double since_boot = std::strtod(uptime->c_str(), nullptr);
    s->uptime_seconds =
        since_boot - static_cast<double>(start_ticks) / static_cast<double>(ticks_per_second);
  }
}

// /proc/self/task/<tid>/stat of each thread: its name (field 2, in
// parentheses) and its user and system CPU in clock ticks (fields 14, 15).
void ReadLibraryCpu(ProcessSnapshot* s) {
  DIR* dir = ::opendir("/proc/self/task");
  if (dir == nullptr) return;
  while (const dirent* e = ::readdir(dir)) {
    if (e->d_name[0] == '.') continue;
    const std::string path = std::string("/proc/self/task/") + e->d_name + "/stat";
    auto stat = ReadProcFile(path.c_str());
    if (!stat) continue;  // the thread ended meanwhile
    const size_t open = stat->find('('), close = stat->rfind(')');
    if (open == std::string::npos || close == std::string::npos) continue;
    if (std::string_view(*stat)
            .substr(open + 1, close - open - 1)
            .rfind(internal::kLibraryThreadPrefix, 0) != 0) {
      continue;
    }
    std::istringstream in(stat->substr(close + 1));
    std::string field;
    int64_t ticks = 0;
    for (int n = 3; n <= 15 && in >> field; ++n) {
      if (n >= 14) ticks += std::strtoll(field.c_str(), nullptr, 10);
    }
    s->library_thread_ticks[std::atoi(e->d_name)] = ticks;
  }
  ::closedir(dir);
}

void CountOpenFds(ProcessSnapshot* s) {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return;
  int64_t count = 0;
  while (const dirent* e = ::readdir(dir)) {
    if (e->d_name[0] != '.') ++count;
  }
  ::closedir(dir);
  s->open_fds = count - 1;  // the directory's own descriptor
}

}  // namespace

double ProcessSnapshot::LiveLibraryCpuSeconds() const {
  int64_t ticks = 0;
  for (const auto& [tid, t] : library_thread_ticks) ticks += t;
  return TicksToSeconds(ticks);
}

double ProcessSnapshot::LibraryCpuSecondsSince(const ProcessSnapshot& earlier) const {
  int64_t ticks = 0;
  for (const auto& [tid, t] : library_thread_ticks) {
    auto before = earlier.library_thread_ticks.find(tid);
    ticks += t - (before == earlier.library_thread_ticks.end() ? 0 : before->second);
  }
  return TicksToSeconds(ticks);
}

ProcessSnapshot ProcessSnapshot::Read() {
  ProcessSnapshot s;
  rusage usage{};
  if (::getrusage(RUSAGE_SELF, &usage) == 0) {
    s.user_cpu_seconds = Seconds(usage.ru_utime);
    s.system_cpu_seconds = Seconds(usage.ru_stime);
    s.minor_faults = usage.ru_minflt;
    s.major_faults = usage.ru_majflt;
    s.voluntary_switches = usage.ru_nvcsw;
    s.involuntary_switches = usage.ru_nivcsw;
  }
  ReadStatm(&s);
  ReadStat(&s);
  CountOpenFds(&s);
  ReadLibraryCpu(&s);
  return s;
}

const ProcessSnapshot& ProcessMetrics::Refresh() {
  current_ = ProcessSnapshot::Read();
  read_ = true;
  return current_;
}

const ProcessSnapshot& ProcessMetrics::Current() { return read_ ? current_ : Refresh(); }

double ProcessMetrics::Utilization(const ProcessSnapshot& s) {
  const double cpu = s.user_cpu_seconds + s.system_cpu_seconds;
  const int64_t now = MonotonicNanos();
  double share = 0;
  if (last_cpu_seconds_ >= 0 && now > last_cpu_read_nanos_) {
    share = (cpu - last_cpu_seconds_) / (static_cast<double>(now - last_cpu_read_nanos_) / 1e9);
  }
  last_cpu_seconds_ = cpu;
  last_cpu_read_nanos_ = now;
  return share;
}

double ProcessMetrics::LibraryCpuSeconds(const ProcessSnapshot& s) {
  for (const auto& [tid, ticks] : library_ticks_seen_) {
    if (!s.library_thread_ticks.count(tid)) library_ticks_retired_ += ticks;
  }
  library_ticks_seen_ = s.library_thread_ticks;
  return TicksToSeconds(library_ticks_retired_) + s.LiveLibraryCpuSeconds();
}

Result<std::unique_ptr<ProcessMetrics>> ProcessMetrics::Register(MetricRegistry& registry) {
  std::unique_ptr<ProcessMetrics> p(new ProcessMetrics(registry));
  ProcessMetrics* self = p.get();
  // Each callback reads the shared snapshot under the lock: collections of
  // one registry do not overlap, but the lock keeps that an assumption
  // nobody has to check.
  auto gauge = [&](const char* type, MetricUnit unit, const char* description, auto read,
                   std::vector<LabelDescriptor> labels = {}) -> Status {
    TAI_ASSIGN_OR_RETURN(uint64_t id,
                         registry.CreateCallbackGauge({.metric_type = type,
                                                       .unit = std::move(unit),
                                                       .description = description,
                                                       .labels = std::move(labels)},
                                                      [self, read](Observer& o) {
                                                        std::lock_guard<std::mutex> lock(self->mu_);
                                                        read(self, self->Current(), o);
                                                      }));
    self->callbacks_.push_back(id);
    return Status::Ok();
  };
  auto counter = [&](const char* type, MetricUnit unit, const char* description, auto read,
                     std::vector<LabelDescriptor> labels) -> Status {
    TAI_ASSIGN_OR_RETURN(
        uint64_t id, registry.CreateCallbackCounter({.metric_type = type,
                                                     .unit = std::move(unit),
                                                     .description = description,
                                                     .labels = std::move(labels)},
                                                    [self, read](Observer& o) {
                                                      std::lock_guard<std::mutex> lock(self->mu_);
                                                      read(self->Current(), o);
                                                    }));
    self->callbacks_.push_back(id);
    return Status::Ok();
  };
  // Registered first, so its callback runs first in every collection (the
  // registry collects in registration order): it takes the reading the
  // others share.
  TAI_ASSIGN_OR_RETURN(
      uint64_t cpu_id,
      registry.CreateCallbackCounter({.metric_type = "process.cpu.time",
                                      .unit = MetricUnit::kSeconds,
                                      .description = "CPU time of the process, user and system",
                                      .labels = {{"cpu_mode", "", "string"}}},
                                     [self](Observer& o) {
                                       std::lock_guard<std::mutex> lock(self->mu_);
                                       const ProcessSnapshot& s = self->Refresh();
                                       o.Observe(s.user_cpu_seconds, {{"cpu_mode", "user"}});
                                       o.Observe(s.system_cpu_seconds, {{"cpu_mode", "system"}});
                                     }));
  p->callbacks_.push_back(cpu_id);
  TAI_RETURN_IF_ERROR(gauge("process.cpu.utilization", MetricUnit::kDimensionless,
                            "CPU time per wall second since the last collection (1 = one core)",
                            [](ProcessMetrics* m, const ProcessSnapshot& s, Observer& o) {
                              o.Observe(m->Utilization(s));
                            }));
  // The library's CPU remembers the threads that ended (LibraryCpuSeconds).
  TAI_ASSIGN_OR_RETURN(
      uint64_t library_id,
      registry.CreateCallbackCounter(
          {.metric_type = "tai_library_cpu_time",
           .unit = MetricUnit::kSeconds,
           .description = "CPU of the library's own threads (collector, exporters, store, "
                          "profiler...)"},
          [self](Observer& o) {
            std::lock_guard<std::mutex> lock(self->mu_);
            o.Observe(self->LibraryCpuSeconds(self->Current()));
          }));
  p->callbacks_.push_back(library_id);
  // The figures /proc may not give: left out of the collection when absent.
  struct OptionalGauge {
    const char* type;
    MetricUnit unit;
    const char* description;
    std::optional<double> (*read)(const ProcessSnapshot&);
  };
  const OptionalGauge optional_gauges[] = {
      {"process.memory.usage", MetricUnit::kBytes, "Resident memory of the process",
       [](const ProcessSnapshot& s) { return AsDouble(s.resident_bytes); }},
      {"process.memory.virtual", MetricUnit::kBytes, "Virtual memory of the process",
       [](const ProcessSnapshot& s) { return AsDouble(s.virtual_bytes); }},
      {"process.threads", MetricUnit("{thread}"), "Threads of the process",
       [](const ProcessSnapshot& s) { return AsDouble(s.threads); }},
      {"process.open_file_descriptors", MetricUnit("{file_descriptor}"),
       "Open file descriptors of the process",
       [](const ProcessSnapshot& s) { return AsDouble(s.open_fds); }},
      {"process.uptime", MetricUnit::kSeconds, "Time since the process started",
       [](const ProcessSnapshot& s) { return s.uptime_seconds; }},
  };
  for (const OptionalGauge& g : optional_gauges) {
    TAI_RETURN_IF_ERROR(
        gauge(g.type, g.unit, g.description,
              [read = g.read](ProcessMetrics*, const ProcessSnapshot& s, Observer& o) {
                if (auto v = read(s)) o.Observe(*v);
              }));
  }
  TAI_RETURN_IF_ERROR(counter("process.paging.faults", MetricUnit("{fault}"),
                              "Page faults of the process",
                              [](const ProcessSnapshot& s, Observer& o) {
                                o.Observe(s.major_faults, {{"system_paging_type", "major"}});
                                o.Observe(s.minor_faults, {{"system_paging_type", "minor"}});
                              },
                              {{"system_paging_type", "", "string"}}));
  TAI_RETURN_IF_ERROR(counter(
      "process.context_switches", MetricUnit("{context_switch}"), "Context switches of the process",
      [](const ProcessSnapshot& s, Observer& o) {
        o.Observe(s.voluntary_switches, {{"process_context_switch_type", "voluntary"}});
        o.Observe(s.involuntary_switches, {{"process_context_switch_type", "involuntary"}});
      },
      {{"process_context_switch_type", "", "string"}}));
  return p;
}

ProcessMetrics::~ProcessMetrics() {
  for (uint64_t id : callbacks_) registry_.RemoveCallback(id);
}

}  // namespace tai
