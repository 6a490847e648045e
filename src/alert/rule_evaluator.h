// Internal: one evaluation of an AlertingRule against the store. Queries
// the rule's window ending at `now` (one step spanning the window) with its
// matchers and aggregation, and reduces it to one Observation per group:
// per series, per distinct value of the group_by labels, or one for the
// whole rule. Series in a group combine as the aggregation suggests:
// mean and last average them, max and min take the extreme, rate,
// increase and count add up, and quantiles come from the group's merged
// distribution (one more query per group).
//
// A metric the store has never seen is no data, not an error.
//
// Free function; thread-safe (the store is).
#pragma once

#include <cstdint>
#include <vector>

#include "alert/alert_tracker.h"
#include "tai/alert/alerting_rule.h"
#include "tai/store/store.h"

namespace tai::internal {

Result<std::vector<Observation>> EvaluateRule(const Store& store, const AlertingRule& rule,
                                              int64_t now);

}  // namespace tai::internal
