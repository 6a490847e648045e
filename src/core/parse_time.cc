#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <string>

#include "tai/core/parse.h"

namespace tai {
namespace {

constexpr int64_t kNanosPerSecond = 1'000'000'000;

// Reads exactly `digits` decimal digits at `pos`.
bool ReadDigits(std::string_view text, size_t& pos, size_t digits, int* out) {
  if (pos + digits > text.size()) return false;
  int value = 0;
  for (size_t i = 0; i < digits; ++i) {
    const char c = text[pos + i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  pos += digits;
  *out = value;
  return true;
}

bool Expect(std::string_view text, size_t& pos, std::string_view chars) {
  if (pos >= text.size() || chars.find(text[pos]) == std::string_view::npos) return false;
  ++pos;
  return true;
}

}  // namespace

Result<int64_t> ParseRfc3339(std::string_view text) {
  const std::string quoted = "'" + std::string(text) + "'";
  const auto bad = [&] {
    return InvalidArgumentError(quoted + " is not an RFC 3339 time like 2026-01-25T10:30:00Z");
  };
  size_t pos = 0;
  int year, month, day, hour, minute, second;
  if (!ReadDigits(text, pos, 4, &year) || !Expect(text, pos, "-") ||
      !ReadDigits(text, pos, 2, &month) || !Expect(text, pos, "-") ||
      !ReadDigits(text, pos, 2, &day) || !Expect(text, pos, "Tt ") ||
      !ReadDigits(text, pos, 2, &hour) || !Expect(text, pos, ":") ||
      !ReadDigits(text, pos, 2, &minute) || !Expect(text, pos, ":") ||
      !ReadDigits(text, pos, 2, &second)) {
    return bad();
  }
  int64_t fraction = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int64_t scale = kNanosPerSecond;
    size_t digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (scale > 1) {
        scale /= 10;
        fraction += (text[pos] - '0') * scale;
      }
      ++pos;
      ++digits;
    }
    if (digits == 0) return bad();
  }
  int64_t offset_seconds = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    const int sign = text[pos] == '-' ? -1 : 1;
    ++pos;
    int oh, om;
    if (!ReadDigits(text, pos, 2, &oh) || !Expect(text, pos, ":") ||
        !ReadDigits(text, pos, 2, &om) || oh > 23 || om > 59) {
      return bad();
    }
    offset_seconds = sign * (oh * 3600 + om * 60);
  } else {
    return InvalidArgumentError(quoted + " has no time zone (end it with Z or +hh:mm)");
  }
  if (pos != text.size()) return bad();
  const std::chrono::year_month_day date{std::chrono::year(year),
                                         std::chrono::month(static_cast<unsigned>(month)),
                                         std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok() || hour > 23 || minute > 59 || second > 60) {
    return InvalidArgumentError(quoted + " is not a valid date and time");
  }
  const int64_t days = std::chrono::sys_days(date).time_since_epoch().count();
  const int64_t seconds = days * 86'400 + hour * 3600 + minute * 60 + second - offset_seconds;
  // Years 0000-9999 stay far inside int64 nanoseconds only after 1677.
  if (seconds < -9'000'000'000 || seconds > 9'000'000'000) {
    return InvalidArgumentError(quoted + " is out of range (years 1678 to 2262)");
  }
  return seconds * kNanosPerSecond + fraction;
}

// Days and weeks past this would not fit int64 nanoseconds (about 292
// years); no dashboard range needs a century.
constexpr int kMaxDurationDays = 36'500;

Result<int64_t> ParseDurationNanos(std::string_view text) {
  // Days and weeks are what dashboard ranges are made of; core's
  // ParseDuration has the rest.
  if (!text.empty() && (text.back() == 'd' || text.back() == 'w')) {
    double number = 0;
    const std::string_view digits = text.substr(0, text.size() - 1);
    auto r = std::from_chars(digits.data(), digits.data() + digits.size(), number);
    // !(number >= 0) refuses NaN too. Found by tests/fuzz/query_params_fuzz.cc:
    // the bound was on the number, so 170000w overflowed the nanoseconds.
    if (r.ec != std::errc() || r.ptr != digits.data() + digits.size() || !(number >= 0)) {
      return InvalidArgumentError("duration '" + std::string(text) +
                                  "' is not a non-negative number of days or weeks");
    }
    const double days = number * (text.back() == 'w' ? 7 : 1);
    if (days > kMaxDurationDays) {
      return InvalidArgumentError("duration '" + std::string(text) + "' is longer than " +
                                  std::to_string(kMaxDurationDays) + " days");
    }
    return static_cast<int64_t>(std::llround(days * 86'400.0 * kNanosPerSecond));
  }
  TAI_ASSIGN_OR_RETURN(std::chrono::milliseconds ms, ParseDuration(text));
  if (ms.count() > INT64_MAX / 1'000'000) {
    return InvalidArgumentError("duration '" + std::string(text) + "' is too long");
  }
  return static_cast<int64_t>(ms.count()) * 1'000'000;
}

Result<int64_t> ParseTime(std::string_view text, int64_t now_nanos) {
  if (text == "now") return now_nanos;
  if (text.starts_with("now-") || text.starts_with("now+")) {
    TAI_ASSIGN_OR_RETURN(int64_t d, ParseDurationNanos(text.substr(4)));
    int64_t t = 0;
    if (text[3] == '-' ? __builtin_sub_overflow(now_nanos, d, &t)
                       : __builtin_add_overflow(now_nanos, d, &t)) {
      return InvalidArgumentError("'" + std::string(text) + "' is outside the range of times");
    }
    return t;
  }
  if (!text.empty() && text.find_first_not_of("0123456789.") == std::string_view::npos) {
    double seconds = 0;
    auto r = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (r.ec != std::errc() || r.ptr != text.data() + text.size() || seconds > 9e9) {
      return InvalidArgumentError("'" + std::string(text) + "' is not a Unix time in seconds");
    }
    return static_cast<int64_t>(std::llround(seconds * 1e9));
  }
  if (text.size() >= 10 && text[4] == '-') return ParseRfc3339(text);
  return InvalidArgumentError("'" + std::string(text) +
                              "' is not a time: use RFC 3339 (2026-01-25T10:30:00Z), Unix "
                              "seconds, now or now-1h");
}

}  // namespace tai
