#include "log/log_value_json.h"

#include "core/text.h"

namespace tai::internal {

void AppendLogValueJson(std::string& out, const LogValue& v) {
  switch (v.kind()) {
    case LogValue::Kind::kString:
      internal::AppendJsonString(out, v.string_value());
      break;
    case LogValue::Kind::kInt:
      internal::AppendInt(out, v.int_value());
      break;
    case LogValue::Kind::kUint:
      internal::AppendUint(out, v.uint_value());
      break;
    case LogValue::Kind::kDouble:
      internal::AppendJsonDouble(out, v.double_value());
      break;
    case LogValue::Kind::kBool:
      out += v.bool_value() ? "true" : "false";
      break;
  }
}

void AppendSourceLocationJson(std::string& out, const LogRecord& r) {
  out += "{\"file\":";
  AppendJsonString(out, r.file);
  out += ",\"line\":\"";
  AppendUint(out, r.line);
  out += "\",\"function\":";
  AppendJsonString(out, r.function);
  out += '}';
}

}  // namespace tai::internal
