#include "tai/otlp_log_sink.h"

#include <string_view>

#include "core/text.h"
#include "export/http/http_client.h"
#include "export/otlp/otlp_json.h"
#include "tai/clock.h"

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

std::string OtlpHttpLogSink::Encode(const LogBatch& batch) {
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

OtlpHttpLogSink::OtlpHttpLogSink(OtlpLogOptions options)
    : options_(std::move(options)), url_(LogsUrl(options_.endpoint)) {
  thread_ = std::thread([this] { Run(); });
}

OtlpHttpLogSink::~OtlpHttpLogSink() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

Status OtlpHttpLogSink::Export(const LogBatch& batch) {
  if (batch.records.empty()) return Status::Ok();
  Pending p{Encode(batch), batch.records.size()};
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (pending_.size() >= options_.max_pending_batches) {
      ++stats_.dropped_batches;
      return ResourceExhaustedError("otlp logs: " + std::to_string(pending_.size()) +
                                    " batches already waiting; batch dropped");
    }
    pending_.push_back(std::move(p));
  }
  cv_.notify_one();
  return Status::Ok();
}

Status OtlpHttpLogSink::Flush(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  if (!idle_cv_.wait_for(lock, timeout, [&] { return pending_.empty() && !sending_; })) {
    return DeadlineExceededError("otlp logs: " + std::to_string(pending_.size()) +
                                 " batches still pending at the flush deadline");
  }
  return Status::Ok();
}

OtlpLogSinkStats OtlpHttpLogSink::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

void OtlpHttpLogSink::Run() {
  internal::HttpClient client;
  internal::RetryPolicy policy{.max_attempts = options_.max_attempts,
                               .initial_backoff = options_.initial_backoff};
  // Waits between attempts; gives up at once when the sink is stopping.
  auto sleep_for = [this](std::chrono::milliseconds d) {
    std::unique_lock<std::mutex> lock(mu_);
    return !cv_.wait_for(lock, d, [&] { return stop_; });
  };
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stop_ || !pending_.empty(); });
    if (stop_) break;
    Pending p = std::move(pending_.front());
    pending_.pop_front();
    sending_ = true;
    lock.unlock();
    internal::HttpClientRequest request{.url = url_,
                                        .headers = options_.headers,
                                        .body = std::move(p.body),
                                        .gzip_body = options_.gzip,
                                        .timeout = options_.timeout};
    request.headers.emplace_back("Content-Type", "application/json");
    auto response = internal::SendWithRetry(client, request, policy, sleep_for);
    bool ok = response.ok() && response->status >= 200 && response->status < 300;
    lock.lock();
    sending_ = false;
    if (ok) {
      ++stats_.sent_batches;
      stats_.sent_records += p.records;
    } else {
      ++stats_.failed_batches;
    }
    idle_cv_.notify_all();
  }
  sending_ = false;
  idle_cv_.notify_all();
}

}  // namespace tai
