// SpanData: an ended span as the sinks receive it (OTLP, Cloud Trace, the
// local store, stdout, tests), with its kind, status, events and links.
//
// Value types. A SpanData handed to a sink is immutable and shared between
// sinks (SpanBatch); it is safe to read from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tai/core/attributes.h"
#include "tai/core/span_context.h"

namespace tai {

// Values follow OTLP's SpanKind (1..5) minus one, so the encoders add one.
enum class SpanKind { kInternal, kServer, kClient, kProducer, kConsumer };
std::string_view SpanKindName(SpanKind kind);  // "internal", "server", ...

// Unset means the instrumentation said nothing; OTLP's codes 0, 1, 2.
enum class SpanStatusCode { kUnset, kOk, kError };

struct SpanEvent {
  std::string name;
  int64_t time_unix_nanos = 0;
  Attributes attributes;
  uint32_t dropped_attributes = 0;
};

struct SpanLink {
  SpanContext context;
  Attributes attributes;
  uint32_t dropped_attributes = 0;
};

struct SpanData {
  SpanContext context;         // this span's ids, flags and tracestate
  SpanId parent_span_id;       // invalid for a root span
  bool parent_remote = false;  // the parent came from another process
  std::string name;
  SpanKind kind = SpanKind::kInternal;
  int64_t start_unix_nanos = 0;
  int64_t end_unix_nanos = 0;
  Attributes attributes;
  std::vector<SpanEvent> events;
  std::vector<SpanLink> links;
  SpanStatusCode status = SpanStatusCode::kUnset;
  std::string status_message;  // only meaningful with kError
  uint32_t dropped_attributes = 0;
  uint32_t dropped_events = 0;
  uint32_t dropped_links = 0;
  // Unsampled, kept because its trace had an error (see TracesConfig).
  bool kept_for_error = false;

  // The first span of the trace in this process: no parent, or a remote one.
  bool local_root() const { return !parent_span_id.valid() || parent_remote; }
  int64_t duration_nanos() const { return end_unix_nanos - start_unix_nanos; }
  // The value of `key`, or nullptr.
  const AttributeValue* FindAttribute(std::string_view key) const;
};

// A batch of ended spans, shared read-only by every sink it goes to.
using SpanBatch = std::shared_ptr<const std::vector<SpanData>>;

}  // namespace tai
