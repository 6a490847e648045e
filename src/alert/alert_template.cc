#include "alert/alert_template.h"

#include <cstdio>

#include "core/text.h"

namespace tai::internal {

Result<AlertTemplate> AlertTemplate::Parse(std::string_view text) {
  AlertTemplate t;
  size_t at = 0;
  while (at < text.size()) {
    const size_t open = text.find("{{", at);
    if (open == std::string_view::npos) {
      t.parts_.push_back({Part::Kind::kText, std::string(text.substr(at))});
      break;
    }
    if (open > at) t.parts_.push_back({Part::Kind::kText, std::string(text.substr(at, open - at))});
    const size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      return InvalidArgumentError("template reference at offset " + std::to_string(open) +
                                  " has no closing '}}'");
    }
    const std::string_view ref = TrimSpaces(text.substr(open + 2, close - open - 2));
    constexpr std::string_view kLabels = "$labels.";
    if (ref == "$value") {
      t.parts_.push_back({Part::Kind::kValue, ""});
    } else if (ref == "$threshold") {
      t.parts_.push_back({Part::Kind::kThreshold, ""});
    } else if (ref.starts_with(kLabels) && ref.size() > kLabels.size()) {
      t.parts_.push_back({Part::Kind::kLabel, std::string(ref.substr(kLabels.size()))});
    } else {
      return InvalidArgumentError("unknown template reference '{{ " + std::string(ref) +
                                  " }}': expected $value, $threshold or $labels.<name>");
    }
    at = close + 2;
  }
  return t;
}

std::string AlertTemplate::Expand(double value, double threshold, const LabelSet& labels) const {
  std::string out;
  for (const Part& p : parts_) {
    switch (p.kind) {
      case Part::Kind::kText:
        out += p.text;
        break;
      case Part::Kind::kValue:
        out += FormatAlertValue(value);
        break;
      case Part::Kind::kThreshold:
        out += FormatAlertValue(threshold);
        break;
      case Part::Kind::kLabel:
        if (const std::string* v = labels.Find(p.text)) out += *v;
        break;
    }
  }
  return out;
}

std::string FormatAlertValue(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", value);
  return buf;
}

}  // namespace tai::internal
