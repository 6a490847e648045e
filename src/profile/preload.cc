// libtai_profile_preload.so: profiles a program that does not use the
// library, the way gperftools' LD_PRELOAD mode does. `taiobs profile`
// preloads it with:
//
//   TAI_PROFILE_OUT=FILE.pb.gz    the CPU profile, written at exit
//   TAI_PROFILE_HZ=N              sampling rate (default 100)
//   TAI_PROFILE_HEAP_OUT=FILE     also profile the heap (the library's
//                                 allocation hooks are part of this .so)
//
// The variables are removed from the environment at load, so programs the
// profiled one executes are not profiled and do not overwrite the files.
// The profiles are written by an atexit handler: a program that ends with
// _exit() or a signal leaves none.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "tai/profile/cpu_profiler.h"
#include "tai/profile/heap_profiler.h"
#include "tai/profile/pprof.h"

namespace {

tai::CpuProfiler* g_profiler = nullptr;
std::string* g_out = nullptr;
std::string* g_heap_out = nullptr;
pid_t g_pid = 0;

void Write(const tai::Result<tai::Profile>& p, const std::string& path, const char* what) {
  if (!p.ok()) {
    std::fprintf(stderr, "tai profile: %s profile: %s\n", what, p.status().ToString().c_str());
    return;
  }
  tai::Status s = tai::WritePprofFile(*p, path);
  if (!s.ok()) std::fprintf(stderr, "tai profile: %s\n", s.ToString().c_str());
}

void Finish() {
  if (getpid() != g_pid) return;  // a forked child: the parent writes
  if (g_profiler != nullptr && g_profiler->running()) {
    Write(g_profiler->Stop(), *g_out, "CPU");
  }
  if (g_heap_out != nullptr && tai::HeapProfiler::running()) {
    Write(tai::HeapProfiler::Stop(), *g_heap_out, "heap");
  }
}

__attribute__((constructor)) void Init() {
  const char* out = std::getenv("TAI_PROFILE_OUT");
  if (out == nullptr || *out == '\0') return;
  g_pid = getpid();
  g_out = new std::string(out);
  const char* hz = std::getenv("TAI_PROFILE_HZ");
  const char* heap = std::getenv("TAI_PROFILE_HEAP_OUT");
  if (heap != nullptr && *heap != '\0') g_heap_out = new std::string(heap);
  unsetenv("TAI_PROFILE_OUT");
  unsetenv("TAI_PROFILE_HZ");
  unsetenv("TAI_PROFILE_HEAP_OUT");
  if (g_heap_out != nullptr) {
    tai::Status s = tai::HeapProfiler::Start();
    if (!s.ok()) std::fprintf(stderr, "tai profile: heap: %s\n", s.ToString().c_str());
  }
  g_profiler = new tai::CpuProfiler();
  tai::Status s = g_profiler->Start({.hz = hz != nullptr ? std::atoi(hz) : 100});
  if (!s.ok()) std::fprintf(stderr, "tai profile: %s\n", s.ToString().c_str());
  std::atexit(Finish);
}

}  // namespace
