// The heap profiler's sampling and bookkeeping; the hooks that call it are
// in heap_hooks.cc (linked only into programs that opt in).
#include "tai/profile/heap_profiler.h"

#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "profile/heap_sampler.h"
#include "profile/profile_builder.h"
#include "profile/stack_walk.h"
#include "profile/symbolizer.h"
#include "tai/core/clock.h"

extern "C" __attribute__((weak)) int tai_heap_hooks_linked();

namespace tai {
namespace internal {

std::atomic<bool> g_heap_profiling{false};
std::atomic<uint64_t> g_heap_sampled_bits[kHeapBits / 64];

namespace {

struct StackStats {
  std::vector<uint64_t> frames;
  double alloc_objects = 0, alloc_bytes = 0, inuse_objects = 0, inuse_bytes = 0;
};

struct Live {
  size_t stack;
  double objects, bytes;  // the estimates this sample added
};

struct HeapState {
  std::mutex mu;
  HeapProfileOptions options;
  uint32_t epoch = 0;
  int64_t start_wall = 0, start_mono = 0;
  std::map<std::vector<uint64_t>, size_t> stack_index;
  std::vector<StackStats> stacks;
  std::unordered_map<uintptr_t, Live> live;
  std::vector<uint32_t> live_per_bit = std::vector<uint32_t>(kHeapBits, 0);

  void AddLive(uintptr_t p, const Live& l) {
    auto [it, fresh] = live.insert_or_assign(p, l);
    (void)it;
    size_t b = HeapBit(reinterpret_cast<void*>(p));
    if (fresh && live_per_bit[b]++ == 0) {
      g_heap_sampled_bits[b >> 6].fetch_or(uint64_t{1} << (b & 63), std::memory_order_relaxed);
    }
  }
  void RemoveLive(std::unordered_map<uintptr_t, Live>::iterator it) {
    size_t b = HeapBit(reinterpret_cast<void*>(it->first));
    live.erase(it);
    if (--live_per_bit[b] == 0) {
      g_heap_sampled_bits[b >> 6].fetch_and(~(uint64_t{1} << (b & 63)), std::memory_order_relaxed);
    }
  }
  void ClearLive() {
    live.clear();
    std::fill(live_per_bit.begin(), live_per_bit.end(), 0);
    for (auto& w : g_heap_sampled_bits) w.store(0, std::memory_order_relaxed);
  }
};

HeapState& State() {
  static auto* s = new HeapState();  // never destroyed: hooks run until exit
  return *s;
}

std::atomic<uint32_t> g_epoch{0};

// Per thread: bytes left before the next sample, the session they belong
// to, a random state, and a guard against sampling our own allocations.
__attribute__((tls_model("initial-exec"))) thread_local uint32_t t_epoch = 0;
__attribute__((tls_model("initial-exec"))) thread_local uint64_t t_rng = 0;
__attribute__((tls_model("initial-exec"))) thread_local bool t_busy = false;

int64_t NextInterval(int64_t mean) {
  if (mean <= 1) return 1;
  if (t_rng == 0) t_rng = static_cast<uint64_t>(MonotonicNanos()) ^ static_cast<uint64_t>(gettid());
  t_rng ^= t_rng << 13;
  t_rng ^= t_rng >> 7;
  t_rng ^= t_rng << 17;
  double u = (static_cast<double>(t_rng >> 11) + 0.5) / 9007199254740992.0;  // (0, 1)
  return static_cast<int64_t>(-std::log(u) * static_cast<double>(mean)) + 1;
}

// RAII for "this thread is inside the profiler".
struct Busy {
  Busy() { t_busy = true; }
  ~Busy() { t_busy = false; }
};

}  // namespace

__attribute__((noinline)) int64_t HeapOnAlloc(void* p, size_t size) {
  HeapState& st = State();
  const int64_t mean = st.options.sample_interval_bytes;
  if (t_busy) return NextInterval(mean);
  uint32_t epoch = g_epoch.load(std::memory_order_acquire);
  if (t_epoch != epoch) {
    // The thread's first countdown in this profile ran out: start a fresh
    // one rather than sample (its start was not random).
    t_epoch = epoch;
    return NextInterval(mean);
  }
  Busy busy;
  int64_t next = NextInterval(mean);
  // Sampled with probability 1 - exp(-size/mean): scale by its inverse.
  double probability =
      mean <= 1 ? 1.0 : 1.0 - std::exp(-static_cast<double>(size) / static_cast<double>(mean));
  double objects = probability > 0 ? 1.0 / probability : 0;
  double bytes = objects * static_cast<double>(size);
  uint64_t frames[256];
  bool truncated;
  int depth = WalkStackHere(frames, st.options.max_frames, &truncated);
  std::vector<uint64_t> stack(frames, frames + depth);
  std::lock_guard<std::mutex> lock(st.mu);
  if (!g_heap_profiling.load(std::memory_order_relaxed) || epoch != st.epoch) return next;
  auto [it, added] = st.stack_index.try_emplace(std::move(stack), st.stacks.size());
  if (added) {
    st.stacks.emplace_back();
    st.stacks.back().frames = it->first;
  }
  StackStats& s = st.stacks[it->second];
  s.alloc_objects += objects;
  s.alloc_bytes += bytes;
  s.inuse_objects += objects;
  s.inuse_bytes += bytes;
  st.AddLive(reinterpret_cast<uintptr_t>(p), Live{it->second, objects, bytes});
  return next;
}

__attribute__((noinline)) void HeapOnFree(void* p) {
  if (t_busy) return;
  Busy busy;
  HeapState& st = State();
  std::lock_guard<std::mutex> lock(st.mu);
  auto it = st.live.find(reinterpret_cast<uintptr_t>(p));
  if (it == st.live.end()) return;
  StackStats& s = st.stacks[it->second.stack];
  s.inuse_objects -= it->second.objects;
  s.inuse_bytes -= it->second.bytes;
  st.RemoveLive(it);
}

namespace {

bool IsHookFrame(const std::string& name) {
  static const char* const kNames[] = {"malloc",   "calloc",        "realloc",
                                       "memalign", "aligned_alloc", "posix_memalign"};
  for (const char* n : kNames) {
    if (name == n) return true;
  }
  return name.rfind("operator new", 0) == 0 || name.rfind("tai::internal::HeapOn", 0) == 0 ||
         name.find("(anonymous namespace)::NewImpl") != std::string::npos ||
         name.find("(anonymous namespace)::NewAlignedImpl") != std::string::npos ||
         name.find("(anonymous namespace)::AlignedAlloc") != std::string::npos;
}

Profile BuildProfile(std::vector<StackStats> stacks, int64_t start_wall, int64_t start_mono,
                     int64_t period) {
  ProfileBuilder builder;
  Profile& p = builder.profile();
  p.sample_types = {{"alloc_objects", "count"},
                    {"alloc_space", "bytes"},
                    {"inuse_objects", "count"},
                    {"inuse_space", "bytes"}};
  p.default_sample_type = "inuse_space";
  p.period_type = {"space", "bytes"};
  p.period = period;
  p.time_nanos = start_wall;
  p.duration_nanos = MonotonicNanos() - start_mono;
  Symbolizer symbolizer;
  for (StackStats& s : stacks) {
    ProfileSample sample;
    bool leading = true;
    for (uint64_t pc : s.frames) {
      // The profiler's own frames and the allocator's sit above the caller.
      if (leading && IsHookFrame(symbolizer.Resolve(pc).name)) continue;
      leading = false;
      sample.location_ids.push_back(builder.LocationAt(pc, symbolizer));
    }
    sample.values = {std::llround(s.alloc_objects), std::llround(s.alloc_bytes),
                     std::llround(s.inuse_objects), std::llround(s.inuse_bytes)};
    p.samples.push_back(std::move(sample));
  }
  return builder.Take();
}

void ForkPrepare() { State().mu.lock(); }
void ForkRelease() { State().mu.unlock(); }

}  // namespace
}  // namespace internal

bool HeapProfiler::HooksLinked() {
  return tai_heap_hooks_linked != nullptr && tai_heap_hooks_linked() == 1;
}

bool HeapProfiler::running() { return internal::g_heap_profiling.load(); }

Status HeapProfiler::Start(const HeapProfileOptions& options) {
  if (!HooksLinked()) {
    return FailedPreconditionError(
        "heap profiler: the allocation hooks are not linked in (link tai::heap_hooks)");
  }
  if (options.sample_interval_bytes < 1) {
    return InvalidArgumentError("heap profiler: sample_interval_bytes must be at least 1");
  }
  if (options.max_frames < 4 || options.max_frames > 256) {
    return InvalidArgumentError("heap profiler: max_frames must be 4..256");
  }
  static std::once_flag atfork;
  std::call_once(atfork, [] {
    pthread_atfork(internal::ForkPrepare, internal::ForkRelease, internal::ForkRelease);
  });
  internal::HeapState& st = internal::State();
  internal::Busy busy;
  std::lock_guard<std::mutex> lock(st.mu);
  if (internal::g_heap_profiling.load()) {
    return AlreadyExistsError("heap profiler: a heap profile is already running");
  }
  st.options = options;
  st.stacks.clear();
  st.stack_index.clear();
  st.ClearLive();
  st.epoch = internal::g_epoch.fetch_add(1) + 1;
  st.start_wall = WallNanos();
  st.start_mono = MonotonicNanos();
  internal::g_heap_profiling.store(true);
  return Status::Ok();
}

Result<Profile> HeapProfiler::Snapshot() {
  internal::HeapState& st = internal::State();
  std::vector<internal::StackStats> stacks;
  int64_t wall, mono, period;
  {
    internal::Busy busy;
    std::lock_guard<std::mutex> lock(st.mu);
    if (!internal::g_heap_profiling.load()) {
      return FailedPreconditionError("heap profiler: no heap profile is running");
    }
    stacks = st.stacks;
    wall = st.start_wall;
    mono = st.start_mono;
    period = st.options.sample_interval_bytes;
  }
  return internal::BuildProfile(std::move(stacks), wall, mono, period);
}

Result<Profile> HeapProfiler::Stop() {
  Result<Profile> p = Snapshot();
  if (!p.ok()) return p;
  internal::HeapState& st = internal::State();
  internal::Busy busy;
  std::lock_guard<std::mutex> lock(st.mu);
  internal::g_heap_profiling.store(false);
  st.ClearLive();
  return p;
}

}  // namespace tai
