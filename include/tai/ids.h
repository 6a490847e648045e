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
#include <optional>
#include <string>
#include <string_view>

namespace tai {

class TraceId {
 public:
  TraceId() = default;
  explicit TraceId(const std::array<uint8_t, 16>& bytes) : bytes_(bytes) {}
  static TraceId FromWords(uint64_t high, uint64_t low);
  // Exactly 32 lower-case hex digits; anything else is rejected.
  static std::optional<TraceId> FromHex(std::string_view hex);

  bool valid() const { return high() != 0 || low() != 0; }
  const std::array<uint8_t, 16>& bytes() const { return bytes_; }
  uint64_t high() const;  // first 8 bytes, big-endian
  uint64_t low() const;   // last 8 bytes, big-endian
  std::string ToHex() const;

  friend bool operator==(const TraceId&, const TraceId&) = default;

 private:
  std::array<uint8_t, 16> bytes_{};
};

class SpanId {
 public:
  SpanId() = default;
  explicit SpanId(const std::array<uint8_t, 8>& bytes) : bytes_(bytes) {}
  static SpanId FromWord(uint64_t v);
  // Exactly 16 lower-case hex digits.
  static std::optional<SpanId> FromHex(std::string_view hex);

  bool valid() const { return word() != 0; }
  const std::array<uint8_t, 8>& bytes() const { return bytes_; }
  uint64_t word() const;  // big-endian
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
