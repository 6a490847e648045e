// Test support: Cloud Logging v2 entries.write on 127.0.0.1. Checks
// requests against Google's logging.proto and the API's rules (logName,
// 1000 entries, trace and span id formats, 256 KB entries). Thread-safe.
#pragma once

#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "tai/gcp/credentials.h"
#include "tests/gcp_emulator/api_emulator.h"

namespace tai::testing {

using nlohmann::json;

class LoggingEmulator : public ApiEmulator {
 public:
  LoggingEmulator() : ApiEmulator("google/logging/v2/logging.proto") {
    server().Handle("POST", "/v2/entries:write",
                    [this](const HttpRequest& r, HttpResponse& w) { Write(r, w); });
    Start();
  }
  ~LoggingEmulator() override { StopServing(); }
  gcp::GcpEndpoints Endpoints() const {
    gcp::GcpEndpoints e;
    e.logging = url();
    return e;
  }
  std::vector<json> entries() {
    std::lock_guard<std::mutex> lock(mu());
    return entries_;
  }
  json resource() {
    std::lock_guard<std::mutex> lock(mu());
    return resource_;
  }
  std::string log_name() {
    std::lock_guard<std::mutex> lock(mu());
    return log_name_;
  }
  // The logName of every accepted request, in order.
  std::vector<std::string> log_names() {
    std::lock_guard<std::mutex> lock(mu());
    return log_names_;
  }
  // Answers 403 PERMISSION_DENIED to requests whose body contains `text`
  // ("" stops): a permission that covers some requests and not others.
  void RefuseRequestsContaining(std::string text) {
    std::lock_guard<std::mutex> lock(mu());
    refuse_ = std::move(text);
  }

 private:
  void Write(const HttpRequest& r, HttpResponse& w) {
    std::lock_guard<std::mutex> lock(mu());
    if (!refuse_.empty() && r.body.find(refuse_) != std::string::npos) {
      w.status = 403;
      w.content_type = "application/json";
      w.body = R"({"error":{"code":403,"status":"PERMISSION_DENIED","message":"denied"}})";
      return;
    }
    if (Status s = validator().Check("google.logging.v2.WriteLogEntriesRequest", r.body); !s.ok()) {
      return Reject(w, s.message());
    }
    const json body = json::parse(r.body);
    static const std::regex kLogName("projects/[a-z0-9-]+/logs/[A-Za-z0-9_.%-]{1,512}");
    log_name_ = body["logName"];
    if (!std::regex_match(log_name_, kLogName)) return Reject(w, "bad logName " + log_name_);
    if (body["entries"].size() > 1000) return Reject(w, "over 1000 entries");
    if (std::string why = CheckMonitoredResource(body["resource"].dump()); !why.empty()) {
      return Reject(w, why);
    }
    resource_ = body["resource"];
    static const std::regex kTrace("projects/[a-z0-9-]+/traces/[0-9a-f]{32}");
    static const std::regex kSpan("[0-9a-f]{16}");
    for (const json& e : body["entries"]) {
      if (!e.contains("timestamp") || !e.contains("severity"))
        return Reject(w, "no time or severity");
      if (e.contains("trace") && !std::regex_match(e["trace"].get<std::string>(), kTrace)) {
        return Reject(w, "bad trace " + e["trace"].get<std::string>());
      }
      if (e.contains("spanId") && !std::regex_match(e["spanId"].get<std::string>(), kSpan)) {
        return Reject(w, "bad spanId");
      }
      if (e.dump().size() > 256 * 1024) return Reject(w, "entry over 256 KB");
    }
    for (const json& e : body["entries"]) entries_.push_back(e);
    log_names_.push_back(log_name_);
    w.content_type = "application/json";
    w.body = "{}";
  }

  std::vector<json> entries_;
  std::string log_name_;
  std::vector<std::string> log_names_;
  std::string refuse_;
  json resource_;
};

}  // namespace tai::testing
