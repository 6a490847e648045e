// Internal: reading the metric tiers as Cells (raw points and rollups) and
// writing rollup cells. Shared by the query side and the rollup job so that
// both see a tier the same way.
//
// Free functions over a connection the caller owns; not synchronised.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "store/cell.h"
#include "store/sqlite_db.h"
#include "tai/core/labels.h"
#include "tai/store/metric_query.h"

namespace tai::internal {

struct SeriesInfo {
  int64_t id = 0;
  LabelSet labels;
  SeriesKind kind = SeriesKind::kGauge;
};

// Bucket width of a rollup tier in nanoseconds (0 for raw).
int64_t TierWidth(StoreTier tier);

using CellFn = std::function<void(int64_t series_id, SeriesKind kind, Cell cell)>;

// Cells of `tier` for one series with start in [from, to), in time order.
// Each row read counts against *budget; past it, RESOURCE_EXHAUSTED.
Status ReadSeriesCells(Database& db, StoreTier tier, const SeriesInfo& series, int64_t from,
                       int64_t to, int64_t* budget, const CellFn& fn);
// Cells of `tier` for every series with start in [from, to), by series
// then time (the rollup job's input).
Status ReadAllCells(Database& db, StoreTier tier, int64_t from, int64_t to, const CellFn& fn);
Status WriteRollup(Database& db, StoreTier tier, int64_t series_id, const Cell& cell);

// Where rollups of `tier` are complete: every bucket before it is written.
Result<int64_t> RollupDoneUntil(Database& db, StoreTier tier);
Status SetRollupDoneUntil(Database& db, StoreTier tier, int64_t t);

}  // namespace tai::internal
