// Test support: Cloud Trace v2 batchWrite on 127.0.0.1. Checks requests
// against Google's tracing.proto and the API's rules (span names, ids,
// display name and attribute limits, times). Thread-safe.
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

class TraceEmulator : public ApiEmulator {
 public:
  TraceEmulator() : ApiEmulator("google/devtools/cloudtrace/v2/tracing.proto") {
    server().Handle("POST", "/v2/projects/:project/traces:batchWrite",
                    [this](const HttpRequest& r, HttpResponse& w) { BatchWrite(r, w); });
    Start();
  }

  ~TraceEmulator() override { StopServing(); }
  gcp::GcpEndpoints Endpoints() const {
    gcp::GcpEndpoints e;
    e.trace = url();
    return e;
  }
  std::vector<json> spans() {
    std::lock_guard<std::mutex> lock(mu());
    return spans_;
  }
  std::vector<std::string> authorizations() {
    std::lock_guard<std::mutex> lock(mu());
    return authorizations_;
  }

 private:
  void BatchWrite(const HttpRequest& r, HttpResponse& w) {
    std::lock_guard<std::mutex> lock(mu());
    authorizations_.emplace_back(r.Header("authorization"));
    Status s = validator().Check("google.devtools.cloudtrace.v2.BatchWriteSpansRequest", r.body);
    if (!s.ok()) return Reject(w, s.message());
    const json body = json::parse(r.body);
    const std::string project = r.path_params.at("project");
    static const std::regex kName("projects/([^/]+)/traces/([0-9a-f]{32})/spans/([0-9a-f]{16})");
    for (const json& span : body["spans"]) {
      std::smatch m;
      const std::string name = span["name"];
      if (!std::regex_match(name, m, kName) || m[1] != project) {
        return Reject(w, "bad span name " + name);
      }
      if (span["spanId"] != m[3].str()) return Reject(w, "spanId does not match the name");
      // The API: ids are hex of non-zero byte arrays.
      if (m[2] == std::string(32, '0') || m[3] == std::string(16, '0')) {
        return Reject(w, "bad span name " + name + ": all-zero id");
      }
      if (span["displayName"]["value"].get<std::string>().size() > 128) {
        return Reject(w, "displayName over 128 bytes");
      }
      if (span["attributes"]["attributeMap"].size() > 32) return Reject(w, "over 32 attributes");
      for (const auto& [key, value] : span["attributes"]["attributeMap"].items()) {
        if (key.size() > 128) return Reject(w, "attribute key over 128 bytes");
        if (value.contains("stringValue") &&
            value["stringValue"]["value"].get<std::string>().size() > 256) {
          return Reject(w, "attribute value over 256 bytes");
        }
      }
      if (!span.contains("startTime") || !span.contains("endTime")) {
        return Reject(w, "start and end times are required");
      }
    }
    for (const json& span : body["spans"]) spans_.push_back(span);
    w.content_type = "application/json";
    w.body = "{}";
  }

  std::vector<json> spans_;
  std::vector<std::string> authorizations_;
};

}  // namespace tai::testing
