#include "core/attribute_json.h"

#include "core/text.h"

namespace tai::internal {
namespace {

struct JsonWriter {
  std::string& out;
  void operator()(const std::string& v) { AppendJsonString(out, v); }
  void operator()(int64_t v) { AppendInt(out, v); }
  void operator()(double v) { AppendJsonDouble(out, v); }
  void operator()(bool v) { out += v ? "true" : "false"; }
  template <typename T>
  void operator()(const std::vector<T>& values) {
    out += '[';
    for (size_t i = 0; i < values.size(); ++i) {
      if (i) out += ',';
      (*this)(static_cast<T>(values[i]));
    }
    out += ']';
  }
};

}  // namespace

void AppendJsonAttributeValue(std::string& out, const AttributeValue& value) {
  std::visit(JsonWriter{out}, value.variant());
}

void AppendJsonAttributes(std::string& out, const Attributes& attributes) {
  out += '{';
  for (size_t i = 0; i < attributes.size(); ++i) {
    if (i) out += ',';
    AppendJsonString(out, attributes[i].key);
    out += ':';
    AppendJsonAttributeValue(out, attributes[i].value);
  }
  out += '}';
}

}  // namespace tai::internal
