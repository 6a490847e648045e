// Internal: the annotation templates of alerting rules. A template is text
// with references in double braces: {{ $value }} (the evaluated value,
// printed with %g), {{ $threshold }} and {{ $labels.<key> }} (the alert's
// label, "" when it has none). Anything else in braces is an error found
// when the rule is added, not when the alert fires.
//
// A value type: parsed once, expanded at every evaluation. Thread-safe
// to share once built.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tai/core/labels.h"
#include "tai/core/status.h"

namespace tai::internal {

class AlertTemplate {
 public:
  // INVALID_ARGUMENT naming the unknown reference or the unclosed brace.
  static Result<AlertTemplate> Parse(std::string_view text);

  std::string Expand(double value, double threshold, const LabelSet& labels) const;

 private:
  struct Part {
    enum class Kind { kText, kValue, kThreshold, kLabel } kind;
    std::string text;  // kText: the text; kLabel: the label key
  };
  std::vector<Part> parts_;
};

// "%g" of the value: 0.051 rather than 0.051000, 1e+06 for a million.
std::string FormatAlertValue(double value);

}  // namespace tai::internal
