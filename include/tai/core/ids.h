// TraceId (16 bytes) and SpanId (8 bytes), and the generator that makes them.
//
// Ids come from a per-thread xoshiro256++ generator seeded from the OS
// (getrandom), so making one costs a few nanoseconds, takes no lock, and ids
// from different threads and processes do not collide in practice. A valid id
// is never all zeros (W3C Trace Context).
//
// TraceId/SpanId are value types. NewTraceId/NewSpanId are thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace tai {

namespace detail {
// Ids are stored in network byte order, as they travel; these move a
// 64-bit word in and out in one load or store.
inline uint64_t LoadBigEndian64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return __builtin_bswap64(v);
}
inline void StoreBigEndian64(uint8_t* p, uint64_t v) {
  v = __builtin_bswap64(v);
  std::memcpy(p, &v, sizeof v);
}
}  // namespace detail

class TraceId {
 public:
  TraceId() = default;
  explicit TraceId(const std::array<uint8_t, 16>& bytes) : bytes_(bytes) {}
  static TraceId FromWords(uint64_t high, uint64_t low) {
    TraceId id;
    detail::StoreBigEndian64(id.bytes_.data(), high);
    detail::StoreBigEndian64(id.bytes_.data() + 8, low);
    return id;
  }
  // Exactly 32 lower-case hex digits; anything else is rejected.
  static std::optional<TraceId> FromHex(std::string_view hex);

  bool valid() const { return high() != 0 || low() != 0; }
  const std::array<uint8_t, 16>& bytes() const { return bytes_; }
  uint64_t high() const { return detail::LoadBigEndian64(bytes_.data()); }     // first 8 bytes
  uint64_t low() const { return detail::LoadBigEndian64(bytes_.data() + 8); }  // last 8 bytes
  std::string ToHex() const;

  friend bool operator==(const TraceId&, const TraceId&) = default;

 private:
  std::array<uint8_t, 16> bytes_{};
};

class SpanId {
 public:
  SpanId() = default;
  explicit SpanId(const std::array<uint8_t, 8>& bytes) : bytes_(bytes) {}
  static SpanId FromWord(uint64_t v) {
    SpanId id;
    detail::StoreBigEndian64(id.bytes_.data(), v);
    return id;
  }
  // Exactly 16 lower-case hex digits.
  static std::optional<SpanId> FromHex(std::string_view hex);

  bool valid() const { return word() != 0; }
  const std::array<uint8_t, 8>& bytes() const { return bytes_; }
  uint64_t word() const { return detail::LoadBigEndian64(bytes_.data()); }
  std::string ToHex() const;

  friend bool operator==(const SpanId&, const SpanId&) = default;

 private:
  std::array<uint8_t, 8> bytes_{};
};

TraceId NewTraceId();
SpanId NewSpanId();
// 64 random bits from this thread's generator (never zero).
uint64_t RandomU64();

}  // namespace tai
