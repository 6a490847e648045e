// ComparisonOperator: how a value is compared with a threshold, shared by
// CloudMonitoring::CheckThreshold, alerting rules and SLOs.
//
// Value type and free functions; thread-safe.
#pragma once

#include <string_view>

#include "tai/core/status.h"

namespace tai {

enum class ComparisonOperator {
  kGreaterThan,
  kGreaterThanOrEqual,
  kLessThan,
  kLessThanOrEqual,
  kEqual,
  kNotEqual,
};

// True when `value op threshold` holds. NaN compares false except for kNotEqual.
bool Compare(double value, ComparisonOperator op, double threshold);
// ">", ">=", "<", "<=", "==", "!=".
std::string_view ComparisonSymbol(ComparisonOperator op);
// Cloud Monitoring's names: COMPARISON_GT, COMPARISON_GE, ...
std::string_view ComparisonApiName(ComparisonOperator op);
// Accepts the symbols and the API names.
Result<ComparisonOperator> ParseComparison(std::string_view text);

}  // namespace tai
