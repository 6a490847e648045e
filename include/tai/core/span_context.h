// SpanContext: the identity of a span as it travels between threads and
// processes (W3C trace context: trace id, span id, flags, tracestate), and
// the context of the span active on the calling thread.
//
// SpanContext is a value type. CurrentSpanContext() reads thread-local state
// and is safe from any thread; the tracing pillar (trace.h) sets it when a
// span is made current, and the logging pillar reads it to correlate
// records with traces.
#pragma once

#include <cstdint>
#include <string>

#include "tai/core/ids.h"

namespace tai {

struct SpanContext {
  TraceId trace_id;
  SpanId span_id;
  uint8_t trace_flags = 0;  // bit 0: sampled
  std::string trace_state;  // W3C tracestate, as received
  bool remote = false;      // extracted from a request rather than made here

  static constexpr uint8_t kSampledFlag = 0x01;

  bool valid() const { return trace_id.valid() && span_id.valid(); }
  bool sampled() const { return (trace_flags & kSampledFlag) != 0; }
  friend bool operator==(const SpanContext&, const SpanContext&) = default;
};

// The context of the span active on this thread, or an invalid context.
const SpanContext& CurrentSpanContext();

namespace detail {
// Makes `context` (which must outlive its activation) the current one and
// returns the previous, for the tracing pillar's scopes to restore.
const SpanContext* SwapCurrentSpanContext(const SpanContext* context);
}  // namespace detail

}  // namespace tai
