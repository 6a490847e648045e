#include "log/redactor.h"

#include <algorithm>

namespace tai::internal {
namespace {

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool IsKeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.';
}

bool EndsValue(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == ';' || c == '&' ||
         c == '"' || c == '\'';
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (Lower(s[i]) != prefix[i]) return false;
  }
  return true;
}

uint32_t Fnv1a(std::string_view s) {
  uint32_t h = 2166136261u;
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
  return h;
}

// The first '=' or ':' at or after `from` (std::string::find_first_of calls
// memchr once per character of the text).
size_t FindSeparator(std::string_view s, size_t from) {
  for (size_t i = from; i < s.size(); ++i) {
    if (s[i] == '=' || s[i] == ':') return i;
  }
  return std::string_view::npos;
}

}  // namespace

Redactor::Redactor(const std::vector<std::string>& keys) : cache_(kCacheSize) {
  for (const std::string& k : keys) {
    if (k.empty()) continue;
    std::string lower;
    for (char c : k) lower += Lower(c);
    keys_.push_back(std::move(lower));
  }
}

bool Redactor::Matches(std::string_view key) const {
  std::string lower(key.size(), '\0');
  std::transform(key.begin(), key.end(), lower.begin(), Lower);
  for (const std::string& k : keys_) {
    if (lower.find(k) != std::string::npos) return true;
  }
  return false;
}

bool Redactor::IsSensitive(std::string_view key) {
  if (keys_.empty()) return false;
  CacheEntry& e = cache_[Fnv1a(key) % kCacheSize];
  if (e.used && e.key == key) return e.sensitive;
  e.key.assign(key);
  e.used = true;
  e.sensitive = Matches(key);
  return e.sensitive;
}

size_t Redactor::Apply(LogRecord& record) {
  if (keys_.empty()) return 0;
  size_t redacted = RedactText(record.message);
  bool any = false;
  for (LogField f : record.fields()) {
    if (IsSensitive(f.key) ||
        (f.value.kind() == LogValue::Kind::kString &&
         FindSeparator(f.value.string_value(), 0) != std::string_view::npos)) {
      any = true;
      break;
    }
  }
  if (!any) return redacted;
  scratch_.ClearFields();
  std::string value;
  for (LogField f : record.fields()) {
    if (IsSensitive(f.key)) {
      scratch_.AddField({f.key, kRedacted});
      ++redacted;
    } else if (f.value.kind() == LogValue::Kind::kString) {
      value.assign(f.value.string_value());
      redacted += RedactText(value);
      scratch_.AddField({f.key, value});
    } else {
      scratch_.AddField(f);
    }
  }
  std::string data = scratch_.field_data();
  record.set_field_data(std::move(data));
  return redacted;
}

size_t Redactor::RedactText(std::string& text) {
  if (keys_.empty()) return 0;
  size_t redacted = 0;
  size_t i = FindSeparator(text, 0);
  while (i != std::string::npos) {
    // The key: the run of key characters before the separator, allowing
    // a closing quote ("password": "x").
    size_t key_end = i;
    if (key_end > 0 && text[key_end - 1] == '"') --key_end;
    size_t key_begin = key_end;
    while (key_begin > 0 && IsKeyChar(text[key_begin - 1])) --key_begin;
    size_t next_from = i + 1;
    if (key_begin < key_end &&
        IsSensitive(std::string_view(text).substr(key_begin, key_end - key_begin))) {
      size_t v = i + 1;
      while (v < text.size() && (text[v] == ' ' || text[v] == '"' || text[v] == '\'')) ++v;
      std::string_view rest = std::string_view(text).substr(v);
      if (StartsWithNoCase(rest, "bearer ")) v += 7;
      if (StartsWithNoCase(rest, "basic ")) v += 6;
      size_t e = v;
      while (e < text.size() && !EndsValue(text[e])) ++e;
      if (e > v && std::string_view(text).substr(v, e - v) != kRedacted) {
        text.replace(v, e - v, kRedacted);
        ++redacted;
        next_from = v + kRedacted.size();
      }
    }
    i = FindSeparator(text, next_from);
  }
  return redacted;
}

}  // namespace tai::internal
