// Internal: a Cell is what every metric tier stores per series and time
// bucket, and what queries aggregate: a raw point is a cell of one value,
// an hourly or daily rollup a cell of many. Keeping one shape lets a query
// stitch tiers together and lets rollups of rollups stay exact: count, sum,
// min, max, last and the increase add up, and histograms merge.
//
// Value type; not synchronised.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>

#include "store/ingest.h"
#include "tai/metrics/histogram_data.h"

namespace tai::internal {

struct Cell {
  bool filled = false;  // false: an empty accumulator
  int64_t start = 0;    // bucket start (a raw point: its time)
  int64_t end = 0;      // bucket end, exclusive (a raw point: its time)
  uint64_t count = 0;
  double sum = 0;
  double min = std::numeric_limits<double>::quiet_NaN();
  double max = std::numeric_limits<double>::quiet_NaN();
  double last = std::numeric_limits<double>::quiet_NaN();
  int64_t last_time = 0;
  double increase = 0;  // counters
  // Histograms: the merged observations. Gauges in rollups: the
  // distribution of the values, so percentiles over rollups have a bound.
  std::optional<HistogramData> hist;
};

// A raw point of a series of `kind` as a cell.
Cell CellFromPoint(SeriesKind kind, int64_t time, std::optional<double> value,
                   std::optional<double> increase, std::optional<HistogramData> hist);

// Folds `other` (later or equal in time) into `into`. For gauges and
// counters without a value histogram, the raw values are recorded into one
// so that the rollup can answer percentiles.
void MergeCell(SeriesKind kind, Cell& into, const Cell& other);

}  // namespace tai::internal
