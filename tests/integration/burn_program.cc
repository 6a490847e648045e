// A program that knows nothing of tai-observability, for `taiobs profile`:
// burns CPU in two known functions (3:1), allocates 1 GiB at a known site,
// and exits with status 3.
#include <time.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

// Inlined into each burner, so the CPU is theirs.
__attribute__((always_inline)) static inline uint64_t Spin(uint64_t n, uint64_t x) {
  for (uint64_t i = 0; i < n; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    asm volatile("" : "+r"(x));
  }
  return x;
}

extern "C" {
__attribute__((noinline)) uint64_t burn_hot(uint64_t n) { return Spin(n, 1) + 1; }
__attribute__((noinline)) uint64_t burn_cold(uint64_t n) { return Spin(n, 2) + 2; }
__attribute__((noinline)) void* alloc_site(size_t n) {
  void* p = malloc(n);
  asm volatile("" : : "r"(p) : "memory");
  return p;
}
}

static double CpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

int main(int argc, char** argv) {
  double seconds = argc > 1 ? std::atof(argv[1]) : 1.0;
  double start = CpuSeconds();
  uint64_t sum = 0;
  uint64_t rng = 88172645463325252ull;
  while (CpuSeconds() - start < seconds) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    uint64_t n = 5'000 + rng % 40'000;
    sum += (rng >> 32) % 4 == 0 ? burn_cold(n) : burn_hot(n);
  }
  for (int i = 0; i < 16384; ++i) free(alloc_site(65536));
  std::printf("done %llu\n", static_cast<unsigned long long>(sum & 1));
  return 3;
}
