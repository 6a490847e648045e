#include "tai/compat/trace_span.h"

#include "tai/core/clock.h"

namespace tai {

TraceSpan::TraceSpan(std::string name) : TraceSpan(GlobalTracer(), std::move(name)) {}

TraceSpan::TraceSpan(Tracer& tracer, std::string name)
    : name_(std::move(name)), span_(tracer.StartSpan(name_)), start_mono_nanos_(MonotonicNanos()) {}

TraceSpan::~TraceSpan() {
  if (!duration_) span_.End();
}

void TraceSpan::Finish(SpanStatus status) {
  if (duration_) return;
  duration_ = std::chrono::nanoseconds(MonotonicNanos() - start_mono_nanos_);
  span_.SetStatus(status == SpanStatus::kOk ? SpanStatusCode::kOk : SpanStatusCode::kError);
  span_.End();
}

std::optional<std::chrono::nanoseconds> TraceSpan::GetDuration() const { return duration_; }

}  // namespace tai
