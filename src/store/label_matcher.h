// Internal: label matchers compiled once per query (regular expressions
// built up front, so a bad one is an error before any row is read).
//
// Immutable once made; safe to share between threads.
#pragma once

#include <regex>
#include <vector>

#include "tai/core/labels.h"
#include "tai/store/metric_query.h"

namespace tai::internal {

class CompiledMatchers {
 public:
  static Result<CompiledMatchers> Compile(const std::vector<LabelMatcher>& matchers);
  bool Matches(const LabelSet& labels) const;

 private:
  struct Compiled {
    LabelMatcher matcher;
    std::regex re;
  };
  std::vector<Compiled> matchers_;
};

}  // namespace tai::internal
