#include "core/text.h"

#include <bit>
#include <charconv>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstring>

namespace tai::internal {

namespace {

template <typename Integer>
void AppendInteger(std::string& out, Integer v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

}  // namespace

void AppendInt(std::string& out, int64_t v) { AppendInteger(out, v); }
void AppendUint(std::string& out, uint64_t v) { AppendInteger(out, v); }

void AppendDouble(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
    return;
  }
  if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
    return;
  }
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void AppendJsonDouble(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "\"NaN\"";
  } else if (std::isinf(v)) {
    out += v > 0 ? "\"Infinity\"" : "\"-Infinity\"";
  } else {
    AppendDouble(out, v);
  }
}

namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 if invalid.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  size_t n;
  uint32_t cp;
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) {
    n = 2;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  // Reject overlong forms, surrogates and code points past U+10FFFF.
  static constexpr uint32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

}  // namespace

void AppendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.reserve(out.size() + s.size() + 2);
  out += '"';
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
      // Copy the run of plain ASCII in one append.
      size_t j = i + 1;
      while (j < s.size()) {
        unsigned char d = static_cast<unsigned char>(s[j]);
        if (d < 0x20 || d >= 0x80 || d == '"' || d == '\\') break;
        ++j;
      }
      out.append(s.data() + i, j - i);
      i = j;
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        ++i;
        continue;
      case '\\':
        out += "\\\\";
        ++i;
        continue;
      case '\n':
        out += "\\n";
        ++i;
        continue;
      case '\r':
        out += "\\r";
        ++i;
        continue;
      case '\t':
        out += "\\t";
        ++i;
        continue;
      case '\b':
        out += "\\b";
        ++i;
        continue;
      case '\f':
        out += "\\f";
        ++i;
        continue;
      default:
        break;
    }
    if (c < 0x20) {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
      ++i;
      continue;
    }
    size_t n = Utf8SequenceLength(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
      ++i;
    } else {
      out.append(s.data() + i, n);
      i += n;
    }
  }
  out += '"';
}

namespace {

// Ids are formatted and parsed on every propagated request and exported
// span, so hex goes eight characters at a time in a 64-bit word (SWAR),
// with tables for the tails and single digits.
struct HexTables {
  char pairs[256][2];       // byte -> its two lower-case digits
  int8_t lower_digit[256];  // character -> its value, or -1
};

constexpr HexTables MakeHexTables() {
  HexTables t{};
  constexpr char kDigits[] = "0123456789abcdef";
  for (int b = 0; b < 256; ++b) {
    t.pairs[b][0] = kDigits[b >> 4];
    t.pairs[b][1] = kDigits[b & 0xF];
    t.lower_digit[b] = -1;
  }
  for (int d = 0; d < 16; ++d) {
    t.lower_digit[static_cast<unsigned char>(kDigits[d])] = static_cast<int8_t>(d);
  }
  return t;
}

constexpr HexTables kHexTables = MakeHexTables();

// The words below hold characters in memory order, first in the low byte.
constexpr bool kSwar = std::endian::native == std::endian::little;
constexpr uint64_t kOnes = 0x0101010101010101;
constexpr uint64_t kHighBits = 0x80 * kOnes;

// Four bytes into eight characters.
void WriteHex4(const uint8_t* in, char* out) {
  uint32_t b;
  std::memcpy(&b, in, sizeof b);
  // One byte per 16-bit lane, then its high nibble in the lane's first
  // character and its low nibble in the second.
  uint64_t y = b;
  y = (y | y << 16) & 0x0000FFFF0000FFFF;
  y = (y | y << 8) & 0x00FF00FF00FF00FF;
  const uint64_t nibbles = ((y >> 4) & 0x000F000F000F000F) | ((y & 0x000F000F000F000F) << 8);
  // '0' + n, plus the gap up to 'a' for n >= 10 (n + 6 carries into bit 4).
  const uint64_t letters = ((nibbles + 0x06 * kOnes) >> 4) & kOnes;
  const uint64_t chars = nibbles + '0' * kOnes + letters * ('a' - '0' - 10);
  std::memcpy(out, &chars, sizeof chars);
}

// Eight characters into four bytes; false when one is not a lower-case
// hex digit.
bool ParseHex8(const char* in, uint8_t* out) {
  uint64_t x;
  std::memcpy(&x, in, sizeof x);
  if ((x & kHighBits) != 0) return false;
  // Every byte is below 0x80, so adding up to 0x50 to each cannot carry
  // into the next; bit 7 of each sum then says "at least" a bound.
  const uint64_t digits = (x + 0x50 * kOnes) & ~(x + 0x46 * kOnes) & kHighBits;   // '0'-'9'
  const uint64_t letters = (x + 0x1F * kOnes) & ~(x + 0x19 * kOnes) & kHighBits;  // 'a'-'f'
  if ((digits | letters) != kHighBits) return false;
  const uint64_t nibbles = (x & 0x0F * kOnes) + (letters >> 7) * 9;
  // Each pair of nibbles into the low byte of its 16-bit lane, then the
  // four lanes' low bytes together.
  uint64_t v = ((nibbles << 4) + (nibbles >> 8)) & 0x00FF00FF00FF00FF;
  v = (v | v >> 8) & 0x0000FFFF0000FFFF;
  v = (v | v >> 16) & 0xFFFFFFFF;
  const auto bytes = static_cast<uint32_t>(v);
  std::memcpy(out, &bytes, sizeof bytes);
  return true;
}

}  // namespace

void WriteHex(char* out, const uint8_t* bytes, size_t n) {
  size_t i = 0;
  if constexpr (kSwar) {
    for (; i + 4 <= n; i += 4) WriteHex4(bytes + i, out + 2 * i);
  }
  for (; i < n; ++i) {
    out[2 * i] = kHexTables.pairs[bytes[i]][0];
    out[2 * i + 1] = kHexTables.pairs[bytes[i]][1];
  }
}

void AppendHex(std::string& out, const uint8_t* bytes, size_t n) {
  const size_t at = out.size();
  out.resize(at + 2 * n);
  WriteHex(out.data() + at, bytes, n);
}

bool ParseLowerHex(std::string_view hex, uint8_t* out, size_t n) {
  if (hex.size() != 2 * n) return false;
  size_t i = 0;
  if constexpr (kSwar) {
    for (; i + 4 <= n; i += 4) {
      if (!ParseHex8(hex.data() + 2 * i, out + i)) return false;
    }
  }
  for (; i < n; ++i) {
    const int hi = kHexTables.lower_digit[static_cast<unsigned char>(hex[2 * i])];
    const int lo = kHexTables.lower_digit[static_cast<unsigned char>(hex[2 * i + 1])];
    if ((hi | lo) < 0) return false;
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return true;
}

}  // namespace tai::internal

namespace tai::internal {

bool IsValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    size_t n = Utf8SequenceLength(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

int LowerHexDigit(char c) { return kHexTables.lower_digit[static_cast<unsigned char>(c)]; }

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

namespace {
char LowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (LowerAscii(a[i]) != LowerAscii(b[i])) return false;
  }
  return true;
}

std::string_view Utf8Prefix(std::string_view s, size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  size_t n = max_bytes;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = LowerAscii(c);
  return out;
}

std::string GoogleLabelText(std::string_view s) {
  std::string out;
  for (char c : s) {
    const char l = LowerAscii(c);
    const bool ok = (l >= 'a' && l <= 'z') || (l >= '0' && l <= '9') || l == '_' || l == '-';
    out += ok ? l : '_';
    if (out.size() == 63) break;
  }
  return out;
}

std::string StringPrintf(const char* format, ...) {
  va_list args;
  va_start(args, format);
  va_list again;
  va_copy(again, args);
  char buf[256];
  int n = std::vsnprintf(buf, sizeof buf, format, args);
  va_end(args);
  std::string out;
  if (n < 0) {
    va_end(again);
    return out;
  }
  if (static_cast<size_t>(n) < sizeof buf) {
    out.assign(buf, static_cast<size_t>(n));
  } else {
    out.resize(static_cast<size_t>(n));
    std::vsnprintf(out.data(), out.size() + 1, format, again);
  }
  va_end(again);
  return out;
}

}  // namespace tai::internal
