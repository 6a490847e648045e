// Internal: fast non-cryptographic hashing for label sets and table lookups.
//
// Short strings (the usual label key or value) are read with at most two
// overlapping loads and mixed with one 64x64->128 multiply; longer ones in
// 16-byte blocks. The finaliser is splitmix64's, so every input bit reaches
// every output bit.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace tai::internal {

inline uint64_t Mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

// Multiply and fold the 128-bit product.
inline uint64_t MulFold(uint64_t a, uint64_t b) {
  __uint128_t p = static_cast<__uint128_t>(a) * b;
  return static_cast<uint64_t>(p) ^ static_cast<uint64_t>(p >> 64);
}

inline uint64_t Load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

inline uint64_t Load32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// Equality for the short strings labels usually are, without a memcmp call.
inline bool BytesEqual(std::string_view a, std::string_view b) {
  const size_t n = a.size();
  if (n != b.size()) return false;
  const char* p = a.data();
  const char* q = b.data();
  if (n >= 8 && n <= 16) {
    return ((Load64(p) ^ Load64(q)) | (Load64(p + n - 8) ^ Load64(q + n - 8))) == 0;
  }
  if (n >= 4 && n < 8) {
    return ((Load32(p) ^ Load32(q)) | (Load32(p + n - 4) ^ Load32(q + n - 4))) == 0;
  }
  if (n < 4) {
    // Bytes 0, n/2 and n-1 cover every position of a string of 1 to 3.
    return n == 0 || (p[0] == q[0] && p[n / 2] == q[n / 2] && p[n - 1] == q[n - 1]);
  }
  return std::memcmp(p, q, n) == 0;
}

// Orders strings as std::string_view does, deciding on the first byte when it differs.
inline bool BytesLess(std::string_view a, std::string_view b) {
  if (!a.empty() && !b.empty() && a[0] != b[0]) {
    return static_cast<unsigned char>(a[0]) < static_cast<unsigned char>(b[0]);
  }
  return a < b;
}

inline uint64_t HashBytes(std::string_view s, uint64_t seed) {
  constexpr uint64_t k0 = 0xa0761d6478bd642fULL, k1 = 0xe7037ed1a0b428dbULL;
  const char* p = s.data();
  size_t n = s.size();
  uint64_t a = 0, b = 0;
  if (n <= 16) {
    if (n >= 8) {
      a = Load64(p);
      b = Load64(p + n - 8);
    } else if (n >= 4) {
      a = Load32(p);
      b = Load32(p + n - 4);
    } else if (n > 0) {
      a = (uint64_t{static_cast<uint8_t>(p[0])} << 16) |
          (uint64_t{static_cast<uint8_t>(p[n / 2])} << 8) | static_cast<uint8_t>(p[n - 1]);
    }
  } else {
    while (n > 16) {
      seed = MulFold(Load64(p) ^ k0, Load64(p + 8) ^ seed);
      p += 16;
      n -= 16;
    }
    a = Load64(p + n - 16);
    b = Load64(p + n - 8);
  }
  return MulFold(a ^ k0 ^ s.size(), b ^ k1 ^ seed);
}

// The label-set hash: a sum of per-pair hashes, so it does not depend on
// the order labels come in and a lookup need not sort them. Every form of
// label set hashes through these so that equal sets hash equally.
inline uint64_t LabelPairHash(std::string_view key, std::string_view value) {
  // Hashing the value with the key's hash as seed keeps ("ab","c") and ("a","bc") apart.
  return Mix64(HashBytes(value, HashBytes(key, 0x243f6a8885a308d3ULL)));
}
inline uint64_t LabelHashFinish(uint64_t sum) { return Mix64(sum ^ 0x5bd1e995ULL); }

}  // namespace tai::internal
