#include "store/cell_io.h"

#include <cmath>

#include "store/histogram_codec.h"

namespace tai::internal {
namespace {

constexpr int64_t kHourNanos = int64_t{3600} * 1'000'000'000;

std::optional<double> OptionalDouble(const Statement& s, int col) {
  return s.IsNull(col) ? std::nullopt : std::optional<double>(s.Double(col));
}

std::optional<HistogramData> OptionalHistogram(const Statement& s, int col) {
  if (s.IsNull(col)) return std::nullopt;
  auto h = DecodeHistogram(s.Blob(col));
  return h.ok() ? std::optional<HistogramData>(std::move(*h)) : std::nullopt;
}

// Columns from `first`: t, value, increase, hist.
Cell RawCell(const Statement& s, int first, SeriesKind kind) {
  return CellFromPoint(kind, s.Int(first), OptionalDouble(s, first + 1),
                       OptionalDouble(s, first + 2), OptionalHistogram(s, first + 3));
}

// Columns from `first`: t, count, sum, min, max, last, increase, hist.
Cell RollupCell(const Statement& s, int first, StoreTier tier) {
  Cell c;
  c.filled = true;
  c.start = s.Int(first);
  c.end = c.start + TierWidth(tier);
  c.last_time = c.end - 1;
  c.count = static_cast<uint64_t>(s.Int(first + 1));
  c.sum = s.Double(first + 2);
  c.min = OptionalDouble(s, first + 3).value_or(c.min);
  c.max = OptionalDouble(s, first + 4).value_or(c.max);
  c.last = OptionalDouble(s, first + 5).value_or(c.last);
  c.increase = s.Double(first + 6);
  c.hist = OptionalHistogram(s, first + 7);
  return c;
}

}  // namespace

int64_t TierWidth(StoreTier tier) {
  switch (tier) {
    case StoreTier::kHourly:
      return kHourNanos;
    case StoreTier::kDaily:
      return 24 * kHourNanos;
    default:
      return 0;
  }
}

Status ReadSeriesCells(Database& db, StoreTier tier, const SeriesInfo& series, int64_t from,
                       int64_t to, int64_t* budget, const CellFn& fn) {
  const bool raw = tier == StoreTier::kRaw;
  // Run once per series of a query: kept prepared on the connection.
  static const std::string kRawSql =
      "SELECT t, value, increase, hist FROM points WHERE series_id = ?1 AND t >= ?2 AND t < ?3 "
      "ORDER BY t";
  static const std::string kRollupSql =
      "SELECT t, count, sum, min, max, last, increase, hist FROM rollups "
      "WHERE tier = ?4 AND series_id = ?1 AND t >= ?2 AND t < ?3 ORDER BY t";
  TAI_ASSIGN_OR_RETURN(Statement * stmt, db.Cached(raw ? kRawSql : kRollupSql));
  stmt->Bind(1, series.id).Bind(2, from).Bind(3, to);
  if (!raw) stmt->Bind(4, static_cast<int64_t>(tier));
  Status status = Status::Ok();
  while (stmt->Step()) {
    if (--*budget < 0) {
      status = ResourceExhaustedError(
          "query reads more stored rows than StoreOptions::max_rows_scanned allows; narrow the "
          "range or the series, or use a larger step");
      break;
    }
    fn(series.id, series.kind, raw ? RawCell(*stmt, 0, series.kind) : RollupCell(*stmt, 0, tier));
  }
  if (status.ok()) status = stmt->status();
  stmt->Reset();  // ends its read of the snapshot
  return status;
}

Status ReadAllCells(Database& db, StoreTier tier, int64_t from, int64_t to, const CellFn& fn) {
  const bool raw = tier == StoreTier::kRaw;
  auto stmt = db.Prepare(
      raw ? "SELECT p.series_id, s.kind, p.t, p.value, p.increase, p.hist FROM points p "
            "JOIN series s ON s.id = p.series_id WHERE p.t >= ?1 AND p.t < ?2 "
            "ORDER BY p.series_id, p.t"
          : "SELECT r.series_id, s.kind, r.t, r.count, r.sum, r.min, r.max, r.last, r.increase, "
            "r.hist FROM rollups r JOIN series s ON s.id = r.series_id "
            "WHERE r.tier = ?3 AND r.t >= ?1 AND r.t < ?2 ORDER BY r.series_id, r.t");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, from).Bind(2, to);
  if (!raw) stmt->Bind(3, static_cast<int64_t>(tier));
  while (stmt->Step()) {
    const auto kind = static_cast<SeriesKind>(stmt->Int(1));
    fn(stmt->Int(0), kind, raw ? RawCell(*stmt, 2, kind) : RollupCell(*stmt, 2, tier));
  }
  return stmt->status();
}

Status WriteRollup(Database& db, StoreTier tier, int64_t series_id, const Cell& cell) {
  auto stmt = db.Prepare(
      "INSERT OR REPLACE INTO rollups(tier, series_id, t, count, sum, min, max, last, increase, "
      "hist) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
  if (!stmt.ok()) return stmt.status();
  auto finite = [](double v) { return std::isnan(v) ? std::nullopt : std::optional<double>(v); };
  stmt->Bind(1, static_cast<int64_t>(tier))
      .Bind(2, series_id)
      .Bind(3, cell.start)
      .Bind(4, static_cast<int64_t>(cell.count))
      .Bind(5, cell.sum)
      .BindOptional(6, finite(cell.min))
      .BindOptional(7, finite(cell.max))
      .BindOptional(8, finite(cell.last))
      .Bind(9, cell.increase);
  if (cell.hist) stmt->BindBlob(10, EncodeHistogram(*cell.hist));
  return stmt->Run();
}

Result<int64_t> RollupDoneUntil(Database& db, StoreTier tier) {
  auto stmt = db.Prepare("SELECT done_until FROM rollup_state WHERE tier = ?1");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, static_cast<int64_t>(tier));
  if (stmt->Step()) return stmt->Int(0);
  TAI_RETURN_IF_ERROR(stmt->status());
  return int64_t{0};
}

Status SetRollupDoneUntil(Database& db, StoreTier tier, int64_t t) {
  auto stmt = db.Prepare("INSERT OR REPLACE INTO rollup_state(tier, done_until) VALUES (?1, ?2)");
  if (!stmt.ok()) return stmt.status();
  return stmt->Bind(1, static_cast<int64_t>(tier)).Bind(2, t).Run();
}

}  // namespace tai::internal
