// Internal: the pieces of the OTLP/HTTP JSON encoding shared by traces,
// logs and metrics (opentelemetry-proto's common.proto and resource.proto
// under the proto3 JSON mapping: int64 as strings, ids as hex, enums as
// numbers, camelCase field names).
#pragma once

#include <string>

#include "tai/core/attributes.h"
#include "tai/core/resource.h"

namespace tai::internal {

// An AnyValue object: {"stringValue":"x"}, {"intValue":"42"}, ...
void AppendOtlpAnyValue(std::string& out, const AttributeValue& value);
// A JSON array of KeyValue objects: [{"key":"k","value":{...}},...]
void AppendOtlpAttributes(std::string& out, const Attributes& attributes);
// A Resource object: {"attributes":[...]}
void AppendOtlpResource(std::string& out, const Resource& resource);

}  // namespace tai::internal
