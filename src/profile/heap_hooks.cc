// The allocation hooks of the heap profiler (tai::heap_hooks): malloc and
// friends and every replaceable C++ operator new/delete, forwarding to
// glibc's allocator and telling the profiler about allocations and frees
// while a heap profile runs. Linked into a program, these definitions
// interpose glibc's for the program and its shared libraries. Built with
// frame pointers like the rest of the project, so that the profiler's stack
// walk from inside them reaches the allocating function.
#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <new>

#include "profile/heap_sampler.h"

// Exported even from a library built with hidden visibility (the preload
// shim), so that they interpose the C library's.
#define TAI_HOOK __attribute__((visibility("default")))

extern "C" {
void* __libc_malloc(size_t);
void* __libc_calloc(size_t, size_t);
void* __libc_realloc(void*, size_t);
void* __libc_memalign(size_t, size_t);
void __libc_free(void*);
}

namespace {

inline bool Profiling() { return tai::internal::g_heap_profiling.load(std::memory_order_relaxed); }

// Bytes this thread may still allocate before its next sample.
__attribute__((tls_model("initial-exec"))) thread_local int64_t t_countdown = 0;

inline void OnAlloc(void* p, size_t size) {
  if (p != nullptr && Profiling() && (t_countdown -= static_cast<int64_t>(size)) <= 0) {
    t_countdown = tai::internal::HeapOnAlloc(p, size);
  }
}

inline void OnFree(void* p) {
  if (p != nullptr && Profiling() && tai::internal::HeapMaybeSampled(p)) {
    tai::internal::HeapOnFree(p);
  }
}

__attribute__((noinline)) void* AlignedAlloc(size_t alignment, size_t size) {
  void* p = __libc_memalign(alignment, size);
  OnAlloc(p, size);
  return p;
}

__attribute__((noinline)) void* NewImpl(size_t size) {
  for (;;) {
    void* p = malloc(size == 0 ? 1 : size);
    if (p != nullptr) return p;
    std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) throw std::bad_alloc();
    handler();
  }
}

__attribute__((noinline)) void* NewAlignedImpl(size_t size, std::align_val_t alignment) {
  for (;;) {
    void* p = AlignedAlloc(static_cast<size_t>(alignment), size == 0 ? 1 : size);
    if (p != nullptr) return p;
    std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) throw std::bad_alloc();
    handler();
  }
}

}  // namespace

extern "C" {

TAI_HOOK int tai_heap_hooks_linked() { return 1; }

TAI_HOOK __attribute__((noinline)) void* malloc(size_t size) {
  void* p = __libc_malloc(size);
  OnAlloc(p, size);
  return p;
}

TAI_HOOK __attribute__((noinline)) void* calloc(size_t n, size_t size) {
  void* p = __libc_calloc(n, size);
  OnAlloc(p, n * size);
  return p;
}

TAI_HOOK __attribute__((noinline)) void* realloc(void* old, size_t size) {
  OnFree(old);
  void* p = __libc_realloc(old, size);
  OnAlloc(p, size);
  return p;
}

TAI_HOOK void free(void* p) {
  OnFree(p);
  __libc_free(p);
}

TAI_HOOK void* memalign(size_t alignment, size_t size) { return AlignedAlloc(alignment, size); }
TAI_HOOK void* aligned_alloc(size_t alignment, size_t size) {
  return AlignedAlloc(alignment, size);
}
TAI_HOOK int posix_memalign(void** out, size_t alignment, size_t size) {
  if (alignment < sizeof(void*) || (alignment & (alignment - 1)) != 0) return EINVAL;
  void* p = AlignedAlloc(alignment, size);
  if (p == nullptr) return ENOMEM;
  *out = p;
  return 0;
}

}  // extern "C"

TAI_HOOK void* operator new(size_t size) { return NewImpl(size); }
TAI_HOOK void* operator new[](size_t size) { return NewImpl(size); }
TAI_HOOK void* operator new(size_t size, const std::nothrow_t&) noexcept {
  try {
    return NewImpl(size);
  } catch (...) {
    return nullptr;
  }
}
TAI_HOOK void* operator new[](size_t size, const std::nothrow_t&) noexcept {
  try {
    return NewImpl(size);
  } catch (...) {
    return nullptr;
  }
}
TAI_HOOK void* operator new(size_t size, std::align_val_t a) { return NewAlignedImpl(size, a); }
TAI_HOOK void* operator new[](size_t size, std::align_val_t a) { return NewAlignedImpl(size, a); }
TAI_HOOK void* operator new(size_t size, std::align_val_t a, const std::nothrow_t&) noexcept {
  try {
    return NewAlignedImpl(size, a);
  } catch (...) {
    return nullptr;
  }
}
TAI_HOOK void* operator new[](size_t size, std::align_val_t a, const std::nothrow_t&) noexcept {
  try {
    return NewAlignedImpl(size, a);
  } catch (...) {
    return nullptr;
  }
}

TAI_HOOK void operator delete(void* p) noexcept { free(p); }
TAI_HOOK void operator delete[](void* p) noexcept { free(p); }
TAI_HOOK void operator delete(void* p, size_t) noexcept { free(p); }
TAI_HOOK void operator delete[](void* p, size_t) noexcept { free(p); }
TAI_HOOK void operator delete(void* p, const std::nothrow_t&) noexcept { free(p); }
TAI_HOOK void operator delete[](void* p, const std::nothrow_t&) noexcept { free(p); }
TAI_HOOK void operator delete(void* p, std::align_val_t) noexcept { free(p); }
TAI_HOOK void operator delete[](void* p, std::align_val_t) noexcept { free(p); }
TAI_HOOK void operator delete(void* p, size_t, std::align_val_t) noexcept { free(p); }
TAI_HOOK void operator delete[](void* p, size_t, std::align_val_t) noexcept { free(p); }
TAI_HOOK void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  free(p);
}
TAI_HOOK void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  free(p);
}
