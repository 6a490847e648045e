#include "store/record_json.h"

#include <nlohmann/json.hpp>

#include "core/attribute_json.h"
#include "core/text.h"
#include "log/log_value_json.h"

namespace tai::internal {
namespace {

using nlohmann::json;

json Parse(std::string_view text) { return json::parse(text, nullptr, false); }

template <typename T>
std::vector<T> Array(const json& a) {
  std::vector<T> out;
  for (const json& e : a) out.push_back(e.get<T>());
  return out;
}

AttributeValue ArrayValue(const json& a) {
  if (a.empty() || a.front().is_string()) return Array<std::string>(a);
  if (a.front().is_boolean()) return Array<bool>(a);
  if (a.front().is_number_float()) return Array<double>(a);
  return Array<int64_t>(a);
}

AttributeValue ValueFromJson(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number_float()) return v.get<double>();
  if (v.is_number()) return v.get<int64_t>();
  if (v.is_array()) return ArrayValue(v);
  return std::string(v.dump());
}

Attributes AttributesFrom(const json& object) {
  Attributes out;
  if (!object.is_object()) return out;
  for (const auto& [key, value] : object.items()) out.push_back({key, ValueFromJson(value)});
  return out;
}

}  // namespace

std::string LabelsToJson(const LabelSet& labels) {
  std::string out = "{";
  for (const auto& [k, v] : labels.labels()) {
    if (out.size() > 1) out += ',';
    AppendJsonString(out, k);
    out += ':';
    AppendJsonString(out, v);
  }
  out += '}';
  return out;
}

Result<LabelSet> LabelsFromJson(std::string_view text) {
  json j = Parse(text);
  if (!j.is_object())
    return InternalError("stored labels are not a JSON object: " + std::string(text));
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& [k, v] : j.items()) {
    pairs.emplace_back(k, v.is_string() ? v.get<std::string>() : v.dump());
  }
  return LabelSet::FromPairs(std::move(pairs));
}

std::string StringMapToJson(const std::map<std::string, std::string>& map) {
  return json(map).dump();
}

std::map<std::string, std::string> StringMapFromJson(std::string_view text) {
  std::map<std::string, std::string> out;
  json j = Parse(text);
  if (!j.is_object()) return out;
  for (const auto& [k, v] : j.items()) out[k] = v.is_string() ? v.get<std::string>() : v.dump();
  return out;
}

std::string AttributesToJson(const Attributes& attributes) {
  std::string out;
  AppendJsonAttributes(out, attributes);
  return out;
}

Attributes AttributesFromJson(std::string_view text) { return AttributesFrom(Parse(text)); }

std::string SpanEventsToJson(const std::vector<SpanEvent>& events) {
  std::string out = "[";
  for (const SpanEvent& e : events) {
    if (out.size() > 1) out += ',';
    out += "{\"name\":";
    AppendJsonString(out, e.name);
    out += ",\"t\":";
    AppendInt(out, e.time_unix_nanos);
    out += ",\"dropped\":";
    AppendUint(out, e.dropped_attributes);
    out += ",\"attributes\":";
    AppendJsonAttributes(out, e.attributes);
    out += '}';
  }
  out += ']';
  return out;
}

std::string SpanLinksToJson(const std::vector<SpanLink>& links) {
  std::string out = "[";
  for (const SpanLink& l : links) {
    if (out.size() > 1) out += ',';
    out += "{\"trace_id\":\"" + l.context.trace_id.ToHex() + "\",\"span_id\":\"" +
           l.context.span_id.ToHex() + "\",\"flags\":";
    AppendUint(out, l.context.trace_flags);
    out += ",\"trace_state\":";
    AppendJsonString(out, l.context.trace_state);
    out += ",\"dropped\":";
    AppendUint(out, l.dropped_attributes);
    out += ",\"attributes\":";
    AppendJsonAttributes(out, l.attributes);
    out += '}';
  }
  out += ']';
  return out;
}

std::vector<SpanEvent> SpanEventsFromJson(std::string_view text) {
  std::vector<SpanEvent> out;
  json j = Parse(text);
  if (!j.is_array()) return out;
  for (const json& e : j) {
    out.push_back({.name = e.value("name", ""),
                   .time_unix_nanos = e.value("t", int64_t{0}),
                   .attributes = AttributesFrom(e.value("attributes", json::object())),
                   .dropped_attributes = e.value("dropped", uint32_t{0})});
  }
  return out;
}

std::vector<SpanLink> SpanLinksFromJson(std::string_view text) {
  std::vector<SpanLink> out;
  json j = Parse(text);
  if (!j.is_array()) return out;
  for (const json& l : j) {
    SpanLink link;
    link.context.trace_id = TraceId::FromHex(l.value("trace_id", "")).value_or(TraceId());
    link.context.span_id = SpanId::FromHex(l.value("span_id", "")).value_or(SpanId());
    link.context.trace_flags = l.value("flags", uint8_t{0});
    link.context.trace_state = l.value("trace_state", "");
    link.attributes = AttributesFrom(l.value("attributes", json::object()));
    link.dropped_attributes = l.value("dropped", uint32_t{0});
    out.push_back(std::move(link));
  }
  return out;
}

std::string LogFieldsToJson(const LogRecord& record) {
  std::string out = "{";
  for (const LogField& f : record.fields()) {
    if (out.size() > 1) out += ',';
    AppendJsonString(out, f.key);
    out += ':';
    AppendLogValueJson(out, f.value);
  }
  out += '}';
  return out;
}

}  // namespace tai::internal
