#include "tai/profile/thread_profile.h"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "profile/profile_builder.h"
#include "profile/stack_dump.h"
#include "profile/symbolizer.h"
#include "tai/core/clock.h"

namespace tai {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

const char* StateName(char state) {
  switch (state) {
    case 'R':
      return "running";
    case 'S':
      return "sleeping";
    case 'D':
      return "disk-wait";
    case 'T':
      return "stopped";
    case 't':
      return "tracing-stop";
    case 'Z':
      return "zombie";
    case 'X':
      return "dead";
    case 'I':
      return "idle";
    default:
      return "unknown";
  }
}

// Fills state and CPU time from /proc/self/task/<tid>/stat (and the more
// precise schedstat when the kernel has it). False when the thread is gone.
bool ReadTaskStat(ThreadInfo* t) {
  std::string dir = "/proc/self/task/" + std::to_string(t->tid);
  std::string stat = ReadFile(dir + "/stat");
  size_t close = stat.rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream rest(stat.substr(close + 1));
  std::vector<std::string> fields;
  for (std::string f; rest >> f;) fields.push_back(f);
  if (fields.size() < 13) return false;
  t->state = fields[0][0];
  t->state_name = StateName(t->state);
  long ticks = sysconf(_SC_CLK_TCK);
  int64_t jiffies = std::stoll(fields[11]) + std::stoll(fields[12]);
  t->cpu_nanos = ticks > 0 ? jiffies * (1'000'000'000 / ticks) : 0;
  std::istringstream sched(ReadFile(dir + "/schedstat"));
  long long on_cpu_ns = 0;
  if (sched >> on_cpu_ns && on_cpu_ns > 0) t->cpu_nanos = on_cpu_ns;
  std::string name = ReadFile(dir + "/comm");
  while (!name.empty() && name.back() == '\n') name.pop_back();
  t->name = name;
  return true;
}

}  // namespace

std::string ThreadProfile::ToString() const {
  std::string out = std::to_string(threads.size()) + " threads\n";
  for (const ThreadInfo& t : threads) {
    char line[160];
    std::snprintf(line, sizeof line, "thread %d \"%s\" %s cpu=%.3fs\n", t.tid, t.name.c_str(),
                  t.state_name.c_str(), static_cast<double>(t.cpu_nanos) / 1e9);
    out += line;
    for (const std::string& f : t.stack) out += "    " + f + "\n";
  }
  return out;
}

Result<ThreadProfile> CaptureThreadProfile(const ThreadProfileOptions& options) {
  ThreadProfile profile;
  profile.time_nanos = WallNanos();
  DIR* d = opendir("/proc/self/task");
  if (d == nullptr) return UnavailableError("cannot list /proc/self/task");
  std::vector<pid_t> tids;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] >= '0' && e->d_name[0] <= '9') tids.push_back(std::atoi(e->d_name));
  }
  closedir(d);
  std::sort(tids.begin(), tids.end());
  internal::Symbolizer symbolizer;
  for (pid_t tid : tids) {
    ThreadInfo t;
    t.tid = tid;
    if (!ReadTaskStat(&t)) continue;  // exited meanwhile
    internal::RawStack raw;
    if (options.stacks &&
        internal::DumpThreadStack(tid, options.per_thread_timeout, options.max_frames, &raw)) {
      t.has_stack = true;
      std::vector<uint64_t>& frames = raw.frames;
      if (!frames.empty() && internal::LeafCallerMissing(symbolizer, frames[0], raw.sp_word)) {
        frames.insert(frames.begin() + 1, raw.sp_word - 1);
      }
      for (uint64_t pc : frames) {
        const internal::Symbolized& s = symbolizer.Resolve(pc);
        if (!s.name.empty()) {
          t.stack.push_back(s.name);
        } else {
          char hex[32];
          std::snprintf(hex, sizeof hex, "0x%llx", static_cast<unsigned long long>(pc));
          t.stack.push_back(hex);
        }
      }
    }
    profile.threads.push_back(std::move(t));
  }
  return profile;
}

Profile ThreadProfileToPprof(const ThreadProfile& snapshot) {
  internal::ProfileBuilder builder;
  Profile& p = builder.profile();
  p.sample_types = {{"threads", "count"}};
  p.period_type = {"threads", "count"};
  p.period = 1;
  p.time_nanos = snapshot.time_nanos;
  for (const ThreadInfo& t : snapshot.threads) {
    ProfileSample s;
    s.values = {1};
    s.labels = {{.key = "thread", .str = t.name}, {.key = "state", .str = t.state_name}};
    if (t.stack.empty()) s.location_ids.push_back(builder.LocationNamed("[no stack]"));
    for (const std::string& frame : t.stack) s.location_ids.push_back(builder.LocationNamed(frame));
    p.samples.push_back(std::move(s));
  }
  return builder.Take();
}

}  // namespace tai
