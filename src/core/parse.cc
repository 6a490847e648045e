#include "tai/core/parse.h"

#include <cctype>
#include <charconv>
#include <cstdint>

#include "core/text.h"

namespace tai {
namespace {

std::string Trim(std::string_view s) { return std::string(internal::TrimSpaces(s)); }

// The text between commas, untrimmed, in order; `each` is called for every
// item, empty ones included.
template <typename F>
void ForEachCommaItem(std::string_view text, F&& each) {
  size_t pos = 0;
  while (pos <= text.size()) {
    const size_t comma = text.find(',', pos);
    each(text.substr(pos, comma == std::string_view::npos ? comma : comma - pos));
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
}

}  // namespace

std::string PercentDecode(std::string_view raw) {
  std::string value;
  for (size_t i = 0; i < raw.size(); ++i) {
    // Two hex digits: from_chars alone would also take "%-1" and "%+f".
    if (raw[i] == '%' && i + 2 < raw.size() &&
        std::isxdigit(static_cast<unsigned char>(raw[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(raw[i + 2]))) {
      int v = 0;
      auto r = std::from_chars(raw.data() + i + 1, raw.data() + i + 3, v, 16);
      if (r.ec == std::errc() && r.ptr == raw.data() + i + 3) {
        value += static_cast<char>(v);
        i += 2;
        continue;
      }
    }
    value += raw[i];
  }
  return value;
}

Result<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  std::string t = Trim(text);
  if (t.empty()) return InvalidArgumentError("duration is empty");
  double number = 0;
  auto r = std::from_chars(t.data(), t.data() + t.size(), number);
  // !(number >= 0) also refuses NaN ("nan" parses as a number), which no
  // bound below would catch and which has no integer value.
  if (r.ec != std::errc() || !(number >= 0)) {
    return InvalidArgumentError("duration '" + t + "' does not start with a non-negative number");
  }
  std::string_view unit(r.ptr, static_cast<size_t>(t.data() + t.size() - r.ptr));
  double ms_per_unit;
  if (unit.empty() || unit == "s") {
    ms_per_unit = 1000;
  } else if (unit == "ms") {
    ms_per_unit = 1;
  } else if (unit == "m") {
    ms_per_unit = 60'000;
  } else if (unit == "h") {
    ms_per_unit = 3'600'000;
  } else {
    return InvalidArgumentError("duration '" + t + "' has unit '" + std::string(unit) +
                                "'; use ms, s, m or h");
  }
  // Past this the milliseconds would not fit an int64; no setting needs a
  // thousand years.
  constexpr double kMaxMillis = 1e3 * 86'400 * 365 * 1000;
  if (number * ms_per_unit > kMaxMillis) {
    return InvalidArgumentError("duration '" + t + "' is longer than 1000 years");
  }
  return std::chrono::milliseconds(static_cast<int64_t>(number * ms_per_unit + 0.5));
}

Status ParseHostPort(std::string_view text, std::string* host, int* port) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return InvalidArgumentError("address '" + std::string(text) + "' has no :port");
  }
  std::string_view h = text.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  if (h.empty()) return InvalidArgumentError("address '" + std::string(text) + "' has no host");
  std::string_view p = text.substr(colon + 1);
  int v = -1;
  auto r = std::from_chars(p.data(), p.data() + p.size(), v);
  if (p.empty() || r.ec != std::errc() || r.ptr != p.data() + p.size() || v < 0 || v > 65535) {
    return InvalidArgumentError("address '" + std::string(text) + "' has port '" + std::string(p) +
                                "'; expected 0-65535");
  }
  *host = std::string(h);
  *port = v;
  return Status::Ok();
}

Result<std::vector<std::pair<std::string, std::string>>> ParseKeyValueList(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  Status error;
  ForEachCommaItem(text, [&](std::string_view item) {
    if (!error.ok() || Trim(item).empty()) return;
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      error = InvalidArgumentError("'" + std::string(item) + "' is not key=value");
      return;
    }
    std::string key = Trim(item.substr(0, eq));
    if (key.empty()) {
      error = InvalidArgumentError("'" + std::string(item) + "' has an empty key");
      return;
    }
    out.emplace_back(std::move(key), PercentDecode(Trim(item.substr(eq + 1))));
  });
  if (!error.ok()) return error;
  return out;
}

std::vector<std::string> ParseList(std::string_view text) {
  std::vector<std::string> out;
  ForEachCommaItem(text, [&](std::string_view item) {
    std::string trimmed = Trim(item);
    if (!trimmed.empty()) out.push_back(std::move(trimmed));
  });
  return out;
}

Result<bool> ParseBool(std::string_view text) {
  const std::string t = internal::AsciiLower(internal::TrimSpaces(text));
  if (t == "true" || t == "1" || t == "on" || t == "yes") return true;
  if (t == "false" || t == "0" || t == "off" || t == "no") return false;
  return InvalidArgumentError("expected true or false");
}

Result<size_t> ParsePositiveCount(std::string_view text) {
  size_t v = 0;
  auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  if (r.ec != std::errc() || r.ptr != text.data() + text.size() || v == 0) {
    return InvalidArgumentError("not a positive whole number");
  }
  return v;
}

Status ValidateHttpUrl(std::string_view url) {
  const std::string u(url);
  std::string_view rest;
  if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else if (url.starts_with("https://")) {
    rest = url.substr(8);
  } else {
    return InvalidArgumentError("URL '" + u + "' must start with http:// or https://");
  }
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.empty()) return InvalidArgumentError("URL '" + u + "' has no host");
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return InvalidArgumentError("URL '" + u + "' contains a space or control character");
    }
  }
  // A port, when given after the host (or after "]" of an IPv6 address).
  const size_t bracket = authority.rfind(']');
  const size_t colon = authority.rfind(':');
  if (colon == std::string_view::npos || (bracket != std::string_view::npos && colon < bracket)) {
    return Status::Ok();
  }
  const std::string_view port = authority.substr(colon + 1);
  int v = 0;
  auto r = std::from_chars(port.data(), port.data() + port.size(), v);
  if (port.empty() || r.ec != std::errc() || r.ptr != port.data() + port.size() || v < 1 ||
      v > 65535) {
    return InvalidArgumentError("URL '" + u + "' has port '" + std::string(port) +
                                "'; expected 1-65535");
  }
  if (colon == 0) return InvalidArgumentError("URL '" + u + "' has no host");
  return Status::Ok();
}

Status ValidateHttpHeader(std::string_view name, std::string_view value) {
  // RFC 9110 token characters for the name.
  constexpr std::string_view kTokenPunct = "!#$%&'*+-.^_`|~";
  if (name.empty()) return InvalidArgumentError("a header has an empty name");
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) &&
        kTokenPunct.find(c) == std::string_view::npos) {
      return InvalidArgumentError("header name '" + std::string(name) +
                                  "' has a character a header name may not hold");
    }
  }
  for (char c : value) {
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f) {
      return InvalidArgumentError("header '" + std::string(name) +
                                  "' has a control character (CR, LF...) in its value");
    }
  }
  return Status::Ok();
}

}  // namespace tai
