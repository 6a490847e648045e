#include "tai/metrics/metric_descriptor.h"

#include <set>

#include "core/enum_names.h"

namespace tai {
namespace {

bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return IsLower(c) || (c >= 'A' && c <= 'Z'); }

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

std::string CharAt(std::string_view s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  std::string what =
      (c >= 0x20 && c < 0x7f) ? std::string("'") + s[i] + "'" : "byte 0x" + std::to_string(c);
  return what + " at " + std::to_string(i);
}

}  // namespace

namespace {

constexpr internal::EnumNames<MetricType, 4> kMetricTypeNames{{
    {MetricType::kUnspecified, "UNSPECIFIED"},
    {MetricType::kGauge, "GAUGE"},
    {MetricType::kCumulative, "CUMULATIVE"},
    {MetricType::kDistribution, "DISTRIBUTION"},
}};

}  // namespace

std::string_view MetricTypeName(MetricType type) {
  return internal::NameOf(kMetricTypeNames, type, "UNSPECIFIED");
}

Status ValidateLabelKey(std::string_view key) {
  if (key.empty()) return InvalidArgumentError("label key is empty");
  if (key.size() > kMaxLabelKeyLength) {
    return InvalidArgumentError("label key " + Quote(key.substr(0, 20)) + "... is " +
                                std::to_string(key.size()) + " characters; the limit is " +
                                std::to_string(kMaxLabelKeyLength));
  }
  if (!IsLower(key[0])) {
    return InvalidArgumentError("label key " + Quote(key) + " must start with a lower-case letter");
  }
  for (size_t i = 1; i < key.size(); ++i) {
    char c = key[i];
    if (!IsLower(c) && !IsDigit(c) && c != '_') {
      return InvalidArgumentError("label key " + Quote(key) + ": character " + CharAt(key, i) +
                                  " is not allowed (use a-z, 0-9 and _)");
    }
  }
  return Status::Ok();
}

Status ValidateUnit(std::string_view u) {
  if (u.empty()) return InvalidArgumentError("unit is empty (use \"1\" for a plain number)");
  if (u.size() > 63) return InvalidArgumentError("unit " + Quote(u) + " is too long");
  // A UCUM term: letters, digits and the operators . / ^ - and {annotations}.
  int depth = 0;
  for (size_t i = 0; i < u.size(); ++i) {
    char c = u[i];
    if (c == '{') {
      ++depth;
    } else if (c == '}') {
      if (--depth < 0) return InvalidArgumentError("unit " + Quote(u) + " has an unmatched '}'");
    } else if (depth == 0 && !IsAlpha(c) && !IsDigit(c) && c != '.' && c != '/' && c != '^' &&
               c != '-' && c != '%') {
      return InvalidArgumentError("unit " + Quote(u) + ": character " + CharAt(u, i) +
                                  " is not valid in a UCUM unit");
    } else if (depth > 0 && (static_cast<unsigned char>(c) < 0x20 || c == '\x7f')) {
      return InvalidArgumentError("unit " + Quote(u) + " has a control character");
    }
  }
  if (depth != 0) return InvalidArgumentError("unit " + Quote(u) + " has an unclosed '{'");
  return Status::Ok();
}

Status ValidateMetricDescriptor(const MetricDescriptor& d) {
  const std::string& t = d.metric_type;
  if (t.empty()) return InvalidArgumentError("metric type is empty");
  if (t.size() > kMaxMetricTypeLength) {
    return InvalidArgumentError("metric type " + Quote(t.substr(0, 40)) + "... is " +
                                std::to_string(t.size()) + " characters; the limit is " +
                                std::to_string(kMaxMetricTypeLength));
  }
  if (!IsAlpha(t[0])) {
    return InvalidArgumentError("metric type " + Quote(t) + " must start with a letter");
  }
  for (size_t i = 0; i < t.size(); ++i) {
    char c = t[i];
    if (!IsAlpha(c) && !IsDigit(c) && c != '_' && c != '.' && c != '/' && c != '-') {
      return InvalidArgumentError("metric type " + Quote(t) + ": character " + CharAt(t, i) +
                                  " is not allowed (use letters, digits, _ . / -)");
    }
    if (c == '/' && (i + 1 == t.size() || t[i + 1] == '/')) {
      return InvalidArgumentError("metric type " + Quote(t) + " has an empty path segment");
    }
  }
  TAI_RETURN_IF_ERROR(ValidateUnit(d.unit.ucum()).WithContext("metric " + Quote(t)));
  if (d.labels.size() > kMaxLabelsPerMetric) {
    return InvalidArgumentError("metric " + Quote(t) + " declares " +
                                std::to_string(d.labels.size()) + " labels; the limit is " +
                                std::to_string(kMaxLabelsPerMetric));
  }
  std::set<std::string_view> seen;
  for (const LabelDescriptor& l : d.labels) {
    TAI_RETURN_IF_ERROR(ValidateLabelKey(l.key).WithContext("metric " + Quote(t)));
    if (!seen.insert(l.key).second) {
      return InvalidArgumentError("metric " + Quote(t) + " declares label " + Quote(l.key) +
                                  " twice");
    }
    if (l.value_type != "string" && l.value_type != "int64" && l.value_type != "bool") {
      return InvalidArgumentError("metric " + Quote(t) + " label " + Quote(l.key) +
                                  ": value type " + Quote(l.value_type) +
                                  " is not string, int64 or bool");
    }
  }
  return Status::Ok();
}

std::string CloudMonitoringMetricType(std::string_view metric_type) {
  const size_t slash = metric_type.find('/');
  const bool has_domain = slash != std::string_view::npos &&
                          metric_type.substr(0, slash).find('.') != std::string_view::npos;
  return has_domain ? std::string(metric_type)
                    : "custom.googleapis.com/" + std::string(metric_type);
}

}  // namespace tai
