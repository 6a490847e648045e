// TraceSpan and SpanStatus: the original design's timing span. A TraceSpan
// starts a span (a child of the thread's active span) on the given tracer,
// or on GlobalTracer(); Finish(status) ends it and fixes its duration, which
// GetDuration() reports whether or not the span was sampled. The
// destructor ends an unfinished span with status unset.
//
// Owned by the caller; used on one thread at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "tai/trace/trace.h"

namespace tai {

enum class SpanStatus { kOk, kError };

class TraceSpan {
 public:
  explicit TraceSpan(std::string name);
  TraceSpan(Tracer& tracer, std::string name);
  ~TraceSpan();
  TraceSpan(TraceSpan&&) noexcept = default;
  TraceSpan(const TraceSpan&) = delete;
  TraceSpan& operator=(const TraceSpan&) = delete;

  // Ends the span with the status. A second call changes nothing.
  void Finish(SpanStatus status);
  // Set once finished.
  std::optional<std::chrono::nanoseconds> GetDuration() const;
  const std::string& name() const { return name_; }
  Span& span() { return span_; }

 private:
  std::string name_;
  Span span_;
  int64_t start_mono_nanos_;
  std::optional<std::chrono::nanoseconds> duration_;
};

}  // namespace tai
