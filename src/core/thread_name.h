// Internal: the names of the library's background threads. Every thread the
// library starts for itself is named "tai-<what>" (at most 15 characters, the
// kernel's limit), so that top -H, a debugger and the CPU profiler's thread
// labels tell them from the application's, and ProcessMetrics can add up
// the library's own CPU (tai_library_cpu_time).
#pragma once

#include <pthread.h>

#include <string_view>

namespace tai::internal {

inline constexpr std::string_view kLibraryThreadPrefix = "tai-";

// Names the calling thread; `name` starts with kLibraryThreadPrefix.
inline void NameThisThread(const char* name) { pthread_setname_np(pthread_self(), name); }

}  // namespace tai::internal
