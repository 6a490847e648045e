#include "tai/export/otlp_log_sink.h"

#include <string_view>

#include "core/text.h"
#include "export/delivery/http_delivery.h"
#include "export/otlp/otlp_json.h"
#include "tai/core/clock.h"

namespace tai {
namespace {

std::string LogsUrl(std::string endpoint) {
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  if (!std::string_view(endpoint).ends_with("/v1/logs")) endpoint += "/v1/logs";
  return endpoint;
}

AttributeValue ToAttributeValue(const LogValue& v) {
  switch (v.kind()) {
    case LogValue::Kind::kString:
      return AttributeValue(v.string_value());
    case LogValue::Kind::kInt:
      return AttributeValue(v.int_value());
    case LogValue::Kind::kUint:
      return AttributeValue(v.uint_value());  // above INT64_MAX wraps, as in OTel
    case LogValue::Kind::kDouble:
      return AttributeValue(v.double_value());
    case LogValue::Kind::kBool:
      return AttributeValue(v.bool_value());
  }
  return AttributeValue();
}

void AppendRecord(std::string& out, const LogRecord& r, const std::string& observed) {
  out += "{\"timeUnixNano\":\"";
  internal::AppendInt(out, r.time_unix_nanos);
  out += "\",\"observedTimeUnixNano\":\"";
  out += observed;
  out += "\",\"severityNumber\":";
  internal::AppendInt(out, static_cast<int>(r.level));
  out += ",\"severityText\":";
  internal::AppendJsonString(out, LogLevelName(r.level));
  out += ",\"body\":{\"stringValue\":";
  internal::AppendJsonString(out, r.message);
  out += "},\"attributes\":";
  Attributes attrs;
  for (LogField f : r.fields()) attrs.push_back({std::string(f.key), ToAttributeValue(f.value)});
  if (r.file[0] != '\0') {
    attrs.push_back({"code.filepath", r.file});
    attrs.push_back({"code.lineno", static_cast<int64_t>(r.line)});
    attrs.push_back({"code.function", r.function});
  }
  attrs.push_back({"thread.id", static_cast<int64_t>(r.thread_id)});
  if (r.suppressed) attrs.push_back({"log.suppressed_count", static_cast<int64_t>(r.suppressed)});
  internal::AppendOtlpAttributes(out, attrs);
  if (r.has_trace()) {
    out += ",\"traceId\":\"";
    internal::AppendHex(out, r.trace_id.bytes().data(), r.trace_id.bytes().size());
    out += "\",\"spanId\":\"";
    internal::AppendHex(out, r.span_id.bytes().data(), r.span_id.bytes().size());
    out += "\",\"flags\":";
    internal::AppendInt(out, r.trace_flags);
  }
  out += '}';
}

}  // namespace

std::string OtlpLogSink::Encode(const LogBatch& batch) {
  std::string observed;
  internal::AppendInt(observed, WallNanos());
  std::string out = "{\"resourceLogs\":[{\"resource\":";
  internal::AppendOtlpResource(out, batch.resource);
  out += ",\"scopeLogs\":[";
  // One ScopeLogs per logger, in order of first appearance. Logger names
  // are interned, so their data pointers identify them.
  std::vector<const char*> scopes;
  for (const LogRecord& r : batch.records) {
    bool seen = false;
    for (const char* s : scopes) seen = seen || s == r.logger_name.data();
    if (!seen) scopes.push_back(r.logger_name.data());
  }
  for (size_t s = 0; s < scopes.size(); ++s) {
    if (s) out += ',';
    out += "{\"scope\":{\"name\":";
    bool first = true;
    for (const LogRecord& r : batch.records) {
      if (r.logger_name.data() != scopes[s]) continue;
      if (first) {
        internal::AppendJsonString(out, r.logger_name);
        out += "},\"logRecords\":[";
        first = false;
      } else {
        out += ',';
      }
      AppendRecord(out, r, observed);
    }
    out += "]}";
  }
  out += "]}]}";
  return out;
}

Result<std::shared_ptr<OtlpLogSink>> OtlpLogSink::Create(OtlpLogSinkOptions options) {
  return std::shared_ptr<OtlpLogSink>(new OtlpLogSink(std::move(options)));
}

OtlpLogSink::OtlpLogSink(OtlpLogSinkOptions options)
    : QueuedNetworkSink(internal::MakeHttpDeliveryQueue("otlp-logs", options.delivery,
                                                        {.url = LogsUrl(options.endpoint),
                                                         .headers = options.headers,
                                                         .gzip = options.gzip,
                                                         .timeout = options.timeout})),
      options_(std::move(options)),
      url_(LogsUrl(options_.endpoint)) {}

Status OtlpLogSink::Export(const LogBatch& batch) {
  if (batch.records.empty() || Enqueue(url_, Encode(batch))) return Status::Ok();
  return DroppedError("OTLP logs", batch.records.size(), "records");
}

}  // namespace tai
