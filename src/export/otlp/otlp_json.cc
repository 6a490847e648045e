#include "export/otlp/otlp_json.h"

#include "core/text.h"

namespace tai::internal {
namespace {

struct AnyValueWriter {
  std::string& out;
  void operator()(const std::string& v) {
    out += "{\"stringValue\":";
    AppendJsonString(out, v);
    out += '}';
  }
  void operator()(int64_t v) {
    out += "{\"intValue\":\"";
    AppendInt(out, v);
    out += "\"}";
  }
  void operator()(double v) {
    out += "{\"doubleValue\":";
    AppendJsonDouble(out, v);
    out += '}';
  }
  void operator()(bool v) { out += v ? "{\"boolValue\":true}" : "{\"boolValue\":false}"; }
  template <typename T>
  void operator()(const std::vector<T>& values) {
    out += "{\"arrayValue\":{\"values\":[";
    for (size_t i = 0; i < values.size(); ++i) {
      if (i) out += ',';
      (*this)(static_cast<T>(values[i]));
    }
    out += "]}}";
  }
};

}  // namespace

void AppendOtlpAnyValue(std::string& out, const AttributeValue& value) {
  std::visit(AnyValueWriter{out}, value.variant());
}

void AppendOtlpAttributes(std::string& out, const Attributes& attributes) {
  out += '[';
  for (size_t i = 0; i < attributes.size(); ++i) {
    if (i) out += ',';
    out += "{\"key\":";
    AppendJsonString(out, attributes[i].key);
    out += ",\"value\":";
    AppendOtlpAnyValue(out, attributes[i].value);
    out += '}';
  }
  out += ']';
}

void AppendOtlpResource(std::string& out, const Resource& resource) {
  out += "{\"attributes\":";
  AppendOtlpAttributes(out, resource.ToAttributes());
  out += '}';
}

}  // namespace tai::internal
