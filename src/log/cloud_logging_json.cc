#include "tai/log/cloud_logging_json.h"

#include <time.h>

#include "core/enum_names.h"
#include "core/text.h"
#include "log/log_value_json.h"
#include "log/write_fd.h"

namespace tai {
namespace {

bool IsReservedKey(std::string_view key) {
  return key == "severity" || key == "message" || key == "time" || key == "timestamp" ||
         key == "serviceContext" || key == "thread" || key == "suppressed" ||
         key == "httpRequest" || key.starts_with("logging.googleapis.com/");
}

void AppendTwoDigits(std::string& out, int v) {
  out += static_cast<char>('0' + v / 10);
  out += static_cast<char>('0' + v % 10);
}

}  // namespace

CloudLoggingJsonSink::CloudLoggingJsonSink(CloudLoggingJsonOptions options)
    : options_(std::move(options)) {}

namespace {

// Cloud Logging's LogSeverity has no TRACE: it is DEBUG; FATAL is CRITICAL.
constexpr internal::EnumNames<LogLevel, 6> kSeverities{{
    {LogLevel::kTrace, "DEBUG"},
    {LogLevel::kDebug, "DEBUG"},
    {LogLevel::kInfo, "INFO"},
    {LogLevel::kWarn, "WARNING"},
    {LogLevel::kError, "ERROR"},
    {LogLevel::kFatal, "CRITICAL"},
}};

}  // namespace

std::string_view CloudLoggingJsonSink::Severity(LogLevel level) {
  return internal::NameOf(kSeverities, level, "DEFAULT");
}

void CloudLoggingJsonSink::AppendTime(std::string& out, int64_t unix_nanos) {
  int64_t secs = unix_nanos / 1'000'000'000;
  int64_t nanos = unix_nanos % 1'000'000'000;
  if (nanos < 0) {
    nanos += 1'000'000'000;
    --secs;
  }
  if (secs != cached_second_) {
    time_t t = static_cast<time_t>(secs);
    tm utc;
    gmtime_r(&t, &utc);
    cached_second_text_.clear();
    internal::AppendInt(cached_second_text_, utc.tm_year + 1900);
    cached_second_text_ += '-';
    AppendTwoDigits(cached_second_text_, utc.tm_mon + 1);
    cached_second_text_ += '-';
    AppendTwoDigits(cached_second_text_, utc.tm_mday);
    cached_second_text_ += 'T';
    AppendTwoDigits(cached_second_text_, utc.tm_hour);
    cached_second_text_ += ':';
    AppendTwoDigits(cached_second_text_, utc.tm_min);
    cached_second_text_ += ':';
    AppendTwoDigits(cached_second_text_, utc.tm_sec);
    cached_second_ = secs;
  }
  out += '"';
  out += cached_second_text_;
  char frac[11] = {'.', '0', '0', '0', '0', '0', '0', '0', '0', '0', 'Z'};
  for (int i = 9; i >= 1; --i) {
    frac[i] = static_cast<char>('0' + nanos % 10);
    nanos /= 10;
  }
  out.append(frac, sizeof frac);
  out += '"';
}

const std::string& CloudLoggingJsonSink::Labels(const Resource& resource,
                                                std::string_view /*logger*/) {
  if (labels_resource_ != &resource) {
    labels_resource_ = &resource;
    labels_.clear();
    auto label = [&](std::string_view key, std::string_view value) {
      if (value.empty()) return;
      labels_ += ",";
      internal::AppendJsonString(labels_, key);
      labels_ += ':';
      internal::AppendJsonString(labels_, value);
    };
    label("service.name", resource.service_name);
    label("service.version", resource.service_version);
    label("service.instance.id", resource.instance_id);
    label("deployment.environment", EnvironmentName(resource.environment));
    resource_prefix_ = ",\"serviceContext\":{\"service\":";
    internal::AppendJsonString(resource_prefix_, resource.service_name);
    if (!resource.service_version.empty()) {
      resource_prefix_ += ",\"version\":";
      internal::AppendJsonString(resource_prefix_, resource.service_version);
    }
    resource_prefix_ += '}';
  }
  return labels_;
}

void CloudLoggingJsonSink::AppendRecord(std::string& out, const LogRecord& r,
                                        const Resource& resource) {
  out += "{\"severity\":\"";
  out += Severity(r.level);
  out += "\",\"message\":";
  internal::AppendJsonString(out, r.message);
  out += ",\"time\":";
  AppendTime(out, r.time_unix_nanos);
  if (r.has_trace()) {
    out += ",\"logging.googleapis.com/trace\":\"";
    const std::string& project =
        options_.project_id.empty() ? resource.gcp_project : options_.project_id;
    if (!project.empty()) {
      // Project ids are [a-z0-9-] (and "domain:" for legacy ones): no escaping.
      out += "projects/";
      for (char c : project) {
        if (c != '"' && c != '\\' && static_cast<unsigned char>(c) >= 0x20) out += c;
      }
      out += "/traces/";
    }
    internal::AppendHex(out, r.trace_id.bytes().data(), r.trace_id.bytes().size());
    out += "\",\"logging.googleapis.com/spanId\":\"";
    internal::AppendHex(out, r.span_id.bytes().data(), r.span_id.bytes().size());
    out += "\",\"logging.googleapis.com/trace_sampled\":";
    out += r.trace_sampled() ? "true" : "false";
  }
  if (r.file[0] != '\0') {
    out += ",\"logging.googleapis.com/sourceLocation\":";
    internal::AppendSourceLocationJson(out, r);
  }
  const std::string& labels = Labels(resource, r.logger_name);
  out += ",\"logging.googleapis.com/labels\":{";
  if (!r.logger_name.empty()) {
    out += "\"logger\":";
    internal::AppendJsonString(out, r.logger_name);
    out += labels;
  } else if (!labels.empty()) {
    out.append(labels, 1);  // without the leading comma
  }
  out += '}';
  out += resource_prefix_;
  out += ",\"thread\":";
  internal::AppendUint(out, r.thread_id);
  if (r.suppressed != 0) {
    out += ",\"suppressed\":";
    internal::AppendUint(out, r.suppressed);
  }
  for (LogField f : r.fields()) {
    out += ',';
    if (IsReservedKey(f.key)) {
      std::string key = "fields.";
      key += f.key;
      internal::AppendJsonString(out, key);
    } else {
      internal::AppendJsonString(out, f.key);
    }
    out += ':';
    internal::AppendLogValueJson(out, f.value);
  }
  out += "}\n";
}

Status CloudLoggingJsonSink::Export(const LogBatch& batch) {
  buffer_.clear();
  for (const LogRecord& r : batch.records) AppendRecord(buffer_, r, batch.resource);
  Status st = internal::WriteAll(options_.fd, buffer_);
  if (buffer_.capacity() > (1u << 20)) std::string().swap(buffer_);
  return st;
}

}  // namespace tai
