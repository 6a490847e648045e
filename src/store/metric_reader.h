// Internal: the metric side of the query API, over a read connection. The
// tier plan reads the coarsest tier only where the finer ones no longer
// hold the data: daily cells, then hourly cells, then raw points, stitched
// at the rollup watermarks so nothing is counted twice.
//
// Free functions; the caller owns the connection (one query at a time).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "store/cell_io.h"
#include "store/sqlite_db.h"
#include "tai/store/metric_query.h"
#include "tai/store/store_options.h"

namespace tai::internal {

Result<std::vector<std::string>> ReadMetricNames(Database& db);
Result<std::vector<MetricSummary>> ReadMetricSummaries(Database& db);
Result<std::vector<LatestPoint>> ReadLatest(Database& db, std::string_view metric,
                                            const std::vector<LabelMatcher>& matchers);
Result<MetricRangeResult> ReadRange(Database& db, const MetricRangeQuery& query,
                                    const StoreOptions& options, int64_t now);
Result<WindowStatistics> ReadStatistics(Database& db, std::string_view metric,
                                        const std::vector<LabelMatcher>& matchers, int64_t start,
                                        int64_t end, const StoreOptions& options, int64_t now);

// Which tier serves which part of [start, end).
struct TierSpan {
  StoreTier tier;
  int64_t from;
  int64_t to;
};
Result<std::vector<TierSpan>> PlanTiers(Database& db, int64_t start, int64_t end,
                                        const RetentionOptions& retention, int64_t now);

}  // namespace tai::internal
