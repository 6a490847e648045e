#include "tai/core/comparison.h"

#include <string>

namespace tai {

bool Compare(double value, ComparisonOperator op, double threshold) {
  switch (op) {
    case ComparisonOperator::kGreaterThan:
      return value > threshold;
    case ComparisonOperator::kGreaterThanOrEqual:
      return value >= threshold;
    case ComparisonOperator::kLessThan:
      return value < threshold;
    case ComparisonOperator::kLessThanOrEqual:
      return value <= threshold;
    case ComparisonOperator::kEqual:
      return value == threshold;
    case ComparisonOperator::kNotEqual:
      return value != threshold;
  }
  return false;
}

namespace {

struct OperatorName {
  ComparisonOperator op;
  std::string_view symbol;
  std::string_view api;
};

constexpr OperatorName kNames[] = {
    {ComparisonOperator::kGreaterThan, ">", "COMPARISON_GT"},
    {ComparisonOperator::kGreaterThanOrEqual, ">=", "COMPARISON_GE"},
    {ComparisonOperator::kLessThan, "<", "COMPARISON_LT"},
    {ComparisonOperator::kLessThanOrEqual, "<=", "COMPARISON_LE"},
    {ComparisonOperator::kEqual, "==", "COMPARISON_EQ"},
    {ComparisonOperator::kNotEqual, "!=", "COMPARISON_NE"},
};

}  // namespace

std::string_view ComparisonSymbol(ComparisonOperator op) {
  for (const auto& n : kNames) {
    if (n.op == op) return n.symbol;
  }
  return "?";
}

std::string_view ComparisonApiName(ComparisonOperator op) {
  for (const auto& n : kNames) {
    if (n.op == op) return n.api;
  }
  return "COMPARISON_UNSPECIFIED";
}

Result<ComparisonOperator> ParseComparison(std::string_view text) {
  for (const auto& n : kNames) {
    if (text == n.symbol || text == n.api) return n.op;
  }
  return InvalidArgumentError("comparison '" + std::string(text) +
                              "' is not one of > >= < <= == != or COMPARISON_GT/GE/LT/LE/EQ/NE");
}

}  // namespace tai
