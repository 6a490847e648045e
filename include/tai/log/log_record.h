// LogValue, LogField and LogRecord: what a log call carries to the sinks.
//
// LogField is a key and a typed value (string, signed or unsigned integer,
// double, bool). At a call site it only views the caller's data, so a
// braced list of fields costs no allocation:
//
//   TAI_LOG_INFO(log, {{"user_id", id}, {"path", path}, {"ok", true}}, "served {}", n);
//
// LogRecord is one record as the pipeline hands it to sinks: timestamp
// (ns since the epoch), level, message, the fields (kept encoded in one
// buffer and read back with fields()), source location, thread id, logger
// name, and the trace context it was made in. Records handed to a sink are
// only valid during LogSink::Export; copy a LogRecord to keep it.
//
// Value types. Not synchronised.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <string>
#include <string_view>
#include <type_traits>

#include "tai/core/ids.h"
#include "tai/log/log_level.h"

namespace tai {

class LogValue {
 public:
  enum class Kind : uint8_t { kString, kInt, kUint, kDouble, kBool };

  constexpr LogValue() = default;                                          // the empty string
  constexpr LogValue(std::string_view v) : kind_(Kind::kString), s_(v) {}  // NOLINT: implicit
  constexpr LogValue(const char* v) : kind_(Kind::kString), s_(v) {}       // NOLINT
  LogValue(const std::string& v) : kind_(Kind::kString), s_(v) {}          // NOLINT
  constexpr LogValue(bool v) : kind_(Kind::kBool), b_(v) {}                // NOLINT
  constexpr LogValue(double v) : kind_(Kind::kDouble), d_(v) {}            // NOLINT
  constexpr LogValue(float v) : kind_(Kind::kDouble), d_(v) {}             // NOLINT
  template <typename I>
  requires(std::is_integral_v<I> && !std::is_same_v<I, bool>) constexpr LogValue(I v)  // NOLINT
  {
    if constexpr (std::is_signed_v<I>) {
      kind_ = Kind::kInt;
      i_ = static_cast<int64_t>(v);
    } else {
      kind_ = Kind::kUint;
      u_ = static_cast<uint64_t>(v);
    }
  }

  Kind kind() const { return kind_; }
  std::string_view string_value() const { return s_; }
  int64_t int_value() const { return i_; }
  uint64_t uint_value() const { return u_; }
  double double_value() const { return d_; }
  bool bool_value() const { return b_; }

  // Strings as is, numbers in decimal (doubles shortest round-trip), "true"/"false".
  std::string ToString() const;

  friend bool operator==(const LogValue& a, const LogValue& b);

 private:
  Kind kind_ = Kind::kString;
  union {
    int64_t i_ = 0;
    uint64_t u_;
    double d_;
    bool b_;
  };
  std::string_view s_;
};

struct LogField {
  std::string_view key;
  LogValue value;
  friend bool operator==(const LogField& a, const LogField& b) = default;
};

using LogFields = std::initializer_list<LogField>;

// The fields of a record, decoded one at a time from its buffer.
class LogFieldRange {
 public:
  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = LogField;
    using difference_type = std::ptrdiff_t;
    using pointer = const LogField*;
    using reference = LogField;

    Iterator() = default;
    LogField operator*() const { return Decode(p_).first; }
    Iterator& operator++() {
      p_ = Decode(p_).second;
      return *this;
    }
    Iterator operator++(int) {
      Iterator old = *this;
      ++*this;
      return old;
    }
    friend bool operator==(const Iterator& a, const Iterator& b) { return a.p_ == b.p_; }

   private:
    friend class LogFieldRange;
    explicit Iterator(const char* p) : p_(p) {}
    static std::pair<LogField, const char*> Decode(const char* p);
    const char* p_ = nullptr;
  };

  explicit LogFieldRange(std::string_view data) : data_(data) {}
  Iterator begin() const { return Iterator(data_.data()); }
  Iterator end() const { return Iterator(data_.data() + data_.size()); }
  bool empty() const { return data_.empty(); }
  size_t size() const;

 private:
  std::string_view data_;
};

struct LogRecord {
  int64_t time_unix_nanos = 0;
  LogLevel level = LogLevel::kInfo;
  std::string message;
  // Source location of the call site (static strings; empty when unknown).
  const char* file = "";
  uint32_t line = 0;
  const char* function = "";
  std::string_view logger_name;  // interned: valid for the life of the process
  uint32_t thread_id = 0;        // the kernel's thread id (gettid)
  // Trace context; all zero when the record was made outside a span.
  TraceId trace_id;
  SpanId span_id;
  uint8_t trace_flags = 0;
  // Records this call site dropped under its rate limit just before this one.
  uint64_t suppressed = 0;

  bool has_trace() const { return trace_id.valid(); }
  bool trace_sampled() const { return (trace_flags & 0x01) != 0; }

  LogFieldRange fields() const { return LogFieldRange(field_data_); }
  void AddField(const LogField& field);
  void AddFields(LogFields fields);
  void ClearFields() { field_data_.clear(); }
  // The encoded fields (sinks may compare or copy it; not an interchange format).
  const std::string& field_data() const { return field_data_; }
  void set_field_data(std::string data) { field_data_ = std::move(data); }

  // Returns the first field named `key`, if any.
  bool FindField(std::string_view key, LogValue* value) const;

 private:
  std::string field_data_;
};

// Interns a logger name: the same text always gives the same view, valid
// for the life of the process. Thread-safe; meant for a few names.
std::string_view InternLoggerName(std::string_view name);

}  // namespace tai
