// Test support: checks OTLP/HTTP JSON bodies against the message and field
// lists of opentelemetry-proto (trace/v1, logs/v1, common/v1, resource/v1), under the
// proto3 JSON mapping as OTLP specifies it: lowerCamelCase names, 64-bit
// integers as decimal strings, trace and span ids as hex, enums as numbers.
// A body that passes has only fields a Collector knows, each with the type
// its decoder expects.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace tai::testing {

// "" when `body` is a valid message of type `message` (e.g.
// "ExportTraceServiceRequest"); otherwise the first problem, with its path.
std::string CheckOtlpJson(const nlohmann::json& body, const std::string& message);

}  // namespace tai::testing
