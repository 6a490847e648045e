#include "gcp/profiler_api.h"

#include <regex>

#include "core/text.h"

namespace tai::internal {
namespace {

constexpr size_t kLabelValueBytes = 512;
constexpr size_t kLabelsTotalBytes = 1024;

bool Matches(const std::string& s, const char* pattern) {
  return std::regex_match(s, std::regex(pattern));
}

}  // namespace

Status ValidateProfilerLabels(const std::map<std::string, std::string>& labels,
                              std::string_view what) {
  size_t total = 0;
  for (const auto& [name, value] : labels) {
    if (!Matches(name, "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")) {
      return InvalidArgumentError(std::string(what) + ": label name '" + name +
                                  "' does not match ^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$");
    }
    if (value.size() > kLabelValueBytes) {
      return InvalidArgumentError(std::string(what) + ": the value of label '" + name + "' is " +
                                  std::to_string(value.size()) + " bytes; at most 512 allowed");
    }
    total += name.size() + value.size();
  }
  if (total > kLabelsTotalBytes) {
    return InvalidArgumentError(std::string(what) + ": names and values come to " +
                                std::to_string(total) + " bytes; at most 1024 allowed");
  }
  return Status::Ok();
}

Status ProfilerDeployment::Validate() const {
  if (!Matches(project_id, "[a-z][-a-z0-9:.]{4,61}[a-z0-9]")) {
    return InvalidArgumentError("Cloud Profiler: project id '" + project_id +
                                "' does not match ^[a-z][-a-z0-9:.]{4,61}[a-z0-9]$");
  }
  if (!Matches(target, "[a-z0-9]([-a-z0-9_.]{0,253}[a-z0-9])?")) {
    return InvalidArgumentError(
        "Cloud Profiler: target (service name) '" + target +
        "' does not match ^[a-z0-9]([-a-z0-9_.]{0,253}[a-z0-9])?$ (lower case, digits, - _ .)");
  }
  return ValidateProfilerLabels(labels, "Cloud Profiler deployment labels");
}

void AppendStringMap(std::string& out, const std::map<std::string, std::string>& map) {
  out += '{';
  bool first = true;
  for (const auto& [k, v] : map) {
    if (!first) out += ',';
    first = false;
    AppendJsonString(out, k);
    out += ':';
    AppendJsonString(out, v);
  }
  out += '}';
}

void ProfilerDeployment::AppendJson(std::string& out) const {
  out += "{\"projectId\":";
  AppendJsonString(out, project_id);
  out += ",\"target\":";
  AppendJsonString(out, target);
  out += ",\"labels\":";
  AppendStringMap(out, labels);
  out += '}';
}

std::string FormatProtoDuration(int64_t nanos) {
  if (nanos < 0) nanos = 0;
  std::string out = std::to_string(nanos / 1'000'000'000);
  if (int64_t frac = nanos % 1'000'000'000) {
    std::string digits = std::to_string(frac);
    out += '.' + std::string(9 - digits.size(), '0') + digits;
    // Whole groups of three, as protobuf's own JSON printer writes them.
    while (out.ends_with("000")) out.resize(out.size() - 3);
  }
  return out + 's';
}

}  // namespace tai::internal
