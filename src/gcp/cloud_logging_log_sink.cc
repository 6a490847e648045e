#include "tai/gcp/cloud_logging_log_sink.h"

#include "core/text.h"
#include "gcp/api_client.h"
#include "log/log_value_json.h"
#include "tai/core/clock.h"
#include "tai/log/cloud_logging_json.h"

namespace tai::gcp {
namespace {

// Limits from Cloud Logging's quotas (docs/gcp.md).
constexpr size_t kEntriesPerRequest = 1000;
constexpr size_t kRequestBytes = 9u << 20;    // under the 10 MB request limit
constexpr size_t kMessageBytes = 200u << 10;  // keeps an entry under 256 KB

std::string LogId(const CloudLoggingLogSinkOptions& o, const Resource& r) {
  std::string id = o.log_id.empty() ? r.service_name : o.log_id;
  for (char& c : id) {
    const bool ok =
        std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == '/';
    if (!ok) c = '_';
  }
  if (id.empty()) id = "tai";
  return id.substr(0, 512);
}

void AppendEntry(std::string& out, const std::string& project, const LogRecord& r,
                 const std::string& insert_id) {
  out += "{\"insertId\":";
  internal::AppendJsonString(out, insert_id);
  out += ",\"timestamp\":\"" + FormatRfc3339(r.time_unix_nanos) + "\",\"severity\":\"";
  out += CloudLoggingJsonSink::Severity(r.level);
  out += "\",\"jsonPayload\":{\"message\":";
  internal::AppendJsonString(out, internal::Utf8Prefix(r.message, kMessageBytes));
  for (LogField f : r.fields()) {
    out += ',';
    internal::AppendJsonString(out, f.key == "message" ? "fields.message" : f.key);
    out += ':';
    internal::AppendLogValueJson(out, f.value);
  }
  out += '}';
  if (r.has_trace()) {
    out += ",\"trace\":\"projects/" + project + "/traces/" + r.trace_id.ToHex() + "\"";
    out += ",\"spanId\":\"" + r.span_id.ToHex() + "\"";
    out += r.trace_sampled() ? ",\"traceSampled\":true" : ",\"traceSampled\":false";
  }
  if (r.file[0] != '\0') {
    out += ",\"sourceLocation\":";
    internal::AppendSourceLocationJson(out, r);
  }
  if (!r.logger_name.empty()) {
    out += ",\"labels\":{\"logger\":";
    internal::AppendJsonString(out, r.logger_name);
    out += '}';
  }
  out += '}';
}

std::string RequestHead(const CloudLoggingLogSinkOptions& o, const Resource& r) {
  std::string out = "{\"logName\":\"projects/" + o.api.project_id + "/logs/";
  // The log id is URL-encoded in logName; '/' is the one allowed character
  // that needs it.
  for (char c : LogId(o, r)) out += c == '/' ? std::string("%2F") : std::string(1, c);
  out += "\",\"resource\":" + (o.resource
                                   ? o.resource->ToJson()
                                   : GenericTaskResource(r, o.api.project_id, o.location).ToJson());
  out += ",\"labels\":{\"service.name\":";
  internal::AppendJsonString(out, r.service_name);
  if (!r.service_version.empty()) {
    out += ",\"service.version\":";
    internal::AppendJsonString(out, r.service_version);
  }
  out += "},\"partialSuccess\":true,\"entries\":[";
  return out;
}

// Unique per process and entry; a retried request carries the same ids.
std::string InsertId(const Resource& r, uint64_t n) {
  return r.instance_id + "-" + std::to_string(n);
}

}  // namespace

Result<std::shared_ptr<CloudLoggingLogSink>> CloudLoggingLogSink::Create(
    CloudLoggingLogSinkOptions options) {
  TAI_RETURN_IF_ERROR(options.api.Validate("Cloud Logging"));
  return std::shared_ptr<CloudLoggingLogSink>(new CloudLoggingLogSink(std::move(options)));
}

CloudLoggingLogSink::CloudLoggingLogSink(CloudLoggingLogSinkOptions options)
    : QueuedNetworkSink(tai::internal::MakeApiQueue(options.api, "Cloud Logging entries.write",
                                                    "cloud-logging",
                                                    options.api.endpoints.logging)),
      options_(std::move(options)) {}

Status CloudLoggingLogSink::Export(const LogBatch& batch) {
  const std::string url = options_.api.endpoints.logging + "/v2/entries:write";
  const std::string head = RequestHead(options_, batch.resource);
  size_t dropped = 0;
  std::string body;
  size_t entries = 0;
  auto send = [&] {
    if (entries == 0) return;
    body += "]}";
    if (!Enqueue(url, std::move(body))) dropped += entries;
    body.clear();
    entries = 0;
  };
  for (const LogRecord& r : batch.records) {
    body += entries ? "," : head;
    AppendEntry(body, options_.api.project_id, r, InsertId(batch.resource, next_insert_id_++));
    if (++entries == kEntriesPerRequest || body.size() >= kRequestBytes) send();
  }
  send();
  return DroppedError("Cloud Logging", dropped, "entries");
}

}  // namespace tai::gcp
