#include "store/label_matcher.h"

#include "core/text.h"

namespace tai {

namespace {

// "=" last: the parser tries the two-character symbols first.
constexpr std::pair<std::string_view, LabelMatcher::Op> kOps[] = {
    {"!=", LabelMatcher::Op::kNotEqual},
    {"=~", LabelMatcher::Op::kRegex},
    {"!~", LabelMatcher::Op::kNotRegex},
    {"=", LabelMatcher::Op::kEqual}};

}  // namespace

std::string_view LabelMatcherSymbol(LabelMatcher::Op op) {
  for (const auto& [symbol, o] : kOps) {
    if (o == op) return symbol;
  }
  return "=";
}

std::string FormatLabelMatcher(const LabelMatcher& matcher) {
  return matcher.key + std::string(LabelMatcherSymbol(matcher.op)) + "\"" + matcher.value + "\"";
}

Result<LabelMatcher> ParseLabelMatcher(std::string_view text) {
  const size_t at = text.find_first_of("=!");
  if (at == std::string_view::npos || at == 0) {
    return InvalidArgumentError("label matcher '" + std::string(text) +
                                "': expected key=\"v\", key!=\"v\", key=~\"re\" or key!~\"re\"");
  }
  for (const auto& [symbol, op] : kOps) {
    if (text.substr(at, symbol.size()) != symbol) continue;
    std::string_view value = internal::TrimSpaces(text.substr(at + symbol.size()));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    return LabelMatcher{std::string(internal::TrimSpaces(text.substr(0, at))), op,
                        std::string(value)};
  }
  return InvalidArgumentError("label matcher '" + std::string(text) + "': unknown operator");
}

namespace internal {
namespace {

// What a missing label compares as (PromQL's rule).
const std::string& EmptyString() {
  static const std::string empty;
  return empty;
}

}  // namespace

Result<CompiledMatchers> CompiledMatchers::Compile(const std::vector<LabelMatcher>& matchers) {
  CompiledMatchers out;
  for (const LabelMatcher& m : matchers) {
    if (m.key.empty()) return InvalidArgumentError("label matcher with an empty label name");
    Compiled c{m, {}};
    if (m.op == LabelMatcher::Op::kRegex || m.op == LabelMatcher::Op::kNotRegex) {
      try {
        c.re = std::regex(m.value, std::regex::ECMAScript | std::regex::optimize);
      } catch (const std::regex_error& e) {
        return InvalidArgumentError("label matcher " + m.key + "~\"" + m.value +
                                    "\": bad regular expression: " + e.what());
      }
    }
    out.matchers_.push_back(std::move(c));
  }
  return out;
}

bool CompiledMatchers::Matches(const LabelSet& labels) const {
  for (const Compiled& c : matchers_) {
    const std::string* found = labels.Find(c.matcher.key);
    const std::string& value = found ? *found : EmptyString();
    bool ok = false;
    switch (c.matcher.op) {
      case LabelMatcher::Op::kEqual:
        ok = value == c.matcher.value;
        break;
      case LabelMatcher::Op::kNotEqual:
        ok = value != c.matcher.value;
        break;
      case LabelMatcher::Op::kRegex:
        ok = std::regex_match(value, c.re);
        break;
      case LabelMatcher::Op::kNotRegex:
        ok = !std::regex_match(value, c.re);
        break;
    }
    if (!ok) return false;
  }
  return true;
}

}  // namespace internal
}  // namespace tai
