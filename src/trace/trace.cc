#include "tai/trace/trace.h"

#include <cxxabi.h>

#include <cstdlib>
#include <typeinfo>
#include <utility>

#include "core/text.h"
#include "tai/core/clock.h"
#include "tai/trace/span_processor.h"
#include "trace/error_trace_buffer.h"
#include "trace/record_cache.h"
#include "trace/sampler_fast_path.h"
#include "trace/span_record.h"

namespace tai {

struct Tracer::Counters {
  internal::ErrorKeepingCounters error_keeping;
  std::atomic<uint64_t> attributes_dropped{0};
  std::atomic<uint64_t> events_dropped{0};
  std::atomic<uint64_t> links_dropped{0};
  std::atomic<uint64_t> values_truncated{0};
};

namespace {

thread_local const Span* t_active_span = nullptr;

// Cuts string values (and strings in arrays) longer than `max` bytes.
bool TruncateValue(AttributeValue& value, size_t max) {
  if (max == 0) return false;
  if (value.is<std::string>()) {
    const std::string& s = value.get<std::string>();
    if (s.size() <= max) return false;
    value = AttributeValue(std::string(internal::Utf8Prefix(s, max)));
    return true;
  }
  if (value.is<std::vector<std::string>>()) {
    const auto& items = value.get<std::vector<std::string>>();
    bool cut = false;
    for (const auto& s : items) cut = cut || s.size() > max;
    if (!cut) return false;
    std::vector<std::string> copy;
    copy.reserve(items.size());
    for (const auto& s : items) copy.emplace_back(internal::Utf8Prefix(s, max));
    value = AttributeValue(std::move(copy));
    return true;
  }
  return false;
}

struct LimitCounters {
  std::atomic<uint64_t>& dropped;
  std::atomic<uint64_t>& truncated;
};

// Sets key=value in attributes[0, count) within the limits, replacing an
// existing key as OpenTelemetry does. A new attribute reuses the entry past
// `count` when there is one, so its key and value keep their buffers.
// Inlined: it is most of Span::SetAttribute, a hot path.
[[gnu::always_inline]] inline void PutAttribute(Attributes& attributes, size_t& count,
                                                std::string_view key, AttributeValue&& value,
                                                size_t max_count, size_t max_length,
                                                uint32_t& dropped, LimitCounters counters) {
  if (max_length != 0 && TruncateValue(value, max_length)) {
    counters.truncated.fetch_add(1, std::memory_order_relaxed);
  }
  for (size_t i = 0; i < count; ++i) {
    if (attributes[i].key == key) {
      attributes[i].value = std::move(value);
      return;
    }
  }
  if (count >= max_count) {
    ++dropped;
    counters.dropped.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (count < attributes.size()) {
    Attribute& reused = attributes[count++];
    // Instrumentation sets the same keys in the same order span after span.
    if (reused.key != key) reused.key.assign(key);
    reused.value = std::move(value);
    return;
  }
  if (attributes.capacity() == 0) attributes.reserve(std::min<size_t>(max_count, 8));
  attributes.push_back(Attribute{std::string(key), std::move(value)});
  ++count;
}

// A copy of `source` cut to the limits.
Attributes LimitedAttributes(const Attributes& source, size_t max_count, size_t max_length,
                             uint32_t& dropped, LimitCounters counters) {
  Attributes out;
  size_t count = 0;
  for (const Attribute& a : source) {
    PutAttribute(out, count, a.key, AttributeValue(a.value), max_count, max_length, dropped,
                 counters);
  }
  return out;
}

std::string DemangledTypeName(const std::exception& e) {
  const char* mangled = typeid(e).name();
  int status = 0;
  char* demangled = abi::__cxa_demangle(mangled, nullptr, nullptr, &status);
  std::string name = status == 0 && demangled ? demangled : mangled;
  std::free(demangled);
  return name;
}

Tracer* NoopTracer() {
  static Tracer* tracer =
      new Tracer(nullptr, {.sampler = AlwaysOffSampler(), .keep_error_traces = false});
  return tracer;
}

std::atomic<Tracer*> g_global_tracer{nullptr};

}  // namespace

// ---- Span ------------------------------------------------------------------

Span::Span(Span&& other) noexcept
    : context_(std::move(other.context_)),
      record_(std::exchange(other.record_, nullptr)),
      tracer_(other.tracer_) {}

Span& Span::operator=(Span&& other) noexcept {
  if (this != &other) {
    End();
    context_ = std::move(other.context_);
    record_ = std::exchange(other.record_, nullptr);
    tracer_ = other.tracer_;
  }
  return *this;
}

Span& Span::SetAttribute(std::string_view key, AttributeValue value) {
  if (!record_) return *this;
  const SpanLimits& limits = tracer_->limits();
  auto& c = tracer_->counters();
  PutAttribute(record_->data.attributes, record_->attribute_count, key, std::move(value),
               limits.max_attributes, limits.max_value_length, record_->data.dropped_attributes,
               {c.attributes_dropped, c.values_truncated});
  return *this;
}

Span& Span::SetAttributes(const Attributes& attributes) {
  for (const Attribute& a : attributes) SetAttribute(a.key, a.value);
  return *this;
}

Span& Span::AddEvent(std::string_view name, Attributes attributes, int64_t time_unix_nanos) {
  if (!record_) return *this;
  const SpanLimits& limits = tracer_->limits();
  auto& c = tracer_->counters();
  SpanData& d = record_->data;
  if (d.events.size() >= limits.max_events) {
    ++d.dropped_events;
    c.events_dropped.fetch_add(1, std::memory_order_relaxed);
    return *this;
  }
  SpanEvent event{
      std::string(name), time_unix_nanos ? time_unix_nanos : WallNanosAt(MonotonicNanos()), {}, 0};
  if (attributes.size() <= limits.max_attributes_per_event && limits.max_value_length == 0) {
    event.attributes = std::move(attributes);
  } else {
    event.attributes =
        LimitedAttributes(attributes, limits.max_attributes_per_event, limits.max_value_length,
                          event.dropped_attributes, {c.attributes_dropped, c.values_truncated});
  }
  d.events.push_back(std::move(event));
  return *this;
}

Span& Span::RecordException(const std::exception& e) {
  return RecordException(DemangledTypeName(e), e.what());
}

Span& Span::RecordException(std::string_view type, std::string_view message) {
  return AddEvent("exception", {{"exception.type", type}, {"exception.message", message}});
}

Span& Span::AddLink(const SpanContext& context, Attributes attributes) {
  if (!record_) return *this;
  const SpanLimits& limits = tracer_->limits();
  auto& c = tracer_->counters();
  SpanData& d = record_->data;
  if (d.links.size() >= limits.max_links) {
    ++d.dropped_links;
    c.links_dropped.fetch_add(1, std::memory_order_relaxed);
    return *this;
  }
  SpanLink link{context, {}, 0};
  link.attributes =
      LimitedAttributes(attributes, limits.max_attributes_per_link, limits.max_value_length,
                        link.dropped_attributes, {c.attributes_dropped, c.values_truncated});
  d.links.push_back(std::move(link));
  return *this;
}

Span& Span::SetStatus(SpanStatusCode code, std::string_view message) {
  if (!record_ || code == SpanStatusCode::kUnset) return *this;
  SpanData& d = record_->data;
  if (d.status == SpanStatusCode::kOk) return *this;
  d.status = code;
  d.status_message = code == SpanStatusCode::kError ? std::string(message) : std::string();
  return *this;
}

Span& Span::UpdateName(std::string_view name) {
  if (record_) record_->data.name.assign(name);
  return *this;
}

void Span::EndRecording(int64_t end_unix_nanos) {
  tracer_->Finish(std::exchange(record_, nullptr), end_unix_nanos);
}

// ---- SpanScope -------------------------------------------------------------

SpanScope::SpanScope(const Span& span)
    : previous_span_(std::exchange(t_active_span, &span)),
      previous_context_(detail::SwapCurrentSpanContext(&span.context())) {}

SpanScope::~SpanScope() {
  t_active_span = previous_span_;
  detail::SwapCurrentSpanContext(previous_context_);
}

const Span* ActiveSpan() { return t_active_span; }

// ---- Tracer ----------------------------------------------------------------

Tracer::Tracer(std::shared_ptr<BatchSpanProcessor> processor, TracerOptions options)
    : options_(std::move(options)),
      processor_(std::move(processor)),
      counters_(std::make_unique<Counters>()) {
  if (!options_.sampler) options_.sampler = ParentBasedSampler(AlwaysOnSampler());
  sampler_fast_path_ = internal::DescribeSampler(*options_.sampler);
}

Tracer::~Tracer() = default;

inline Span Tracer::Start(std::string_view name, const SpanOptions& options,
                          const SpanContext& parent, internal::SpanRecord* parent_record) {
  const bool has_parent = parent.valid();
  // Built in the returned object: the unsampled path is this and no more.
  Span span;
  span.tracer_ = this;
  SpanContext& context = span.context_;
  context.trace_id = has_parent ? parent.trace_id : NewTraceId();
  context.span_id = NewSpanId();
  const bool sampled =
      sampler_fast_path_.generic
          ? options_.sampler->ShouldSample({parent, context.trace_id, name, options.kind})
          : internal::FastSample(sampler_fast_path_, parent, context.trace_id);
  context.trace_flags = sampled ? SpanContext::kSampledFlag : 0;
  if (has_parent && !parent.trace_state.empty()) context.trace_state = parent.trace_state;
  if (!sampled && !options_.keep_error_traces) return span;
  span.record_ = StartRecording(context, name, options, parent, parent_record);
  if (!options.attributes.empty()) span.SetAttributes(options.attributes);
  for (const SpanLink& link : options.links) span.AddLink(link.context, link.attributes);
  return span;
}

Span Tracer::StartSpan(std::string_view name, const SpanOptions& options) {
  if (options.parent && options.parent->valid()) {
    return Start(name, options, *options.parent, nullptr);
  }
  const Span* active = options.root ? nullptr : t_active_span;
  if (active) return Start(name, options, active->context(), active->record_);
  static const SpanContext kNoParent;
  return Start(name, options, kNoParent, nullptr);
}

Span Tracer::StartSpan(std::string_view name, const Span& parent, const SpanOptions& options) {
  return Start(name, options, parent.context(), parent.record_);
}

// Out of line so that the unsampled path above stays small.
internal::SpanRecord* Tracer::StartRecording(const SpanContext& context, std::string_view name,
                                             const SpanOptions& options, const SpanContext& parent,
                                             internal::SpanRecord* parent_record) {
  const bool has_parent = parent.valid();
  internal::ErrorTraceBuffer* error_buffer = nullptr;
  if (!context.sampled()) {
    if (parent_record) {
      error_buffer = parent_record->error_buffer;
      if (error_buffer) error_buffer->AddRef();
    } else if (has_parent && !parent.remote) {
      error_buffer = internal::ErrorTraceBuffer::Find(context.trace_id);
    }
    if (!error_buffer) {
      error_buffer = internal::ErrorTraceBuffer::Create(context.trace_id, processor_.get(),
                                                        options_.error_buffer_spans,
                                                        &counters_->error_keeping);
    }
  }

  internal::SpanRecord* record = internal::AcquireRecord(processor_.get());
  SpanData& d = record->data;
  d.context.trace_id = context.trace_id;
  d.context.span_id = context.span_id;
  d.context.trace_flags = context.trace_flags;
  d.context.remote = false;
  if (!context.trace_state.empty() || !d.context.trace_state.empty()) {
    d.context.trace_state = context.trace_state;
  }
  d.parent_span_id = has_parent ? parent.span_id : SpanId();
  d.parent_remote = has_parent && parent.remote;
  d.name.assign(name);
  d.kind = options.kind;
  // A tick reading, converted to wall time only if the span is exported.
  d.start_unix_nanos = options.start_unix_nanos;
  if (options.start_unix_nanos == 0) record->start_ticks = internal::ReadTicks();
  record->error_buffer = error_buffer;
  return record;
}

void Tracer::Finish(internal::SpanRecord* record, int64_t end_unix_nanos) {
  record->data.end_unix_nanos = end_unix_nanos;
  if (internal::ErrorTraceBuffer* buffer = std::exchange(record->error_buffer, nullptr)) {
    buffer->EndSpan(record);
    return;
  }
  internal::StampEnd(record);
  if (processor_) {
    processor_->OnEnd(std::unique_ptr<internal::SpanRecord>(record));
  } else {
    internal::ReleaseRecord(record, nullptr);
  }
}

TracerStats Tracer::stats() const {
  const Counters& c = *counters_;
  auto get = [](const std::atomic<uint64_t>& v) { return v.load(std::memory_order_relaxed); };
  return TracerStats{
      .error_traces_kept = get(c.error_keeping.traces_kept),
      .error_spans_kept = get(c.error_keeping.spans_kept),
      .error_buffer_dropped = get(c.error_keeping.buffer_dropped),
      .error_lookup_evictions = get(c.error_keeping.lookup_evictions),
      .attributes_dropped = get(c.attributes_dropped),
      .events_dropped = get(c.events_dropped),
      .links_dropped = get(c.links_dropped),
      .values_truncated = get(c.values_truncated),
  };
}

Tracer& GlobalTracer() {
  Tracer* tracer = g_global_tracer.load(std::memory_order_acquire);
  return tracer ? *tracer : *NoopTracer();
}

void SetGlobalTracer(Tracer* tracer) { g_global_tracer.store(tracer, std::memory_order_release); }

bool GlobalTracerSet() { return g_global_tracer.load(std::memory_order_acquire) != nullptr; }

}  // namespace tai
