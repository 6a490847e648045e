// Tracer, Span and SpanScope: the tracing pillar's hot path.
//
//   tai::Span span = tracer.StartSpan("load user", {.kind = tai::SpanKind::kClient});
//   tai::SpanScope scope(span);            // children on this thread nest under it
//   span.SetAttribute("user.id", 42);
//   ...                                     // ~Span ends it, ~SpanScope restores
//
// A span's parent is, in order: SpanOptions::parent when valid (a context
// carried from another thread or extracted from a request), else the span
// active on this thread (SpanScope), else none (a new trace). Duration is
// measured on the monotonic clock; timestamps are wall-clock nanoseconds.
//
// Sampling happens at start. An unsampled span records nothing and costs a
// few nanoseconds; with error keeping on (the default), an unsampled span is
// recorded into a small per-trace buffer that is exported only if a span of
// the trace ends with error status, and dropped otherwise.
//
// Ownership: the application (or tai::Observability) owns the Tracer; it
// must outlive its spans. A Tracer is thread-safe. A Span belongs to one
// thread at a time (move it to hand it over); it must not be moved while a
// SpanScope has it active. Ending twice is harmless.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tai/core/attributes.h"
#include "tai/core/span_context.h"
#include "tai/trace/sampler.h"
#include "tai/trace/span_data.h"

namespace tai {

class BatchSpanProcessor;
class Tracer;
namespace internal {
struct SpanRecord;
// The built-in samplers as data (trace/sampler_fast_path.h).
struct SamplerFastPath {
  bool generic = true;
  bool parent_based = false;
  uint64_t threshold = 0;
};
}  // namespace internal

// Defaults as OpenTelemetry's span limits. Anything past a limit is dropped
// and counted in the span (dropped_*) and in the tracer's statistics.
struct SpanLimits {
  size_t max_attributes = 128;
  size_t max_events = 128;
  size_t max_links = 128;
  size_t max_attributes_per_event = 128;
  size_t max_attributes_per_link = 128;
  // Longer string values (and strings in arrays) are cut to this many bytes,
  // at a UTF-8 character boundary; 0 means no limit.
  size_t max_value_length = 0;
};

struct SpanOptions {
  SpanKind kind = SpanKind::kInternal;
  // Explicit parent; when null or invalid, the thread's active span is.
  const SpanContext* parent = nullptr;
  // Start a new trace even when a span is active on this thread.
  bool root = false;
  Attributes attributes;
  std::vector<SpanLink> links;
  // Wall-clock start time; 0 means now.
  int64_t start_unix_nanos = 0;
};

class Span {
 public:
  // A span that records nothing and has an invalid context.
  Span() = default;
  ~Span() { End(); }
  Span(Span&& other) noexcept;
  Span& operator=(Span&& other) noexcept;
  Span(const Span&) = delete;
  Span& operator=(const Span&) = delete;

  const SpanContext& context() const { return context_; }
  // True until End() for a sampled span, or an unsampled one held for error
  // keeping: only then do the setters below do anything.
  bool IsRecording() const { return record_ != nullptr; }

  // Replaces the value of an existing key.
  Span& SetAttribute(std::string_view key, AttributeValue value);
  Span& SetAttributes(const Attributes& attributes);
  // `time_unix_nanos` 0 means now.
  Span& AddEvent(std::string_view name, Attributes attributes = {}, int64_t time_unix_nanos = 0);
  // An "exception" event with exception.type and exception.message (the
  // OpenTelemetry convention). The status is left to the caller.
  Span& RecordException(const std::exception& e);
  Span& RecordException(std::string_view type, std::string_view message);
  Span& AddLink(const SpanContext& context, Attributes attributes = {});
  // Error wins over Ok and Ok is final, as in OpenTelemetry; Unset is ignored.
  Span& SetStatus(SpanStatusCode code, std::string_view message = {});
  Span& UpdateName(std::string_view name);
  // Ends the span (now, or at the given wall time) and hands it to export.
  void End(int64_t end_unix_nanos = 0) {
    if (record_) EndRecording(end_unix_nanos);
  }

 private:
  void EndRecording(int64_t end_unix_nanos);
  friend class Tracer;
  SpanContext context_;
  internal::SpanRecord* record_ = nullptr;
  Tracer* tracer_ = nullptr;
};

// Makes a span the active one on this thread for the scope's lifetime, so
// that spans started here nest under it and logs carry its ids. Scopes nest
// and restore in reverse order; a scope must end on the thread that made it.
class SpanScope {
 public:
  explicit SpanScope(const Span& span);
  ~SpanScope();
  SpanScope(const SpanScope&) = delete;
  SpanScope& operator=(const SpanScope&) = delete;

 private:
  const Span* previous_span_;
  const SpanContext* previous_context_;
};

// The span made active by the innermost SpanScope on this thread, or null.
const Span* ActiveSpan();

struct TracerOptions {
  // Default: parent-based over a ratio of 1.0 (use Config / DefaultSampleRatio).
  std::shared_ptr<const Sampler> sampler;
  SpanLimits limits;
  // Record unsampled spans in a per-trace buffer and export the trace if one
  // of its spans ends with error status.
  bool keep_error_traces = true;
  // At most this many buffered spans per trace; more are dropped and counted.
  size_t error_buffer_spans = 64;
};

struct TracerStats {
  uint64_t error_traces_kept = 0;     // unsampled traces exported for an error
  uint64_t error_spans_kept = 0;      // spans exported that way
  uint64_t error_buffer_dropped = 0;  // per-trace buffer full
  // Unsampled traces that could not be registered for lookup from other
  // threads (a thread with more than a few hundred open traces): spans
  // started there from such a trace's carried context keep errors of their
  // own part of the trace only.
  uint64_t error_lookup_evictions = 0;
  uint64_t attributes_dropped = 0;  // past a limit (span, event and link)
  uint64_t events_dropped = 0;
  uint64_t links_dropped = 0;
  uint64_t values_truncated = 0;
};

class Tracer {
 public:
  // Ended spans go to `processor`; null discards them (a no-op tracer).
  explicit Tracer(std::shared_ptr<BatchSpanProcessor> processor, TracerOptions options = {});
  ~Tracer();
  Tracer(const Tracer&) = delete;
  Tracer& operator=(const Tracer&) = delete;

  Span StartSpan(std::string_view name, const SpanOptions& options = {});
  // A child of `parent` whatever is active on this thread.
  Span StartSpan(std::string_view name, const Span& parent, const SpanOptions& options = {});

  const Sampler& sampler() const { return *options_.sampler; }
  const SpanLimits& limits() const { return options_.limits; }
  const std::shared_ptr<BatchSpanProcessor>& processor() const { return processor_; }
  TracerStats stats() const;

 private:
  friend class Span;
  struct Counters;
  // Inlined into both StartSpan overloads: one call less per span.
  [[gnu::always_inline]] inline Span Start(std::string_view name, const SpanOptions& options,
                                           const SpanContext& parent,
                                           internal::SpanRecord* parent_record);
  // The record of a span that records (sampled, or held for error keeping).
  [[gnu::noinline]] internal::SpanRecord* StartRecording(const SpanContext& context,
                                                         std::string_view name,
                                                         const SpanOptions& options,
                                                         const SpanContext& parent,
                                                         internal::SpanRecord* parent_record);
  void Finish(internal::SpanRecord* record, int64_t end_unix_nanos);
  Counters& counters() const { return *counters_; }

  TracerOptions options_;
  internal::SamplerFastPath sampler_fast_path_;
  std::shared_ptr<BatchSpanProcessor> processor_;
  std::unique_ptr<Counters> counters_;
};

// The process-wide tracer: the one tai::Observability installed, or a no-op
// tracer that samples nothing. For code (and TraceSpan) that cannot be handed
// a Tracer. The tracer set must outlive its use; setting null restores the
// no-op one.
Tracer& GlobalTracer();
void SetGlobalTracer(Tracer* tracer);
// Whether a tracer is set (GlobalTracer() is not the no-op one).
bool GlobalTracerSet();

}  // namespace tai
