#include "tai/log/log_record.h"

#include <cstring>
#include <mutex>
#include <string>
#include <unordered_set>

#include "core/text.h"

namespace tai {
namespace {

// Field encoding, one after another in LogRecord::field_data_:
//   kind (1 byte) | key length (4) | key | value
// where a string value is its length (4) and bytes, and every other value
// is 8 bytes (int64, uint64, double, or 0/1 for bool).
template <typename T>
void Put(char*& p, T v) {
  std::memcpy(p, &v, sizeof v);
  p += sizeof v;
}

template <typename T>
T Get(const char*& p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  p += sizeof v;
  return v;
}

size_t EncodedSize(const LogField& f) {
  size_t n = 1 + 4 + f.key.size();
  return n + (f.value.kind() == LogValue::Kind::kString ? 4 + f.value.string_value().size() : 8);
}

char* Encode(char* p, const LogField& f) {
  *p++ = static_cast<char>(f.value.kind());
  Put(p, static_cast<uint32_t>(f.key.size()));
  std::memcpy(p, f.key.data(), f.key.size());
  p += f.key.size();
  switch (f.value.kind()) {
    case LogValue::Kind::kString: {
      std::string_view s = f.value.string_value();
      Put(p, static_cast<uint32_t>(s.size()));
      std::memcpy(p, s.data(), s.size());
      p += s.size();
      break;
    }
    case LogValue::Kind::kInt:
      Put(p, f.value.int_value());
      break;
    case LogValue::Kind::kUint:
      Put(p, f.value.uint_value());
      break;
    case LogValue::Kind::kDouble:
      Put(p, f.value.double_value());
      break;
    case LogValue::Kind::kBool:
      Put(p, static_cast<uint64_t>(f.value.bool_value()));
      break;
  }
  return p;
}

}  // namespace

std::string LogValue::ToString() const {
  std::string out;
  switch (kind_) {
    case Kind::kString:
      return std::string(s_);
    case Kind::kInt:
      internal::AppendInt(out, i_);
      break;
    case Kind::kUint:
      internal::AppendUint(out, u_);
      break;
    case Kind::kDouble:
      internal::AppendDouble(out, d_);
      break;
    case Kind::kBool:
      return b_ ? "true" : "false";
  }
  return out;
}

bool operator==(const LogValue& a, const LogValue& b) {
  if (a.kind_ != b.kind_) return false;
  switch (a.kind_) {
    case LogValue::Kind::kString:
      return a.s_ == b.s_;
    case LogValue::Kind::kInt:
      return a.i_ == b.i_;
    case LogValue::Kind::kUint:
      return a.u_ == b.u_;
    case LogValue::Kind::kDouble:
      return a.d_ == b.d_;
    case LogValue::Kind::kBool:
      return a.b_ == b.b_;
  }
  return false;
}

std::pair<LogField, const char*> LogFieldRange::Iterator::Decode(const char* p) {
  auto kind = static_cast<LogValue::Kind>(*p++);
  uint32_t key_len = Get<uint32_t>(p);
  std::string_view key(p, key_len);
  p += key_len;
  switch (kind) {
    case LogValue::Kind::kString: {
      uint32_t len = Get<uint32_t>(p);
      std::string_view s(p, len);
      p += len;
      return {LogField{key, s}, p};
    }
    case LogValue::Kind::kInt:
      return {LogField{key, Get<int64_t>(p)}, p};
    case LogValue::Kind::kUint:
      return {LogField{key, Get<uint64_t>(p)}, p};
    case LogValue::Kind::kDouble:
      return {LogField{key, Get<double>(p)}, p};
    case LogValue::Kind::kBool:
      return {LogField{key, Get<uint64_t>(p) != 0}, p};
  }
  return {LogField{key, std::string_view()}, p};
}

size_t LogFieldRange::size() const {
  size_t n = 0;
  for (auto it = begin(); it != end(); ++it) ++n;
  return n;
}

void LogRecord::AddField(const LogField& field) {
  size_t old = field_data_.size();
  field_data_.resize(old + EncodedSize(field));
  Encode(field_data_.data() + old, field);
}

void LogRecord::AddFields(LogFields fields) {
  size_t total = 0;
  for (const LogField& f : fields) total += EncodedSize(f);
  size_t old = field_data_.size();
  field_data_.resize(old + total);
  char* p = field_data_.data() + old;
  for (const LogField& f : fields) p = Encode(p, f);
}

bool LogRecord::FindField(std::string_view key, LogValue* value) const {
  for (LogField f : fields()) {
    if (f.key == key) {
      *value = f.value;
      return true;
    }
  }
  return false;
}

std::string_view InternLoggerName(std::string_view name) {
  static std::mutex mu;
  static auto* names = new std::unordered_set<std::string>();  // never freed: views outlive exit
  std::lock_guard<std::mutex> lock(mu);
  return *names->emplace(name).first;
}

}  // namespace tai
