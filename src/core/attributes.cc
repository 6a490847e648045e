#include "tai/core/attributes.h"

#include "core/text.h"

namespace tai {
namespace {

struct ToText {
  std::string& out;
  void operator()(const std::string& v) { out += v; }
  void operator()(int64_t v) { internal::AppendInt(out, v); }
  void operator()(double v) { internal::AppendDouble(out, v); }
  void operator()(bool v) { out += v ? "true" : "false"; }
  template <typename T>
  void operator()(const std::vector<T>& v) {
    out += '[';
    for (size_t i = 0; i < v.size(); ++i) {
      if (i) out += ',';
      if constexpr (std::is_same_v<T, std::string>) {
        internal::AppendJsonString(out, v[i]);
      } else {
        (*this)(static_cast<T>(v[i]));
      }
    }
    out += ']';
  }
};

}  // namespace

std::string AttributeValue::ToString() const {
  std::string out;
  std::visit(ToText{out}, v_);
  return out;
}

}  // namespace tai
