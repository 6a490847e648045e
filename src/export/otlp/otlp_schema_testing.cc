#include "export/otlp/otlp_schema_testing.h"

#include <cctype>
#include <map>
#include <set>

namespace tai::testing {
namespace {

// Field kinds as the JSON mapping writes them.
enum class Kind {
  kString,
  kBool,
  kUint32,
  kInt64,
  kFixed64,
  kDouble,
  kEnum,
  kHexId16,
  kHexId8,
  kMessage,
  kBytes
};

struct Field {
  Kind kind;
  bool repeated = false;
  std::string message;  // for kMessage
};

using Schema = std::map<std::string, std::map<std::string, Field>>;

const Schema& OtlpSchema() {
  static const Schema schema = {
      {"ExportTraceServiceRequest", {{"resourceSpans", {Kind::kMessage, true, "ResourceSpans"}}}},
      {"ResourceSpans",
       {{"resource", {Kind::kMessage, false, "Resource"}},
        {"scopeSpans", {Kind::kMessage, true, "ScopeSpans"}},
        {"schemaUrl", {Kind::kString}}}},
      {"Resource",
       {{"attributes", {Kind::kMessage, true, "KeyValue"}},
        {"droppedAttributesCount", {Kind::kUint32}}}},
      {"ScopeSpans",
       {{"scope", {Kind::kMessage, false, "InstrumentationScope"}},
        {"spans", {Kind::kMessage, true, "Span"}},
        {"schemaUrl", {Kind::kString}}}},
      {"InstrumentationScope",
       {{"name", {Kind::kString}},
        {"version", {Kind::kString}},
        {"attributes", {Kind::kMessage, true, "KeyValue"}},
        {"droppedAttributesCount", {Kind::kUint32}}}},
      {"Span",
       {{"traceId", {Kind::kHexId16}},
        {"spanId", {Kind::kHexId8}},
        {"traceState", {Kind::kString}},
        {"parentSpanId", {Kind::kHexId8}},
        {"flags", {Kind::kUint32}},  // fixed32: a JSON number
        {"name", {Kind::kString}},
        {"kind", {Kind::kEnum}},
        {"startTimeUnixNano", {Kind::kFixed64}},
        {"endTimeUnixNano", {Kind::kFixed64}},
        {"attributes", {Kind::kMessage, true, "KeyValue"}},
        {"droppedAttributesCount", {Kind::kUint32}},
        {"events", {Kind::kMessage, true, "Event"}},
        {"droppedEventsCount", {Kind::kUint32}},
        {"links", {Kind::kMessage, true, "Link"}},
        {"droppedLinksCount", {Kind::kUint32}},
        {"status", {Kind::kMessage, false, "Status"}}}},
      {"Event",
       {{"timeUnixNano", {Kind::kFixed64}},
        {"name", {Kind::kString}},
        {"attributes", {Kind::kMessage, true, "KeyValue"}},
        {"droppedAttributesCount", {Kind::kUint32}}}},
      {"Link",
       {{"traceId", {Kind::kHexId16}},
        {"spanId", {Kind::kHexId8}},
        {"traceState", {Kind::kString}},
        {"attributes", {Kind::kMessage, true, "KeyValue"}},
        {"droppedAttributesCount", {Kind::kUint32}},
        {"flags", {Kind::kUint32}}}},
      {"Status", {{"message", {Kind::kString}}, {"code", {Kind::kEnum}}}},
      {"ExportLogsServiceRequest", {{"resourceLogs", {Kind::kMessage, true, "ResourceLogs"}}}},
      {"ResourceLogs",
       {{"resource", {Kind::kMessage, false, "Resource"}},
        {"scopeLogs", {Kind::kMessage, true, "ScopeLogs"}},
        {"schemaUrl", {Kind::kString}}}},
      {"ScopeLogs",
       {{"scope", {Kind::kMessage, false, "InstrumentationScope"}},
        {"logRecords", {Kind::kMessage, true, "LogRecord"}},
        {"schemaUrl", {Kind::kString}}}},
      {"LogRecord",
       {{"timeUnixNano", {Kind::kFixed64}},
        {"observedTimeUnixNano", {Kind::kFixed64}},
        {"severityNumber", {Kind::kEnum}},
        {"severityText", {Kind::kString}},
        {"body", {Kind::kMessage, false, "AnyValue"}},
        {"attributes", {Kind::kMessage, true, "KeyValue"}},
        {"droppedAttributesCount", {Kind::kUint32}},
        {"flags", {Kind::kUint32}},  // fixed32
        {"traceId", {Kind::kHexId16}},
        {"spanId", {Kind::kHexId8}},
        {"eventName", {Kind::kString}}}},
      {"KeyValue", {{"key", {Kind::kString}}, {"value", {Kind::kMessage, false, "AnyValue"}}}},
      {"AnyValue",
       {{"stringValue", {Kind::kString}},
        {"boolValue", {Kind::kBool}},
        {"intValue", {Kind::kInt64}},
        {"doubleValue", {Kind::kDouble}},
        {"arrayValue", {Kind::kMessage, false, "ArrayValue"}},
        {"kvlistValue", {Kind::kMessage, false, "KeyValueList"}},
        {"bytesValue", {Kind::kBytes}}}},
      {"ArrayValue", {{"values", {Kind::kMessage, true, "AnyValue"}}}},
      {"KeyValueList", {{"values", {Kind::kMessage, true, "KeyValue"}}}},
  };
  return schema;
}

// Enum ranges: Span.kind 0-5, Status.code 0-2, LogRecord.severityNumber 0-24.
const std::map<std::string, std::pair<int, int>> kEnumRanges = {
    {"Span.kind", {0, 5}}, {"Status.code", {0, 2}}, {"LogRecord.severityNumber", {0, 24}}};

bool IsHex(const std::string& s, size_t n) {
  if (s.size() != n) return false;
  for (char c : s) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

bool IsDecimal(const std::string& s, bool allow_sign) {
  size_t i = allow_sign && !s.empty() && s[0] == '-' ? 1 : 0;
  if (i == s.size()) return false;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

std::string CheckMessage(const nlohmann::json& j, const std::string& message,
                         const std::string& path);

std::string CheckValue(const nlohmann::json& v, const Field& f, const std::string& owner,
                       const std::string& name, const std::string& path) {
  switch (f.kind) {
    case Kind::kString:
      return v.is_string() ? "" : path + ": expected a string";
    case Kind::kBool:
      return v.is_boolean() ? "" : path + ": expected a boolean";
    case Kind::kUint32:
      return v.is_number_unsigned() && v.get<uint64_t>() <= 0xFFFFFFFFu
                 ? ""
                 : path + ": expected an unsigned 32-bit number";
    case Kind::kInt64:
      return v.is_string() && IsDecimal(v.get<std::string>(), true)
                 ? ""
                 : path + ": expected a 64-bit integer as a decimal string";
    case Kind::kFixed64:
      return v.is_string() && IsDecimal(v.get<std::string>(), false)
                 ? ""
                 : path + ": expected an unsigned 64-bit integer as a decimal string";
    case Kind::kDouble:
      if (v.is_number()) return "";
      if (v.is_string()) {
        const auto s = v.get<std::string>();
        if (s == "NaN" || s == "Infinity" || s == "-Infinity") return "";
      }
      return path + ": expected a number";
    case Kind::kEnum: {
      if (!v.is_number_integer()) return path + ": expected an enum number";
      const auto range = kEnumRanges.at(owner + "." + name);
      const int n = v.get<int>();
      return n >= range.first && n <= range.second ? "" : path + ": enum value out of range";
    }
    case Kind::kHexId16:
      return v.is_string() && IsHex(v.get<std::string>(), 32) ? ""
                                                              : path + ": expected 32 hex digits";
    case Kind::kHexId8:
      return v.is_string() && IsHex(v.get<std::string>(), 16) ? ""
                                                              : path + ": expected 16 hex digits";
    case Kind::kBytes:
      return v.is_string() ? "" : path + ": expected base64 text";
    case Kind::kMessage:
      return CheckMessage(v, f.message, path);
  }
  return path + ": unknown kind";
}

std::string CheckMessage(const nlohmann::json& j, const std::string& message,
                         const std::string& path) {
  if (!j.is_object()) return path + ": expected a " + message + " object";
  const auto& fields = OtlpSchema().at(message);
  int oneof_count = 0;
  for (const auto& [name, value] : j.items()) {
    const std::string here = path + "." + name;
    auto it = fields.find(name);
    if (it == fields.end()) return here + ": " + message + " has no field '" + name + "'";
    const Field& f = it->second;
    if (f.repeated) {
      if (!value.is_array()) return here + ": expected an array";
      for (size_t i = 0; i < value.size(); ++i) {
        std::string e =
            CheckValue(value[i], f, message, name, here + "[" + std::to_string(i) + "]");
        if (!e.empty()) return e;
      }
    } else {
      std::string e = CheckValue(value, f, message, name, here);
      if (!e.empty()) return e;
    }
    ++oneof_count;
  }
  if (message == "AnyValue" && oneof_count > 1) return path + ": AnyValue sets more than one value";
  return "";
}

}  // namespace

std::string CheckOtlpJson(const nlohmann::json& body, const std::string& message) {
  return CheckMessage(body, message, message);
}

}  // namespace tai::testing
