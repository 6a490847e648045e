// The CPU profiler: per-thread POSIX timers delivering SIGPROF to their own
// thread, a handler that walks frame pointers into a SampleBuffer, and a
// background thread that finds new threads, drains and symbolizes.
//
// Finding threads: a scan of /proc/self/task every scan_interval. It sees
// every thread of the process whoever made it (std::thread, raw clone,
// libraries' pools) without interposing pthread_create; a thread that lives
// shorter than one interval is not sampled. Each tid's CPU clock is the
// kernel's per-thread clock id, ((~tid) << 3) | 6 (what pthread_getcpuclockid
// computes for a pthread_t, computed here from the tid we have).
#include "tai/profile/cpu_profiler.h"

#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/thread_name.h"
#include "profile/handler_state.h"
#include "profile/profile_builder.h"
#include "profile/sample_buffer.h"
#include "profile/stack_dump.h"
#include "profile/stack_walk.h"
#include "profile/symbolizer.h"
#include "tai/core/clock.h"

namespace tai {
namespace {

using internal::SampleBuffer;
using internal::SampleHeader;

pid_t GetTid() { return static_cast<pid_t>(syscall(SYS_gettid)); }

clockid_t ThreadCpuClock(pid_t tid) {
  // Linux's encoding of a per-thread CPU clock: CPUCLOCK_PERTHREAD (4) |
  // CPUCLOCK_SCHED (2), the tid complemented in the upper bits.
  return static_cast<clockid_t>((~static_cast<unsigned>(tid) << 3) | 6u);
}

int64_t ThreadCpuNanos() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

int64_t MonotonicNanosSignalSafe() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// ---- labels ----

using LabelSet = std::vector<std::pair<std::string, std::string>>;

class LabelRegistry {
 public:
  static LabelRegistry& Get() {
    static auto* r = new LabelRegistry();  // never destroyed: threads may outlive statics
    return *r;
  }
  uint32_t Intern(uint32_t base,
                  std::initializer_list<std::pair<std::string_view, std::string_view>> add) {
    std::lock_guard<std::mutex> lock(mu_);
    LabelSet set = base < sets_.size() ? sets_[base] : LabelSet{};
    for (const auto& [k, v] : add) {
      auto it = std::find_if(set.begin(), set.end(), [&](const auto& kv) { return kv.first == k; });
      if (it != set.end()) {
        it->second = std::string(v);
      } else {
        set.emplace_back(std::string(k), std::string(v));
      }
    }
    std::sort(set.begin(), set.end());
    std::string key;
    for (const auto& [k, v] : set) key += k + '\0' + v + '\0';
    auto [it, added] = index_.emplace(key, static_cast<uint32_t>(sets_.size()));
    if (added) sets_.push_back(std::move(set));
    return it->second;
  }
  LabelSet Lookup(uint32_t id) {
    std::lock_guard<std::mutex> lock(mu_);
    return id < sets_.size() ? sets_[id] : LabelSet{};
  }

 private:
  LabelRegistry() { sets_.emplace_back(); }
  std::mutex mu_;
  std::vector<LabelSet> sets_;
  std::map<std::string, uint32_t> index_;
};

// Read in the signal handler: initial-exec so that no lazy TLS allocation can
// happen there even when this code is in a preloaded shared library.
__attribute__((tls_model("initial-exec"))) thread_local uint32_t t_label_set = 0;
__attribute__((tls_model("initial-exec"))) thread_local bool t_in_handler = false;

}  // namespace

namespace internal {
bool InProfilerSignalHandler() { return t_in_handler; }
}  // namespace internal

// ---- the session: one running profile ----

struct CpuProfiler::Session {
  struct Aggregate {
    std::vector<uint64_t> frames;  // leaf first
    uint32_t tid = 0;
    uint32_t label_set = 0;
    int64_t weight = 0;
  };

  Session(const CpuProfileOptions& o, uint32_t gen)
      : options(o), generation(gen), buffer(o.buffer_samples, o.max_frames) {
    symbolizer.ForgetAddresses();
  }

  static internal::Symbolizer& SharedSymbolizer() {
    // Never destroyed (a profile may run at exit). A child made by fork gets
    // a fresh one: the parent's may have been in use at the fork.
    static internal::Symbolizer* shared = nullptr;
    static pid_t owner = 0;
    if (shared == nullptr || owner != getpid()) {
      shared = new internal::Symbolizer();
      owner = getpid();
    }
    return *shared;
  }

  const CpuProfileOptions options;
  const uint32_t generation;
  const pid_t pid = getpid();
  const int64_t start_wall = WallNanos();
  const int64_t start_mono = MonotonicNanos();
  SampleBuffer buffer;

  // Written by the handler.
  std::atomic<uint64_t> samples{0};
  std::atomic<uint64_t> dropped{0};
  std::atomic<uint64_t> ticks{0};
  std::atomic<int64_t> handler_nanos{0};

  // One per CpuProfiler sharing the session (one unless started shared):
  // the samples since its Start, and the counters as they were then.
  struct Window {
    int64_t start_wall = 0;
    int64_t start_mono = 0;
    std::unordered_map<std::string, Aggregate> stacks;
    ProfilerStats at_start;
  };

  // Guards what follows: the worker holds it while it scans and drains, a
  // window's Start and Stop while they drain and build.
  std::mutex drain_mu;
  std::unordered_map<pid_t, timer_t> timers;
  std::unordered_map<pid_t, std::string> thread_names;
  std::unordered_set<pid_t> named_from_samples;
  std::map<uint64_t, Window> windows;
  uint64_t next_window = 1;
  std::unordered_set<uint64_t> symbolized;
  std::unordered_map<uint64_t, bool> frameless_at;      // leaf pc -> no frame set up there
  std::unordered_map<uint64_t, bool> return_addresses;  // word -> follows a call
  // Process-wide, so that each object's ELF file is parsed once per process
  // rather than once per profile (profiles run one at a time).
  internal::Symbolizer& symbolizer = SharedSymbolizer();
  std::atomic<uint64_t> threads_seen{0};
  std::atomic<int64_t> symbolize_nanos{0};
  std::atomic<int64_t> background_cpu_nanos{0};
  std::atomic<int> last_timer_errno{0};

  std::thread worker;
  pid_t worker_tid = 0;
  std::mutex mu;
  std::condition_variable cv;
  bool stop = false;
  bool first_scan_done = false;

  void Run();
  void Scan();
  void Drain();
  bool LeafCallerMissing(uint64_t pc, uint64_t sp_word);
  bool CreateTimer(pid_t tid);
  void DeleteAllTimers();
  // The session's counters now (background CPU as of the worker's last pass).
  ProfilerStats Counters(int64_t now_mono) const;
  // Opens a window from now (drain_mu held: the samples before it are drained).
  uint64_t OpenWindow();
  // The window's counters: the session's since the window opened.
  ProfilerStats WindowStats(const Window& w, int64_t now_mono) const;
  Profile Build(const Window& w, int64_t end_mono);
};

namespace {

std::atomic<bool> g_active{false};
std::atomic<CpuProfiler::Session*> g_session{nullptr};
// The running session when it was started shared, for shared starts to
// join; held while a shared start or the last window's stop runs, so that
// a start never joins a session that is stopping.
std::mutex g_shared_mu;
std::weak_ptr<CpuProfiler::Session> g_shared;
std::atomic<int> g_inflight{0};
std::atomic<uint32_t> g_generation{0};
struct sigaction g_previous_action;
std::atomic<bool> g_have_previous{false};
std::once_flag g_atfork_once;

// One on-demand stack dump at a time (see stack_dump.h).
struct DumpSlot {
  std::atomic<uint64_t> request{0};  // the request being served, 0 for none
  std::atomic<uint64_t> answered{0};
  std::atomic<pid_t> target{0};
  int max_frames = 0;
  int depth = 0;
  uint64_t sp_word = 0;
  uint64_t frames[256];
};
DumpSlot g_dump;
std::mutex g_dump_mu;
uint64_t g_dump_counter = 0;

void ChainPrevious(int sig, siginfo_t* info, void* uc) {
  if (!g_have_previous.load(std::memory_order_acquire)) return;
  const struct sigaction& prev = g_previous_action;
  if ((prev.sa_flags & SA_SIGINFO) && prev.sa_sigaction) {
    prev.sa_sigaction(sig, info, uc);
  } else if (!(prev.sa_flags & SA_SIGINFO) && prev.sa_handler != SIG_DFL &&
             prev.sa_handler != SIG_IGN && prev.sa_handler) {
    prev.sa_handler(sig);
  }
}

}  // namespace

// The SIGPROF handler. Async-signal-safe: atomics, clock_gettime, the stack
// walk (reads and rt_sigprocmask probes) and writes into preallocated memory.
void ProfilerSignalHandler(int sig, siginfo_t* info, void* uc);
void ProfilerSignalHandler(int sig, siginfo_t* info, void* uc) {
  if (info != nullptr && info->si_code == SI_QUEUE && info->si_value.sival_ptr == &g_dump) {
    int saved_errno = errno;
    uint64_t request = g_dump.request.load(std::memory_order_acquire);
    if (request != 0 && g_dump.target.load(std::memory_order_acquire) == GetTid()) {
      bool truncated;
      g_dump.depth = internal::WalkStackFromContext(uc, g_dump.frames, g_dump.max_frames,
                                                    &truncated, &g_dump.sp_word);
      g_dump.answered.store(request, std::memory_order_release);
    }
    errno = saved_errno;
    return;
  }
  if (info == nullptr || info->si_code != SI_TIMER) {
    ChainPrevious(sig, info, uc);
    return;
  }
  int saved_errno = errno;
  t_in_handler = true;
  g_inflight.fetch_add(1, std::memory_order_seq_cst);
  CpuProfiler::Session* s = g_session.load(std::memory_order_seq_cst);
  auto value = reinterpret_cast<uintptr_t>(info->si_value.sival_ptr);
  if (s != nullptr && (value >> 32) == s->generation) {
    int64_t t0 = MonotonicNanosSignalSafe();
    uint64_t token;
    SampleHeader* h;
    uint64_t* frames;
    uint32_t weight = 1 + static_cast<uint32_t>(info->si_overrun > 0 ? info->si_overrun : 0);
    s->ticks.fetch_add(weight, std::memory_order_relaxed);
    if (s->buffer.Claim(&token, &h, &frames)) {
      bool truncated = false;
      int depth = internal::WalkStackFromContext(uc, frames, s->buffer.max_frames(), &truncated,
                                                 &h->sp_word);
      h->tid = static_cast<uint32_t>(value & 0xffffffffu);
      h->label_set = t_label_set;
      h->weight = weight;
      h->depth = static_cast<uint16_t>(depth);
      h->truncated = truncated ? 1 : 0;
      s->buffer.Commit(token);
      s->samples.fetch_add(1, std::memory_order_relaxed);
    } else {
      s->dropped.fetch_add(1, std::memory_order_relaxed);
    }
    s->handler_nanos.fetch_add(MonotonicNanosSignalSafe() - t0, std::memory_order_relaxed);
  }
  g_inflight.fetch_sub(1, std::memory_order_seq_cst);
  t_in_handler = false;
  errno = saved_errno;
}

namespace {

Status InstallHandler() {
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = ProfilerSignalHandler;
  sa.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset(&sa.sa_mask);
  struct sigaction old;
  if (sigaction(SIGPROF, &sa, &old) != 0) {
    return UnavailableError(std::string("sigaction(SIGPROF): ") + std::strerror(errno));
  }
  if (!((old.sa_flags & SA_SIGINFO) && old.sa_sigaction == ProfilerSignalHandler)) {
    g_have_previous.store(false, std::memory_order_release);
    g_previous_action = old;
    g_have_previous.store(true, std::memory_order_release);
  }
  return Status::Ok();
}

void AtForkChild() {
  // The child has none of the parent's timers or threads: it is not
  // profiling, and may start its own profile.
  g_session.store(nullptr);
  g_inflight.store(0);
  g_active.store(false);
}

std::string ReadThreadName(pid_t tid) {
  std::ifstream f("/proc/self/task/" + std::to_string(tid) + "/comm");
  std::string name;
  std::getline(f, name);
  return name;
}

}  // namespace

bool CpuProfiler::Session::CreateTimer(pid_t tid) {
  sigevent sev;
  std::memset(&sev, 0, sizeof sev);
  sev.sigev_notify = SIGEV_THREAD_ID;
  sev.sigev_signo = SIGPROF;
  sev._sigev_un._tid = tid;
  sev.sigev_value.sival_ptr =
      reinterpret_cast<void*>((uintptr_t{generation} << 32) | static_cast<uint32_t>(tid));
  clockid_t clock = options.clock == ProfileClock::kCpu ? ThreadCpuClock(tid) : CLOCK_MONOTONIC;
  timer_t timer;
  if (timer_create(clock, &sev, &timer) != 0) {
    // ESRCH/EINVAL: the thread exited between the scan and now.
    if (errno != ESRCH && errno != EINVAL) {
      last_timer_errno.store(errno);
    }
    return false;
  }
  int64_t period = 1'000'000'000 / options.hz;
  itimerspec its;
  its.it_interval.tv_sec = period / 1'000'000'000;
  its.it_interval.tv_nsec = period % 1'000'000'000;
  // Spread the first expiry so that wall-clock timers of different threads
  // do not fire in lockstep.
  int64_t first = period / 2 + static_cast<int64_t>(static_cast<uint32_t>(tid) * 2654435761u %
                                                    static_cast<uint64_t>(period / 2 + 1));
  its.it_value.tv_sec = first / 1'000'000'000;
  its.it_value.tv_nsec = first % 1'000'000'000;
  if (timer_settime(timer, 0, &its, nullptr) != 0) {
    last_timer_errno.store(errno);
    timer_delete(timer);
    return false;
  }
  timers.emplace(tid, timer);
  threads_seen.fetch_add(1, std::memory_order_relaxed);
  thread_names[tid] = ReadThreadName(tid);
  return true;
}

void CpuProfiler::Session::Scan() {
  std::unordered_set<pid_t> live;
  if (DIR* d = opendir("/proc/self/task")) {
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
      live.insert(static_cast<pid_t>(std::atoi(e->d_name)));
    }
    closedir(d);
  }
  for (auto it = timers.begin(); it != timers.end();) {
    bool gone = live.count(it->first) == 0;
    if (!gone && options.clock == ProfileClock::kCpu) {
      // A CPU timer whose thread exited reads back all zeros; the tid seen
      // now is a new thread that reused the number.
      itimerspec cur;
      gone = timer_gettime(it->second, &cur) == 0 && cur.it_interval.tv_sec == 0 &&
             cur.it_interval.tv_nsec == 0;
    }
    if (gone) {
      timer_delete(it->second);
      named_from_samples.erase(it->first);
      it = timers.erase(it);
    } else {
      ++it;
    }
  }
  for (pid_t tid : live) {
    if (tid == worker_tid || timers.count(tid) != 0) continue;
    CreateTimer(tid);
  }
}

// A sample in a function without a frame of its own (GCC omits it in
// leaves that do not touch the stack, even with -fno-omit-frame-pointer;
// every function is frameless at its first instruction) has the frame
// pointer of its caller, so the chain starts at the caller's caller. The
// caller's return address is then the word at the stack pointer.
bool CpuProfiler::Session::LeafCallerMissing(uint64_t pc, uint64_t sp_word) {
  if (sp_word < 4096) return false;
  // Cached per leaf pc (does the leaf have a frame there?) and per word.
  auto [leaf, added] = frameless_at.try_emplace(pc, false);
  if (added) leaf->second = internal::LeafHasNoFrame(symbolizer, pc);
  if (!leaf->second) return false;
  auto [ret, fresh] = return_addresses.try_emplace(sp_word, false);
  if (fresh) ret->second = internal::IsReturnAddress(symbolizer, sp_word);
  return ret->second;
}

void CpuProfiler::Session::Drain() {
  std::string key;
  std::vector<uint64_t> fresh;
  std::vector<uint64_t> stack;
  int64_t t0 = ThreadCpuNanos();
  buffer.Drain([&](const SampleHeader& h, const uint64_t* frames) {
    stack.assign(frames, frames + h.depth);
    if (h.depth > 0 && LeafCallerMissing(frames[0], h.sp_word)) {
      stack.insert(stack.begin() + 1, h.sp_word - 1);
    }
    uint32_t tid = options.thread_labels ? h.tid : 0;
    key.assign(reinterpret_cast<const char*>(&tid), sizeof tid);
    key.append(reinterpret_cast<const char*>(&h.label_set), sizeof h.label_set);
    key.append(reinterpret_cast<const char*>(stack.data()), stack.size() * sizeof(uint64_t));
    for (auto& [id, window] : windows) {
      auto [it, added] = window.stacks.try_emplace(key);
      if (added) {
        it->second.frames = stack;
        it->second.tid = tid;
        it->second.label_set = h.label_set;
      }
      it->second.weight += h.weight;
    }
    for (uint64_t pc : stack) {
      if (symbolized.insert(pc).second) fresh.push_back(pc);
    }
    if (options.thread_labels && named_from_samples.insert(static_cast<pid_t>(h.tid)).second) {
      // The name may have been set after the timer was made.
      std::string name = ReadThreadName(static_cast<pid_t>(h.tid));
      if (!name.empty()) thread_names[static_cast<pid_t>(h.tid)] = name;
    }
  });
  for (uint64_t pc : fresh) symbolizer.Resolve(pc);
  symbolize_nanos.fetch_add(ThreadCpuNanos() - t0, std::memory_order_relaxed);
}

void CpuProfiler::Session::Run() {
  sigset_t block;
  sigemptyset(&block);
  sigaddset(&block, SIGPROF);
  pthread_sigmask(SIG_BLOCK, &block, nullptr);
  std::unique_lock<std::mutex> lock(mu);
  for (;;) {
    lock.unlock();
    {
      std::lock_guard<std::mutex> drain(drain_mu);
      Scan();
      Drain();
    }
    background_cpu_nanos.store(ThreadCpuNanos(), std::memory_order_relaxed);
    lock.lock();
    if (!first_scan_done) {
      first_scan_done = true;
      cv.notify_all();
    }
    if (cv.wait_for(lock, options.scan_interval, [&] { return stop; })) break;
  }
}

void CpuProfiler::Session::DeleteAllTimers() {
  for (auto& [tid, timer] : timers) timer_delete(timer);
  timers.clear();
}

ProfilerStats CpuProfiler::Session::Counters(int64_t now_mono) const {
  ProfilerStats st;
  st.samples = samples.load();
  st.dropped = dropped.load();
  st.ticks = ticks.load();
  st.threads = threads_seen.load();
  st.handler_nanos = handler_nanos.load();
  st.background_cpu_nanos = background_cpu_nanos.load();
  st.symbolize_nanos = symbolize_nanos.load();
  st.wall_nanos = now_mono - start_mono;
  return st;
}

uint64_t CpuProfiler::Session::OpenWindow() {
  const int64_t now = MonotonicNanos();
  Window w{.start_wall = WallNanos(), .start_mono = now, .at_start = Counters(now)};
  if (windows.empty()) {  // the session's first: from its very start
    w.start_wall = start_wall;
    w.start_mono = start_mono;
    w.at_start = ProfilerStats{};
  }
  const uint64_t id = next_window++;
  windows.emplace(id, std::move(w));
  return id;
}

// Threads are counted over the session: a window shares its timers.
ProfilerStats CpuProfiler::Session::WindowStats(const Window& w, int64_t now_mono) const {
  ProfilerStats st = Counters(now_mono);
  st.samples -= w.at_start.samples;
  st.dropped -= w.at_start.dropped;
  st.ticks -= w.at_start.ticks;
  st.handler_nanos -= w.at_start.handler_nanos;
  st.background_cpu_nanos -= w.at_start.background_cpu_nanos;
  st.symbolize_nanos -= w.at_start.symbolize_nanos;
  st.wall_nanos = now_mono - w.start_mono;
  return st;
}

Profile CpuProfiler::Session::Build(const Window& w, int64_t end_mono) {
  internal::ProfileBuilder builder;
  Profile& p = builder.profile();
  const bool cpu = options.clock == ProfileClock::kCpu;
  const int64_t period = 1'000'000'000 / options.hz;
  p.sample_types = {{"samples", "count"}, {cpu ? "cpu" : "wall", "nanoseconds"}};
  p.period_type = {cpu ? "cpu" : "wall", "nanoseconds"};
  p.period = period;
  p.time_nanos = w.start_wall;
  p.duration_nanos = end_mono - w.start_mono;

  std::unordered_map<uint32_t, LabelSet> label_sets;
  for (const auto& [key, agg] : w.stacks) {
    ProfileSample s;
    for (uint64_t pc : agg.frames) s.location_ids.push_back(builder.LocationAt(pc, symbolizer));
    s.values = {agg.weight, agg.weight * period};
    if (options.thread_labels) {
      auto name = thread_names.find(static_cast<pid_t>(agg.tid));
      s.labels.push_back(ProfileLabel{"thread",
                                      name != thread_names.end() && !name->second.empty()
                                          ? name->second
                                          : "thread-" + std::to_string(agg.tid),
                                      0, ""});
      s.labels.push_back(ProfileLabel{"thread_id", "", static_cast<int64_t>(agg.tid), ""});
    }
    if (agg.label_set != 0) {
      auto [lit, added] = label_sets.try_emplace(agg.label_set);
      if (added) lit->second = LabelRegistry::Get().Lookup(agg.label_set);
      for (const auto& [k, v] : lit->second) s.labels.push_back(ProfileLabel{k, v, 0, ""});
    }
    p.samples.push_back(std::move(s));
  }
  // Deterministic order: heaviest first.
  std::stable_sort(
      p.samples.begin(), p.samples.end(),
      [](const ProfileSample& a, const ProfileSample& b) { return a.values[0] > b.values[0]; });
  return builder.Take();
}

// ---- CpuProfiler ----

double ProfilerStats::Overhead() const {
  if (wall_nanos <= 0) return 0;
  return static_cast<double>(handler_nanos + background_cpu_nanos) /
         static_cast<double>(wall_nanos);
}

CpuProfiler::CpuProfiler() = default;

CpuProfiler::~CpuProfiler() {
  std::lock_guard<std::mutex> lock(mu_);
  if (session_) (void)StopLocked();
}

bool CpuProfiler::ProcessProfiling() { return g_active.load(); }

namespace {

Status ValidateOptions(const CpuProfileOptions& options) {
  if (options.hz < 1 || options.hz > 10000) {
    return InvalidArgumentError("profiler: hz must be 1..10000, not " + std::to_string(options.hz));
  }
  if (options.max_frames < 4 || options.max_frames > 256) {
    return InvalidArgumentError("profiler: max_frames must be 4..256, not " +
                                std::to_string(options.max_frames));
  }
  if (options.buffer_samples < 16 || options.buffer_samples > (1u << 22)) {
    return InvalidArgumentError("profiler: buffer_samples must be 16..4194304");
  }
  if (options.scan_interval.count() < 1) {
    return InvalidArgumentError("profiler: scan_interval must be at least 1ms");
  }
  return Status::Ok();
}

std::string Describe(const CpuProfileOptions& o) {
  return std::to_string(o.hz) + " Hz, " + (o.clock == ProfileClock::kCpu ? "CPU" : "wall") +
         " time" + (o.thread_labels ? "" : ", no thread labels");
}

// A session made in a process that later forked is the parent's: its
// worker thread does not exist in the child, so the child leaves it alone
// (leaks it) rather than joining or destroying it.
void DeleteSession(CpuProfiler::Session* s);

}  // namespace

Status CpuProfiler::Start(const CpuProfileOptions& options) {
  TAI_RETURN_IF_ERROR(ValidateOptions(options));
  std::lock_guard<std::mutex> lock(mu_);
  if (session_ && session_->pid != getpid()) session_.reset();
  if (session_) return AlreadyExistsError("profiler: this profiler is already running");
  std::unique_lock<std::mutex> shared_lock(g_shared_mu, std::defer_lock);
  if (options.shared) {
    shared_lock.lock();
    if (std::shared_ptr<Session> running = g_shared.lock(); running && running->pid == getpid()) {
      const CpuProfileOptions& o = running->options;
      if (o.hz != options.hz || o.clock != options.clock ||
          o.thread_labels != options.thread_labels) {
        return AlreadyExistsError("profiler: a shared CPU profile (" + Describe(o) +
                                  ") is already running in this process; a shared start (" +
                                  Describe(options) + ") joins only one with the same options");
      }
      std::lock_guard<std::mutex> drain(running->drain_mu);
      running->Drain();  // what came before belongs to the windows already open
      window_ = running->OpenWindow();
      session_ = std::move(running);
      return Status::Ok();
    }
  }
  bool expected = false;
  if (!g_active.compare_exchange_strong(expected, true)) {
    return AlreadyExistsError(
        "profiler: a CPU profile is already running in this process" +
        std::string(options.shared ? " (not shared: started without CpuProfileOptions::shared)"
                                   : ""));
  }
  std::call_once(g_atfork_once, [] { pthread_atfork(nullptr, nullptr, AtForkChild); });
  Status installed = InstallHandler();
  if (!installed.ok()) {
    g_active.store(false);
    return installed;
  }
  std::shared_ptr<Session> session(new Session(options, g_generation.fetch_add(1) + 1),
                                   DeleteSession);
  {
    std::lock_guard<std::mutex> drain(session->drain_mu);
    window_ = session->OpenWindow();
  }
  g_session.store(session.get());
  Session* s = session.get();
  std::unique_lock<std::mutex> slock(s->mu);
  s->worker = std::thread([s] {
    internal::NameThisThread("tai-profiler");
    s->worker_tid = GetTid();
    s->Run();
  });
  s->cv.wait(slock, [s] { return s->first_scan_done; });
  slock.unlock();
  if (s->threads_seen.load() == 0) {
    int err = s->last_timer_errno.load();
    {
      std::lock_guard<std::mutex> l(s->mu);
      s->stop = true;
    }
    s->cv.notify_all();
    s->worker.join();
    g_session.store(nullptr);
    while (g_inflight.load() != 0) std::this_thread::yield();
    g_active.store(false);
    return UnavailableError(std::string("profiler: cannot create per-thread timers: ") +
                            std::strerror(err));
  }
  if (options.shared) g_shared = session;
  session_ = std::move(session);
  return Status::Ok();
}

Result<Profile> CpuProfiler::Stop() {
  std::lock_guard<std::mutex> lock(mu_);
  return StopLocked();
}

// Closes this profiler's window; the last window of a session stops it.
Result<Profile> CpuProfiler::StopLocked() {
  if (!session_) return FailedPreconditionError("profiler: no CPU profile is running");
  std::shared_ptr<Session> session = std::move(session_);
  if (session->pid != getpid()) {
    return FailedPreconditionError("profiler: the profile was started by the parent process");
  }
  Session* s = session.get();
  // Held throughout, so that two windows stopping at once agree on which is
  // the last, and no start joins a session that is stopping.
  std::lock_guard<std::mutex> shared_lock(g_shared_mu);
  bool last;
  {
    std::lock_guard<std::mutex> drain(s->drain_mu);
    last = s->windows.size() == 1;
  }
  if (last) {
    if (g_shared.lock() == session) g_shared.reset();
    std::lock_guard<std::mutex> l(s->mu);
    s->stop = true;
  }
  int64_t end;
  if (last) {
    s->cv.notify_all();
    s->worker.join();
    end = MonotonicNanos();
    s->DeleteAllTimers();
    g_session.store(nullptr, std::memory_order_seq_cst);
    // A handler that got in before the store finishes before we read on.
    while (g_inflight.load(std::memory_order_seq_cst) != 0) std::this_thread::yield();
  } else {
    end = MonotonicNanos();
  }
  std::lock_guard<std::mutex> drain(s->drain_mu);
  int64_t t0 = ThreadCpuNanos();
  s->Drain();
  auto window = s->windows.extract(window_);
  Profile profile = s->Build(window.mapped(), end);
  int64_t stop_cpu = ThreadCpuNanos() - t0;
  s->symbolize_nanos.fetch_add(stop_cpu);
  last_stats_ = s->WindowStats(window.mapped(), end);
  last_stats_.background_cpu_nanos += stop_cpu;
  if (last_stats_.dropped > 0) {
    profile.comments.push_back(std::to_string(last_stats_.dropped) +
                               " samples dropped: the buffer was full");
  }
  if (last) g_active.store(false);
  return profile;
}

bool CpuProfiler::running() const {
  std::lock_guard<std::mutex> lock(mu_);
  return session_ && session_->pid == getpid();
}

ProfilerStats CpuProfiler::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (!session_ || session_->pid != getpid()) return last_stats_;
  std::lock_guard<std::mutex> drain(session_->drain_mu);
  auto w = session_->windows.find(window_);
  if (w == session_->windows.end()) return last_stats_;
  return session_->WindowStats(w->second, MonotonicNanos());
}

namespace {

void DeleteSession(CpuProfiler::Session* s) {
  if (s->pid != getpid()) return;
  delete s;
}

}  // namespace

ScopedProfileLabels::ScopedProfileLabels(
    std::initializer_list<std::pair<std::string_view, std::string_view>> labels)
    : previous_(t_label_set) {
  t_label_set = LabelRegistry::Get().Intern(previous_, labels);
}

ScopedProfileLabels::~ScopedProfileLabels() { t_label_set = previous_; }

namespace internal {

bool DumpThreadStack(pid_t tid, std::chrono::milliseconds timeout, int max_frames, RawStack* out) {
  max_frames = std::clamp(max_frames, 1, 256);
  std::lock_guard<std::mutex> lock(g_dump_mu);
  if (!InstallHandler().ok()) return false;
  uint64_t request = ++g_dump_counter;
  g_dump.max_frames = max_frames;
  g_dump.target.store(tid, std::memory_order_release);
  g_dump.request.store(request, std::memory_order_release);
  siginfo_t si;
  std::memset(&si, 0, sizeof si);
  si.si_signo = SIGPROF;
  si.si_code = SI_QUEUE;
  si.si_pid = getpid();
  si.si_uid = getuid();
  si.si_value.sival_ptr = &g_dump;
  bool ok = syscall(SYS_rt_tgsigqueueinfo, getpid(), tid, SIGPROF, &si) == 0;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (ok && g_dump.answered.load(std::memory_order_acquire) != request) {
    if (std::chrono::steady_clock::now() >= deadline) {
      ok = false;
      break;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
  g_dump.request.store(0, std::memory_order_release);
  if (!ok) return false;
  out->frames.assign(g_dump.frames, g_dump.frames + g_dump.depth);
  out->sp_word = g_dump.sp_word;
  return true;
}

}  // namespace internal
}  // namespace tai
