// Internal: the JSON the dashboard API answers with, one function per
// record type of the store and the alert engine. Times are given twice:
// RFC 3339 for people and Unix nanoseconds for code.
//
// Free functions: thread-safe.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/enum_names.h"
#include "tai/alert/alert.h"
#include "tai/alert/alert_engine.h"
#include "tai/alert/alerting_rule.h"
#include "tai/core/labels.h"
#include "tai/dashboard/dashboard_config.h"
#include "tai/profile/profile.h"
#include "tai/store/store.h"

namespace tai::internal {

// Dumps `value` as UTF-8 JSON (invalid UTF-8 replaced) with '<', '>' and
// '&' written as \u escapes, so that the text stays inert even if a browser
// were to read it as HTML.
std::string DumpJsonForWeb(const nlohmann::json& value);

nlohmann::json LabelsJson(const LabelSet& labels);
// "2026-01-25T10:30:00Z", or null for 0 (not set).
nlohmann::json TimeJson(int64_t unix_nanos);
std::string_view StoreTierName(StoreTier tier);  // "raw", "hourly", "daily"

// The names of a range query's `fn` and `across` (the API's parameters and
// `taiobs query metrics --fn`).
inline constexpr EnumNames<StepFunction, 10> kStepFunctionNames{{
    {StepFunction::kLast, "last"},
    {StepFunction::kAvg, "avg"},
    {StepFunction::kMin, "min"},
    {StepFunction::kMax, "max"},
    {StepFunction::kSum, "sum"},
    {StepFunction::kCount, "count"},
    {StepFunction::kIncrease, "increase"},
    {StepFunction::kRate, "rate"},
    {StepFunction::kQuantile, "quantile"},
    {StepFunction::kCountAtOrBelow, "count_at_or_below"},
}};

inline constexpr EnumNames<SeriesAggregation, 5> kAcrossNames{{
    {SeriesAggregation::kNone, "none"},
    {SeriesAggregation::kSum, "sum"},
    {SeriesAggregation::kAvg, "avg"},
    {SeriesAggregation::kMin, "min"},
    {SeriesAggregation::kMax, "max"},
}};
// A range query's answer: each series as columns, as charts take them
// (times in Unix seconds, values with NaN as null).
nlohmann::json MetricRangeJson(const MetricRangeQuery& query, const MetricRangeResult& result);

nlohmann::json SpanJson(const StoredSpan& span);
nlohmann::json LogJson(const StoredLog& log);
nlohmann::json ProfileInfoJson(const StoredProfileInfo& info);
// The profile's metadata and its hottest functions (self and cumulative).
nlohmann::json ProfileSummaryJson(int64_t row_id, const Profile& profile, size_t hot_functions);
// d3-flame-graph's input: {"name","value","children":[...]} from the root,
// values in HotPath's unit; stacks deeper than `max_depth` are cut there.
nlohmann::json FlameGraphTreeJson(const Profile& profile, size_t max_depth);
// d3-flame-graph's differential input: the current profile's tree with a
// `delta` on every node, its value minus the baseline's scaled to the
// current exposure (DifferentialBaselineScale): positive costs more.
nlohmann::json DifferentialFlameGraphTreeJson(const Profile& baseline, const Profile& current,
                                              size_t max_depth);
// The dashboard in effect (DashboardConfigToJson's fields) with, on every
// metric panel, `series`: the /api/metrics/range parameters of its
// numerator (and denominator) and the `scale` to multiply the ratio by.
nlohmann::json DashboardJson(const DashboardConfig& config);
nlohmann::json AlertJson(const Alert& alert);
nlohmann::json AlertEventJson(const AlertEventRecord& event);
nlohmann::json NotificationJson(const NotificationAttempt& attempt);
nlohmann::json RuleJson(const AlertingRule& rule);
// An SLO's last evaluation: PASS/FAIL against its objective, the error
// budget and each burn-rate window with its events and data coverage.
nlohmann::json SloStatusJson(const SloStatus& status);
std::string MatcherText(const LabelMatcher& matcher);  // job="api"

}  // namespace tai::internal
