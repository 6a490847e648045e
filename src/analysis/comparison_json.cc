#include "analysis/comparison_json.h"

#include <nlohmann/json.hpp>

namespace tai::internal {
namespace {

using ordered_json = nlohmann::ordered_json;

ordered_json RegressionJson(const Regression& r) {
  return {{"function", r.function},
          {"baseline_micros", r.baseline_micros},
          {"current_micros", r.current_micros},
          {"increase_percent", r.increase_percent},
          {"p_value", r.p_value},
          {"detectable_percent", r.detectable_percent},
          {"severity", AlertSeverityName(r.severity)}};
}

ordered_json ImprovementJson(const Improvement& i) {
  return {{"function", i.function},
          {"baseline_micros", i.baseline_micros},
          {"current_micros", i.current_micros},
          {"reduction_percent", i.reduction_percent},
          {"p_value", i.p_value},
          {"detectable_percent", i.detectable_percent}};
}

ordered_json PresenceJson(const FunctionPresence& f) {
  return {{"function", f.function}, {"micros", f.micros}, {"share", f.share}};
}

template <typename T, typename F>
ordered_json Array(const std::vector<T>& items, F&& to_json) {
  ordered_json a = ordered_json::array();
  for (const T& item : items) a.push_back(to_json(item));
  return a;
}

}  // namespace

std::string ProfileComparisonJson(const ProfileComparison& c) {
  ordered_json j = {{"severity", AlertSeverityName(c.severity())},
                    {"regressions", Array(c.regressions, RegressionJson)},
                    {"improvements", Array(c.improvements, ImprovementJson)},
                    {"added", Array(c.added, PresenceJson)},
                    {"removed", Array(c.removed, PresenceJson)},
                    {"baseline_total_micros", c.baseline_total_micros},
                    {"current_total_micros", c.current_total_micros},
                    {"total_change_percent", c.total_change_percent},
                    {"tested_functions", c.tested_functions},
                    {"normalization", NormalizationName(c.normalization)},
                    {"baseline_profiles", c.baseline_profiles},
                    {"current_profiles", c.current_profiles},
                    {"threshold_percent", c.options.threshold_percent}};
  // Function names come from symbols: invalid UTF-8 is replaced, not fatal.
  return j.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

}  // namespace tai::internal
