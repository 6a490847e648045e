#include "tai/core/ids.h"

#include <pthread.h>
#include <sys/random.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>

#include "core/hash.h"
#include "core/text.h"

namespace tai {
namespace {

uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// xoshiro256++ (Blackman & Vigna): fast, 256 bits of state, passes BigCrush.
// Constant-initialised so a thread_local of it needs no init guard; Seed()
// fills it on first use.
class Xoshiro256 {
 public:
  void Seed() {
    uint64_t seed[4];
    if (getrandom(seed, sizeof seed, 0) != static_cast<ssize_t>(sizeof seed)) {
      // No entropy source (very old kernel, seccomp): mix what differs
      // between threads and processes so ids still do not collide.
      uint64_t t = static_cast<uint64_t>(
          std::chrono::high_resolution_clock::now().time_since_epoch().count());
      uint64_t addr = reinterpret_cast<uintptr_t>(this);
      seed[0] = internal::Mix64(t);
      seed[1] = internal::Mix64(addr ^ static_cast<uint64_t>(getpid()));
      seed[2] = internal::Mix64(seed[0] ^ seed[1]);
      seed[3] = internal::Mix64(seed[2] + 1);
    }
    for (int i = 0; i < 4; ++i) s_[i] = internal::Mix64(seed[i] + static_cast<uint64_t>(i));
  }

  uint64_t Next() {
    const uint64_t result = Rotl(s_[0] + s_[3], 23) + s_[0];
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // The fork generation the state was seeded in; ~0 before the first seed.
  uint64_t generation = ~uint64_t{0};

 private:
  uint64_t s_[4] = {};
};

// A forked child starts with a copy of its parent's generator state; the
// fork generation tells each thread to reseed so the two do not repeat ids.
// (getpid() is a real syscall in current glibc, too slow to call per id.)
std::atomic<uint64_t> g_fork_generation{0};
[[maybe_unused]] const int g_atfork_registered =
    pthread_atfork(nullptr, nullptr, [] { g_fork_generation.fetch_add(1); });

constinit thread_local Xoshiro256 t_rng;

[[gnu::noinline]] void ReseedThreadRng(uint64_t generation) {
  t_rng.Seed();
  t_rng.generation = generation;
}

inline Xoshiro256& ThreadRng() {
  const uint64_t now = g_fork_generation.load(std::memory_order_relaxed);
  if (__builtin_expect(t_rng.generation != now, 0)) ReseedThreadRng(now);
  return t_rng;
}

}  // namespace

std::optional<TraceId> TraceId::FromHex(std::string_view hex) {
  std::array<uint8_t, 16> b;
  if (!internal::ParseLowerHex(hex, b.data(), b.size())) return std::nullopt;
  return TraceId(b);
}

std::string TraceId::ToHex() const {
  std::string s;
  s.reserve(32);
  internal::AppendHex(s, bytes_.data(), bytes_.size());
  return s;
}

std::optional<SpanId> SpanId::FromHex(std::string_view hex) {
  std::array<uint8_t, 8> b;
  if (!internal::ParseLowerHex(hex, b.data(), b.size())) return std::nullopt;
  return SpanId(b);
}

std::string SpanId::ToHex() const {
  std::string s;
  s.reserve(16);
  internal::AppendHex(s, bytes_.data(), bytes_.size());
  return s;
}

uint64_t RandomU64() {
  Xoshiro256& rng = ThreadRng();
  uint64_t v;
  do {
    v = rng.Next();
  } while (v == 0);
  return v;
}

TraceId NewTraceId() {
  Xoshiro256& rng = ThreadRng();
  uint64_t hi = rng.Next();
  uint64_t lo = rng.Next();
  if (hi == 0 && lo == 0) lo = 1;
  return TraceId::FromWords(hi, lo);
}

SpanId NewSpanId() { return SpanId::FromWord(RandomU64()); }

}  // namespace tai
