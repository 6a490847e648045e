#include "store/retention.h"

#include <algorithm>
#include <map>

#include "store/cell_io.h"
#include "store/record_json.h"
#include "store/rollup_archive_io.h"

namespace tai::internal {
namespace {

constexpr int64_t kNoRows = INT64_MIN;
// An hour is rolled up only this long after it ends, so that points the
// collector stamped just before the hour ended are in it.
constexpr int64_t kLateGraceNanos = int64_t{60} * 1'000'000'000;

int64_t FloorTo(int64_t t, int64_t width) { return t - ((t % width) + width) % width; }

int64_t Nanos(std::chrono::nanoseconds d) { return d.count(); }

// The smallest t of `table` at or after `from` (kNoRows when there is none).
Result<int64_t> NextTime(Database& db, StoreTier tier, int64_t from) {
  auto stmt = tier == StoreTier::kRaw
                  ? db.Prepare("SELECT min(t) FROM points WHERE t >= ?1")
                  : db.Prepare("SELECT min(t) FROM rollups WHERE tier = ?2 AND t >= ?1");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, from);
  if (tier != StoreTier::kRaw) stmt->Bind(2, static_cast<int64_t>(tier));
  if (!stmt->Step()) return stmt->status().ok() ? kNoRows : Result<int64_t>(stmt->status());
  return stmt->IsNull(0) ? kNoRows : stmt->Int(0);
}

// Rolls the cells of `from` in [bucket, bucket + width of `to`) into one
// cell per series of tier `to`; returns the number of cells read.
Result<size_t> RollBucket(Database& db, StoreTier from, StoreTier to, int64_t bucket) {
  std::map<int64_t, std::pair<SeriesKind, Cell>> cells;
  size_t read = 0;
  TAI_RETURN_IF_ERROR(ReadAllCells(db, from, bucket, bucket + TierWidth(to),
                                   [&](int64_t series, SeriesKind kind, Cell cell) {
                                     auto& [k, into] = cells[series];
                                     k = kind;
                                     MergeCell(kind, into, cell);
                                     ++read;
                                   }));
  for (auto& [series, kind_cell] : cells) {
    Cell& cell = kind_cell.second;
    cell.start = bucket;
    TAI_RETURN_IF_ERROR(WriteRollup(db, to, series, cell));
  }
  return read;
}

}  // namespace

Result<std::unique_ptr<Retention>> Retention::Create(Database& db, const StoreOptions& options) {
  std::unique_ptr<Retention> r(new Retention(db, options));
  TAI_RETURN_IF_ERROR(r->Reload());
  return r;
}

Status Retention::Reload() {
  auto spans = db_.QueryInt("SELECT coalesce(sum(bytes), 0) FROM spans");
  if (!spans.ok()) return spans.status();
  auto logs = db_.QueryInt("SELECT coalesce(sum(bytes), 0) FROM logs");
  if (!logs.ok()) return logs.status();
  span_bytes_ = static_cast<uint64_t>(*spans);
  log_bytes_ = static_cast<uint64_t>(*logs);
  return Status::Ok();
}

Status Retention::Step(int64_t now, bool* more) {
  *more = false;
  TAI_RETURN_IF_ERROR(RollUp(now, more));
  TAI_RETURN_IF_ERROR(DeleteExpired(now, more));
  // Freed pages go back to the file system a bounded number at a time.
  return db_.Exec("PRAGMA incremental_vacuum(2000)");
}

Status Retention::RollUp(int64_t now, bool* more) {
  const int64_t hour = TierWidth(StoreTier::kHourly), day = TierWidth(StoreTier::kDaily);
  TAI_RETURN_IF_ERROR(
      RollUpTier(StoreTier::kRaw, StoreTier::kHourly, FloorTo(now - kLateGraceNanos, hour), more));
  // A day is complete once its every hour is rolled up.
  auto hours_done = RollupDoneUntil(db_, StoreTier::kHourly);
  if (!hours_done.ok()) return hours_done.status();
  return RollUpTier(StoreTier::kHourly, StoreTier::kDaily,
                    std::min(FloorTo(now, day), FloorTo(*hours_done, day)), more);
}

// The complete buckets of `to` before `end`, one bucket per transaction,
// until the step's row budget is spent. Stretches without data are skipped
// in one jump.
Status Retention::RollUpTier(StoreTier from, StoreTier to, int64_t end, bool* more) {
  const int64_t width = TierWidth(to);
  auto done = RollupDoneUntil(db_, to);
  if (!done.ok()) return done.status();
  int64_t at = *done;
  size_t rows = 0;
  while (at < end && rows < options_.maintenance_step_rows) {
    auto next = NextTime(db_, from, at);
    if (!next.ok()) return next.status();
    const int64_t bucket = *next == kNoRows ? end : std::max(at, FloorTo(*next, width));
    if (bucket >= end) {
      at = end;
      TAI_RETURN_IF_ERROR(SetRollupDoneUntil(db_, to, at));
      break;
    }
    TAI_RETURN_IF_ERROR(InTransaction(db_, [&]() -> Status {
      auto read = RollBucket(db_, from, to, bucket);
      if (!read.ok()) return read.status();
      rows += *read;
      return SetRollupDoneUntil(db_, to, bucket + width);
    }));
    at = bucket + width;
  }
  if (at < end) *more = true;
  return Status::Ok();
}

Status Retention::DeleteRows(const char* sql, int64_t cutoff, bool* more) {
  return DeleteCounted(sql, cutoff, options_.maintenance_step_rows, nullptr, more);
}

Status Retention::DeleteCounted(const char* sql, int64_t cutoff, size_t max_rows, uint64_t* total,
                                bool* more) {
  auto stmt = db_.Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  const auto limit = static_cast<int64_t>(max_rows);
  stmt->Bind(1, cutoff).Bind(2, limit);
  int64_t deleted = 0;
  uint64_t bytes = 0;
  Status s = InTransaction(db_, [&] {
    while (stmt->Step()) {
      ++deleted;
      bytes += static_cast<uint64_t>(stmt->Int(0));
    }
    return stmt->status();
  });
  TAI_RETURN_IF_ERROR(s);
  if (total) *total -= std::min(*total, bytes);
  if (deleted >= limit) *more = true;
  return Status::Ok();
}

Status Retention::DeleteExpired(int64_t now, bool* more) {
  const RetentionOptions& r = options_.retention;
  auto hours_done = RollupDoneUntil(db_, StoreTier::kHourly);
  if (!hours_done.ok()) return hours_done.status();
  auto days_done = RollupDoneUntil(db_, StoreTier::kDaily);
  if (!days_done.ok()) return days_done.status();
  const int64_t hour = TierWidth(StoreTier::kHourly), day = TierWidth(StoreTier::kDaily);
  // Raw points and hourly cells go only once the next tier holds them.
  TAI_RETURN_IF_ERROR(
      DeleteRows("DELETE FROM points WHERE (series_id, t) IN (SELECT series_id, t FROM points "
                 "WHERE t < ?1 ORDER BY t LIMIT ?2) RETURNING 0",
                 std::min(now - Nanos(r.raw_points), *hours_done), more));
  TAI_RETURN_IF_ERROR(DeleteRows(
      "DELETE FROM rollups WHERE (tier, series_id, t) IN (SELECT tier, series_id, t FROM "
      "rollups WHERE tier = 1 AND t < ?1 ORDER BY t LIMIT ?2) RETURNING 0",
      std::min(now - Nanos(r.hourly_rollups) - hour + 1, *days_done), more));
  TAI_RETURN_IF_ERROR(ExpireDailyCells(now - Nanos(r.daily_rollups) - day + 1, more));
  TAI_RETURN_IF_ERROR(DeleteCounted(
      "DELETE FROM spans WHERE id IN (SELECT id FROM spans WHERE start < ?1 ORDER BY start "
      "LIMIT ?2) RETURNING bytes",
      now - Nanos(r.spans), options_.maintenance_step_rows, &span_bytes_, more));
  TAI_RETURN_IF_ERROR(DeleteCounted(
      "DELETE FROM logs WHERE id IN (SELECT id FROM logs WHERE t < ?1 ORDER BY t LIMIT ?2) "
      "RETURNING bytes",
      now - Nanos(r.logs), options_.maintenance_step_rows, &log_bytes_, more));
  TAI_RETURN_IF_ERROR(
      DeleteRows("DELETE FROM alert_events WHERE id IN (SELECT id FROM alert_events WHERE t < ?1 "
                 "ORDER BY t LIMIT ?2) RETURNING 0",
                 now - Nanos(r.alert_history), more));
  TAI_RETURN_IF_ERROR(DeleteRows(
      "DELETE FROM notification_attempts WHERE id IN (SELECT id FROM notification_attempts "
      "WHERE t < ?1 ORDER BY t LIMIT ?2) RETURNING 0",
      now - Nanos(r.alert_history), more));
  TAI_RETURN_IF_ERROR(DeleteBySize("spans", "start", r.max_span_bytes, &span_bytes_, more));
  TAI_RETURN_IF_ERROR(DeleteBySize("logs", "t", r.max_log_bytes, &log_bytes_, more));
  return DeleteProfiles(now, more);
}

// Oldest first, in chunks sized from the oldest rows' average size, until
// the total is under the cap or the step's budget is spent.
Status Retention::DeleteBySize(const std::string& table, const std::string& time_column,
                               uint64_t max_bytes, uint64_t* total, bool* more) {
  const std::string sql = "DELETE FROM " + table + " WHERE id IN (SELECT id FROM " + table +
                          " WHERE " + time_column + " < ?1 ORDER BY " + time_column +
                          " LIMIT ?2) RETURNING bytes";
  const std::string average = "SELECT coalesce(avg(bytes), 1) FROM (SELECT bytes FROM " + table +
                              " ORDER BY " + time_column + " LIMIT 100)";
  size_t budget = options_.maintenance_step_rows;
  while (*total > max_bytes && budget > 0) {
    auto avg = db_.QueryInt(average);
    if (!avg.ok()) return avg.status();
    const uint64_t excess = *total - max_bytes;
    const size_t rows = std::min<size_t>(
        budget,
        static_cast<size_t>(excess / static_cast<uint64_t>(std::max<int64_t>(*avg, 1)) + 1));
    bool chunk_full = false;
    TAI_RETURN_IF_ERROR(DeleteCounted(sql.c_str(), INT64_MAX, rows, total, &chunk_full));
    budget -= rows;
    if (!chunk_full && *total > max_bytes) {
      // The table ran out before the total did: it drifted; re-read it.
      return Reload();
    }
  }
  if (*total > max_bytes) *more = true;
  return Status::Ok();
}

Status Retention::DeleteProfiles(int64_t now, bool* more) {
  const RetentionOptions& r = options_.retention;
  TAI_RETURN_IF_ERROR(DeleteRows(
      "DELETE FROM profiles WHERE id IN (SELECT id FROM profiles WHERE t < ?1 AND pinned = 0 "
      "ORDER BY t LIMIT ?2) RETURNING 0",
      now - Nanos(r.profiles), more));
  TAI_RETURN_IF_ERROR(
      DeleteRows("DELETE FROM profile_comparisons WHERE id IN (SELECT id FROM "
                 "profile_comparisons WHERE t < ?1 ORDER BY t LIMIT ?2) RETURNING 0",
                 now - Nanos(r.profiles), more));
  auto over = db_.Prepare(
      "SELECT service, kind, count(*) - ?1 FROM profiles WHERE pinned = 0 "
      "GROUP BY service, kind HAVING count(*) > ?1");
  if (!over.ok()) return over.status();
  over->Bind(1, static_cast<int64_t>(r.max_profiles_per_kind));
  std::vector<std::tuple<std::string, std::string, int64_t>> excess;
  while (over->Step()) excess.emplace_back(over->Text(0), over->Text(1), over->Int(2));
  TAI_RETURN_IF_ERROR(over->status());
  for (const auto& [service, kind, n] : excess) {
    auto del = db_.Prepare(
        "DELETE FROM profiles WHERE id IN (SELECT id FROM profiles WHERE service = ?1 AND "
        "kind = ?2 AND pinned = 0 ORDER BY t LIMIT ?3)");
    if (!del.ok()) return del.status();
    del->Bind(1, service).Bind(2, kind).Bind(3, n);
    TAI_RETURN_IF_ERROR(InTransaction(db_, [&] { return del->Run(); }));
  }
  return Status::Ok();
}

Status Retention::ExpireDailyCells(int64_t cutoff, bool* more) {
  if (options_.retention.archive_directory.empty()) {
    return DeleteRows(
        "DELETE FROM rollups WHERE (tier, series_id, t) IN (SELECT tier, series_id, t FROM "
        "rollups WHERE tier = 2 AND t < ?1 ORDER BY t LIMIT ?2) RETURNING 0",
        cutoff, more);
  }
  size_t rows = 0;
  while (rows < options_.maintenance_step_rows) {
    auto day = NextTime(db_, StoreTier::kDaily, INT64_MIN);
    if (!day.ok()) return day.status();
    if (*day == kNoRows || *day >= cutoff) return Status::Ok();
    TAI_RETURN_IF_ERROR(ArchiveDay(*day, &rows));
  }
  *more = true;
  return Status::Ok();
}

// A day is written whole to its file (synced) before its cells are deleted:
// a failure or a crash in between leaves them in the store, to be written
// again.
Status Retention::ArchiveDay(int64_t day, size_t* rows) {
  const int64_t end = day + TierWidth(StoreTier::kDaily);
  std::vector<ArchivedRollup> out;
  auto series = db_.Prepare("SELECT metric, labels, unit FROM series WHERE id = ?1");
  if (!series.ok()) return series.status();
  Status lookup = Status::Ok();
  TAI_RETURN_IF_ERROR(ReadAllCells(
      db_, StoreTier::kDaily, day, end, [&](int64_t id, SeriesKind kind, const Cell& cell) {
        series->Reset();
        series->Bind(1, id);
        if (!series->Step()) {
          if (lookup.ok())
            lookup = InternalError("daily cell of unknown series " + std::to_string(id));
          return;
        }
        auto labels = LabelsFromJson(series->Text(1));
        if (!labels.ok() && lookup.ok()) lookup = labels.status();
        out.push_back({.metric = series->Text(0),
                       .labels = labels.value_or(LabelSet{}),
                       .kind = MetricTypeOf(kind),
                       .unit = series->Text(2),
                       .start_unix_nanos = cell.start,
                       .end_unix_nanos = end,
                       .count = cell.count,
                       .sum = cell.sum,
                       .min = cell.min,
                       .max = cell.max,
                       .last = cell.last,
                       .increase = cell.increase,
                       .histogram = cell.hist});
      }));
  TAI_RETURN_IF_ERROR(lookup);
  TAI_RETURN_IF_ERROR(series->status());
  const std::string& directory = options_.retention.archive_directory;
  TAI_RETURN_IF_ERROR(
      WriteRollupArchive(directory, RollupArchivePath(directory, options_.path, day), out));
  auto del = db_.Prepare("DELETE FROM rollups WHERE tier = 2 AND t >= ?1 AND t < ?2");
  if (!del.ok()) return del.status();
  del->Bind(1, day).Bind(2, end);
  TAI_RETURN_IF_ERROR(InTransaction(db_, [&] { return del->Run(); }));
  *rows += std::max<size_t>(out.size(), 1);
  return Status::Ok();
}

}  // namespace tai::internal
