#include "tai/export/otlp_span_sink.h"

#include "core/text.h"
#include "export/delivery/http_delivery.h"
#include "export/otlp/otlp_json.h"

namespace tai {
namespace {

constexpr std::string_view kScopeName = "tai-observability";

void AppendQuotedNanos(std::string& out, int64_t nanos) {
  out += '"';
  internal::AppendInt(out, nanos);
  out += '"';
}

// W3C flags in the low byte; bits 8 and 9 say whether the parent (or the
// linked span) is known to be remote and whether it is.
uint32_t OtlpFlags(uint8_t trace_flags, bool remote) {
  return trace_flags | 0x100u | (remote ? 0x200u : 0u);
}

void AppendIdsAndState(std::string& out, const SpanContext& c) {
  out += "\"traceId\":\"";
  internal::AppendHex(out, c.trace_id.bytes().data(), 16);
  out += "\",\"spanId\":\"";
  internal::AppendHex(out, c.span_id.bytes().data(), 8);
  out += '"';
  if (!c.trace_state.empty()) {
    out += ",\"traceState\":";
    internal::AppendJsonString(out, c.trace_state);
  }
}

void AppendDropped(std::string& out, std::string_view field, uint32_t n) {
  if (n == 0) return;
  out += ",\"";
  out += field;
  out += "\":";
  internal::AppendUint(out, n);
}

void AppendSpan(std::string& out, const SpanData& s) {
  out += '{';
  AppendIdsAndState(out, s.context);
  if (s.parent_span_id.valid()) {
    out += ",\"parentSpanId\":\"";
    internal::AppendHex(out, s.parent_span_id.bytes().data(), 8);
    out += '"';
  }
  out += ",\"flags\":";
  internal::AppendUint(out, OtlpFlags(s.context.trace_flags, s.parent_remote));
  out += ",\"name\":";
  internal::AppendJsonString(out, s.name);
  out += ",\"kind\":";
  internal::AppendInt(out, static_cast<int>(s.kind) + 1);
  out += ",\"startTimeUnixNano\":";
  AppendQuotedNanos(out, s.start_unix_nanos);
  out += ",\"endTimeUnixNano\":";
  AppendQuotedNanos(out, s.end_unix_nanos);
  out += ",\"attributes\":";
  internal::AppendOtlpAttributes(out, s.attributes);
  AppendDropped(out, "droppedAttributesCount", s.dropped_attributes);
  out += ",\"events\":[";
  for (size_t i = 0; i < s.events.size(); ++i) {
    const SpanEvent& e = s.events[i];
    if (i) out += ',';
    out += "{\"timeUnixNano\":";
    AppendQuotedNanos(out, e.time_unix_nanos);
    out += ",\"name\":";
    internal::AppendJsonString(out, e.name);
    out += ",\"attributes\":";
    internal::AppendOtlpAttributes(out, e.attributes);
    AppendDropped(out, "droppedAttributesCount", e.dropped_attributes);
    out += '}';
  }
  out += ']';
  AppendDropped(out, "droppedEventsCount", s.dropped_events);
  out += ",\"links\":[";
  for (size_t i = 0; i < s.links.size(); ++i) {
    const SpanLink& l = s.links[i];
    if (i) out += ',';
    out += '{';
    AppendIdsAndState(out, l.context);
    out += ",\"attributes\":";
    internal::AppendOtlpAttributes(out, l.attributes);
    AppendDropped(out, "droppedAttributesCount", l.dropped_attributes);
    out += ",\"flags\":";
    internal::AppendUint(out, OtlpFlags(l.context.trace_flags, l.context.remote));
    out += '}';
  }
  out += ']';
  AppendDropped(out, "droppedLinksCount", s.dropped_links);
  out += ",\"status\":{";
  if (s.status == SpanStatusCode::kError && !s.status_message.empty()) {
    out += "\"message\":";
    internal::AppendJsonString(out, s.status_message);
    out += ',';
  }
  out += "\"code\":";
  internal::AppendInt(out, static_cast<int>(s.status));
  out += "}}";
}

}  // namespace

std::string EncodeOtlpTraces(const std::vector<SpanData>& spans, const Resource& resource) {
  std::string out;
  out.reserve(256 + spans.size() * 400);
  out += "{\"resourceSpans\":[{\"resource\":";
  internal::AppendOtlpResource(out, resource);
  out += ",\"scopeSpans\":[{\"scope\":{\"name\":\"";
  out += kScopeName;
  out += "\"},\"spans\":[";
  for (size_t i = 0; i < spans.size(); ++i) {
    if (i) out += ',';
    AppendSpan(out, spans[i]);
  }
  out += "]}]}]}";
  return out;
}

std::string OtlpSpanSinkOptions::TracesUrl() const {
  if (!traces_url.empty()) return traces_url;
  std::string url = endpoint;
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url + "/v1/traces";
}

Result<std::shared_ptr<OtlpSpanSink>> OtlpSpanSink::Create(OtlpSpanSinkOptions options) {
  return std::shared_ptr<OtlpSpanSink>(new OtlpSpanSink(std::move(options)));
}

OtlpSpanSink::OtlpSpanSink(OtlpSpanSinkOptions options)
    : QueuedNetworkSink(internal::MakeHttpDeliveryQueue("otlp-traces", options.delivery,
                                                        {.url = options.TracesUrl(),
                                                         .headers = options.headers,
                                                         .gzip = options.gzip,
                                                         .timeout = options.timeout})),
      options_(std::move(options)) {}

Status OtlpSpanSink::Export(const SpanBatch& batch, const Resource& resource) {
  const bool queued = Enqueue(options_.TracesUrl(), EncodeOtlpTraces(*batch, resource));
  return DroppedError("OTLP traces", queued ? 0 : batch->size(), "spans");
}

}  // namespace tai
