#include "tai/gcp/cloud_trace_span_sink.h"

#include "core/enum_names.h"
#include "core/text.h"
#include "gcp/api_client.h"
#include "tai/core/clock.h"

namespace tai::gcp {
namespace {

// Limits from the Cloud Trace v2 Span message (trace.proto).
constexpr size_t kDisplayNameBytes = 128;
constexpr size_t kAttributesPerSpan = 32;
constexpr size_t kAttributeKeyBytes = 128;
constexpr size_t kAttributeValueBytes = 256;
constexpr size_t kAnnotationsPerSpan = 32;
constexpr size_t kAnnotationDescriptionBytes = 256;
constexpr size_t kAttributesPerAnnotation = 4;
constexpr size_t kLinksPerSpan = 128;
constexpr size_t kAttributesPerLink = 32;

// A TruncatableString: {"value": ..., "truncatedByteCount": n}.
void AppendTruncatable(std::string& out, std::string_view s, size_t max_bytes) {
  const std::string_view kept = internal::Utf8Prefix(s, max_bytes);
  out += "{\"value\":";
  internal::AppendJsonString(out, kept);
  if (kept.size() < s.size()) {
    out += ",\"truncatedByteCount\":";
    internal::AppendUint(out, s.size() - kept.size());
  }
  out += '}';
}

void AppendAttributeValue(std::string& out, const AttributeValue& v) {
  if (v.is<int64_t>()) {
    out += "{\"intValue\":\"";
    internal::AppendInt(out, v.get<int64_t>());
    out += "\"}";
  } else if (v.is<bool>()) {
    out += v.get<bool>() ? "{\"boolValue\":true}" : "{\"boolValue\":false}";
  } else {
    out += "{\"stringValue\":";
    AppendTruncatable(out, v.ToString(), kAttributeValueBytes);
    out += '}';
  }
}

// An Attributes message: {"attributeMap": {...}, "droppedAttributesCount": n}.
void AppendAttributes(std::string& out, const Attributes& attributes, const Attributes& extra,
                      size_t max_count, uint32_t already_dropped) {
  out += "{\"attributeMap\":{";
  size_t kept = 0;
  uint32_t dropped = already_dropped;
  auto add = [&](const Attribute& a) {
    if (kept == max_count || a.key.size() > kAttributeKeyBytes || a.key.empty()) {
      ++dropped;
      return;
    }
    if (kept++) out += ',';
    internal::AppendJsonString(out, a.key);
    out += ':';
    AppendAttributeValue(out, a.value);
  };
  for (const Attribute& a : attributes) add(a);
  for (const Attribute& a : extra) add(a);
  out += '}';
  if (dropped) {
    out += ",\"droppedAttributesCount\":";
    internal::AppendUint(out, dropped);
  }
  out += '}';
}

// Cloud Trace's SpanKind names.
constexpr internal::EnumNames<SpanKind, 5> kKindNames{{
    {SpanKind::kInternal, "INTERNAL"},
    {SpanKind::kServer, "SERVER"},
    {SpanKind::kClient, "CLIENT"},
    {SpanKind::kProducer, "PRODUCER"},
    {SpanKind::kConsumer, "CONSUMER"},
}};

std::string_view KindName(SpanKind kind) {
  return internal::NameOf(kKindNames, kind, "SPAN_KIND_UNSPECIFIED");
}

void AppendSpan(std::string& out, const std::string& project, const SpanData& s,
                const Attributes& resource_attributes) {
  const std::string trace_hex = s.context.trace_id.ToHex();
  const std::string span_hex = s.context.span_id.ToHex();
  out += "{\"name\":\"projects/" + project + "/traces/" + trace_hex + "/spans/" + span_hex + "\"";
  out += ",\"spanId\":\"" + span_hex + "\"";
  if (s.parent_span_id.valid()) {
    out += ",\"parentSpanId\":\"" + s.parent_span_id.ToHex() + "\"";
    out += s.parent_remote ? ",\"sameProcessAsParentSpan\":false"
                           : ",\"sameProcessAsParentSpan\":true";
  }
  out += ",\"displayName\":";
  AppendTruncatable(out, s.name, kDisplayNameBytes);
  out += ",\"startTime\":\"" + FormatRfc3339(s.start_unix_nanos) + "\"";
  out += ",\"endTime\":\"" + FormatRfc3339(s.end_unix_nanos) + "\"";
  out += ",\"spanKind\":\"";
  out += KindName(s.kind);
  out += "\",\"attributes\":";
  AppendAttributes(out, s.attributes, resource_attributes, kAttributesPerSpan,
                   s.dropped_attributes);
  out += ",\"timeEvents\":{\"timeEvent\":[";
  const size_t annotations = std::min(s.events.size(), kAnnotationsPerSpan);
  for (size_t i = 0; i < annotations; ++i) {
    const SpanEvent& e = s.events[i];
    if (i) out += ',';
    out +=
        "{\"time\":\"" + FormatRfc3339(e.time_unix_nanos) + "\",\"annotation\":{\"description\":";
    AppendTruncatable(out, e.name, kAnnotationDescriptionBytes);
    out += ",\"attributes\":";
    AppendAttributes(out, e.attributes, {}, kAttributesPerAnnotation, e.dropped_attributes);
    out += "}}";
  }
  out += ']';
  if (const size_t dropped = s.dropped_events + (s.events.size() - annotations)) {
    out += ",\"droppedAnnotationsCount\":";
    internal::AppendUint(out, dropped);
  }
  out += "},\"links\":{\"link\":[";
  const size_t links = std::min(s.links.size(), kLinksPerSpan);
  for (size_t i = 0; i < links; ++i) {
    const SpanLink& l = s.links[i];
    if (i) out += ',';
    out += "{\"traceId\":\"" + l.context.trace_id.ToHex() + "\",\"spanId\":\"" +
           l.context.span_id.ToHex() + "\",\"attributes\":";
    AppendAttributes(out, l.attributes, {}, kAttributesPerLink, l.dropped_attributes);
    out += '}';
  }
  out += ']';
  if (const size_t dropped = s.dropped_links + (s.links.size() - links)) {
    out += ",\"droppedLinksCount\":";
    internal::AppendUint(out, dropped);
  }
  out += '}';
  if (s.status != SpanStatusCode::kUnset) {
    // google.rpc.Code: OK is 0; an error without a finer code is UNKNOWN (2).
    out += s.status == SpanStatusCode::kOk ? ",\"status\":{\"code\":0" : ",\"status\":{\"code\":2";
    if (s.status == SpanStatusCode::kError && !s.status_message.empty()) {
      out += ",\"message\":";
      internal::AppendJsonString(out, s.status_message);
    }
    out += '}';
  }
  out += '}';
}

}  // namespace

std::string EncodeCloudTraceSpans(const std::string& project_id, const SpanData* spans,
                                  size_t count, const Resource& resource) {
  // The service's identity travels as span attributes, as Google's own
  // exporters send it (Cloud Trace spans have no resource).
  Attributes identity = {{"service.name", resource.service_name},
                         {"g.co/agent", "tai-observability"}};
  if (!resource.service_version.empty()) {
    identity.push_back({"service.version", resource.service_version});
  }
  std::string out = "{\"spans\":[";
  for (size_t i = 0; i < count; ++i) {
    if (i) out += ',';
    AppendSpan(out, project_id, spans[i], identity);
  }
  out += "]}";
  return out;
}

Result<std::shared_ptr<CloudTraceSpanSink>> CloudTraceSpanSink::Create(
    CloudTraceSpanSinkOptions options) {
  TAI_RETURN_IF_ERROR(options.api.Validate("Cloud Trace"));
  if (options.max_spans_per_request == 0) options.max_spans_per_request = 1;
  return std::shared_ptr<CloudTraceSpanSink>(new CloudTraceSpanSink(std::move(options)));
}

CloudTraceSpanSink::CloudTraceSpanSink(CloudTraceSpanSinkOptions options)
    : QueuedNetworkSink(tai::internal::MakeApiQueue(options.api, "Cloud Trace batchWrite",
                                                    "cloud-trace", options.api.endpoints.trace)),
      options_(std::move(options)) {}

Status CloudTraceSpanSink::Export(const SpanBatch& batch, const Resource& resource) {
  const std::string url = options_.api.endpoints.trace + "/v2/projects/" + options_.api.project_id +
                          "/traces:batchWrite";
  size_t dropped = 0;
  for (size_t start = 0; start < batch->size(); start += options_.max_spans_per_request) {
    const size_t n = std::min(options_.max_spans_per_request, batch->size() - start);
    if (!Enqueue(url, EncodeCloudTraceSpans(options_.api.project_id, batch->data() + start, n,
                                            resource))) {
      dropped += n;
    }
  }
  return DroppedError("Cloud Trace", dropped, "spans");
}

}  // namespace tai::gcp
