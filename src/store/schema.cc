#include "store/schema.h"

#include <string>

namespace tai::internal {
namespace {

// Version 1: every signal. Times are Unix nanoseconds; ids are blobs in
// network byte order; attributes, fields and labels are JSON text.
constexpr std::string_view kVersion1 = R"sql(
CREATE TABLE series(
  id INTEGER PRIMARY KEY,
  metric TEXT NOT NULL,
  labels TEXT NOT NULL,
  kind INTEGER NOT NULL,
  unit TEXT NOT NULL DEFAULT '',
  UNIQUE(metric, labels));
CREATE TABLE points(
  series_id INTEGER NOT NULL,
  t INTEGER NOT NULL,
  value REAL,
  increase REAL,
  hist BLOB,
  PRIMARY KEY(series_id, t)) WITHOUT ROWID;
CREATE INDEX points_t ON points(t);
CREATE TABLE rollups(
  tier INTEGER NOT NULL,
  series_id INTEGER NOT NULL,
  t INTEGER NOT NULL,
  count INTEGER NOT NULL,
  sum REAL NOT NULL,
  min REAL,
  max REAL,
  last REAL,
  increase REAL,
  hist BLOB,
  PRIMARY KEY(tier, series_id, t)) WITHOUT ROWID;
CREATE INDEX rollups_t ON rollups(tier, t);
CREATE TABLE rollup_state(tier INTEGER PRIMARY KEY, done_until INTEGER NOT NULL);
CREATE TABLE spans(
  id INTEGER PRIMARY KEY,
  trace_id BLOB NOT NULL,
  span_id BLOB NOT NULL,
  parent_span_id BLOB,
  service TEXT NOT NULL,
  name TEXT NOT NULL,
  kind INTEGER NOT NULL,
  start INTEGER NOT NULL,
  duration INTEGER NOT NULL,
  error INTEGER NOT NULL,
  status INTEGER NOT NULL,
  status_message TEXT NOT NULL,
  attributes TEXT NOT NULL,
  events TEXT NOT NULL,
  links TEXT NOT NULL,
  bytes INTEGER NOT NULL);
CREATE INDEX spans_trace ON spans(trace_id);
CREATE INDEX spans_start ON spans(start);
CREATE INDEX spans_service_name ON spans(service, name, start);
CREATE INDEX spans_duration ON spans(duration);
CREATE INDEX spans_error ON spans(start) WHERE error;
CREATE TABLE logs(
  id INTEGER PRIMARY KEY,
  t INTEGER NOT NULL,
  level INTEGER NOT NULL,
  logger TEXT NOT NULL,
  service TEXT NOT NULL,
  message TEXT NOT NULL,
  fields TEXT NOT NULL,
  trace_id BLOB,
  span_id BLOB,
  file TEXT NOT NULL,
  line INTEGER NOT NULL,
  thread INTEGER NOT NULL,
  bytes INTEGER NOT NULL);
CREATE INDEX logs_t ON logs(t);
CREATE INDEX logs_level ON logs(level, t);
CREATE INDEX logs_logger ON logs(logger, t);
CREATE INDEX logs_trace ON logs(trace_id) WHERE trace_id IS NOT NULL;
CREATE VIRTUAL TABLE logs_fts USING fts5(message, content='logs', content_rowid='id');
CREATE TRIGGER logs_fts_insert AFTER INSERT ON logs BEGIN
  INSERT INTO logs_fts(rowid, message) VALUES (new.id, new.message);
END;
CREATE TRIGGER logs_fts_delete AFTER DELETE ON logs BEGIN
  INSERT INTO logs_fts(logs_fts, rowid, message) VALUES ('delete', old.id, old.message);
END;
CREATE TABLE profiles(
  id INTEGER PRIMARY KEY,
  profile_id TEXT NOT NULL,
  service TEXT NOT NULL,
  kind TEXT NOT NULL,
  t INTEGER NOT NULL,
  duration INTEGER NOT NULL,
  version TEXT NOT NULL,
  labels TEXT NOT NULL,
  pinned INTEGER NOT NULL DEFAULT 0,
  data BLOB NOT NULL,
  UNIQUE(service, profile_id));
CREATE INDEX profiles_kind_t ON profiles(service, kind, t);
CREATE TABLE profile_comparisons(
  id INTEGER PRIMARY KEY,
  t INTEGER NOT NULL,
  baseline INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
  candidate INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
  summary TEXT NOT NULL);
CREATE TABLE regression_alerts(
  id INTEGER PRIMARY KEY,
  t INTEGER NOT NULL,
  service TEXT NOT NULL,
  kind TEXT NOT NULL,
  function TEXT NOT NULL,
  change_percent REAL NOT NULL,
  severity TEXT NOT NULL,
  comparison INTEGER REFERENCES profile_comparisons(id) ON DELETE SET NULL,
  details TEXT NOT NULL);
CREATE INDEX regression_alerts_t ON regression_alerts(t);
CREATE TABLE alerts(
  id INTEGER PRIMARY KEY,
  rule TEXT NOT NULL,
  labels TEXT NOT NULL,
  state TEXT NOT NULL,
  since INTEGER NOT NULL,
  value REAL,
  message TEXT NOT NULL);
CREATE INDEX alerts_rule ON alerts(rule, since);
CREATE TABLE alert_events(
  id INTEGER PRIMARY KEY,
  alert_id INTEGER REFERENCES alerts(id) ON DELETE CASCADE,
  t INTEGER NOT NULL,
  kind TEXT NOT NULL,
  outcome TEXT NOT NULL,
  details TEXT NOT NULL);
CREATE INDEX alert_events_t ON alert_events(t);
)sql";

// Version 2: the alert history. Version 1's alerts and alert_events tables
// were never written; the engine's history replaces them.
constexpr std::string_view kVersion2 = R"sql(
DROP TABLE alert_events;
DROP TABLE alerts;
CREATE TABLE alert_events(
  id INTEGER PRIMARY KEY,
  t INTEGER NOT NULL,
  rule TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  labels TEXT NOT NULL,
  state TEXT NOT NULL,
  value REAL,
  annotations TEXT NOT NULL);
CREATE INDEX alert_events_t ON alert_events(t);
CREATE INDEX alert_events_rule ON alert_events(rule, t);
CREATE INDEX alert_events_fingerprint ON alert_events(fingerprint, t);
CREATE TABLE notification_attempts(
  id INTEGER PRIMARY KEY,
  t INTEGER NOT NULL,
  notifier TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  rule TEXT NOT NULL,
  state TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  ok INTEGER NOT NULL,
  http_status INTEGER NOT NULL,
  error TEXT NOT NULL);
CREATE INDEX notification_attempts_t ON notification_attempts(t);
CREATE INDEX notification_attempts_fingerprint ON notification_attempts(fingerprint, t);
)sql";

// Version 3: the profile comparison history. Version 1's
// profile_comparisons (keyed by stored profile rows, which a comparison
// precedes) and regression_alerts (the alert engine's history keeps
// regression alerts) were never written.
constexpr std::string_view kVersion3 = R"sql(
DROP TABLE regression_alerts;
DROP TABLE profile_comparisons;
CREATE TABLE profile_comparisons(
  id INTEGER PRIMARY KEY,
  t INTEGER NOT NULL,
  service TEXT NOT NULL,
  kind TEXT NOT NULL,
  profile_id TEXT NOT NULL,
  baseline_t INTEGER NOT NULL,
  severity TEXT NOT NULL,
  regressions INTEGER NOT NULL,
  total_change_percent REAL NOT NULL,
  details TEXT NOT NULL);
CREATE INDEX profile_comparisons_t ON profile_comparisons(t);
CREATE INDEX profile_comparisons_kind ON profile_comparisons(service, kind, t);
)sql";

// Version 4: a profile is one (service, id, start time). Until now the
// first profile under an id was kept and later ones ignored, so the windows
// of a restarted service (whose ids start again at cpu-000001) and the
// design API's reused ids ("current") were silently not stored. A delivery
// offered twice still has one start time and is stored once. SQLite cannot
// change a table's constraint, so the table is rebuilt; no other table
// refers to its rows.
constexpr std::string_view kVersion4 = R"sql(
CREATE TABLE profiles_v4(
  id INTEGER PRIMARY KEY,
  profile_id TEXT NOT NULL,
  service TEXT NOT NULL,
  kind TEXT NOT NULL,
  t INTEGER NOT NULL,
  duration INTEGER NOT NULL,
  version TEXT NOT NULL,
  labels TEXT NOT NULL,
  pinned INTEGER NOT NULL DEFAULT 0,
  data BLOB NOT NULL,
  UNIQUE(service, profile_id, t));
INSERT INTO profiles_v4(id, profile_id, service, kind, t, duration, version, labels, pinned, data)
  SELECT id, profile_id, service, kind, t, duration, version, labels, pinned, data FROM profiles;
DROP TABLE profiles;
ALTER TABLE profiles_v4 RENAME TO profiles;
CREATE INDEX profiles_kind_t ON profiles(service, kind, t);
)sql";

constexpr Migration kMigrations[] = {
    {1, kVersion1}, {2, kVersion2}, {3, kVersion3}, {4, kVersion4}};

}  // namespace

std::span<const Migration> StoreMigrations() { return kMigrations; }

Result<int> SchemaVersion(Database& db) {
  auto v = db.QueryInt("PRAGMA user_version");
  if (!v.ok()) return v.status();
  return static_cast<int>(*v);
}

Status Migrate(Database& db, std::span<const Migration> migrations) {
  auto current = SchemaVersion(db);
  if (!current.ok()) return current.status();
  const int newest = migrations.empty() ? 0 : migrations.back().version;
  if (*current > newest) {
    return FailedPreconditionError("store '" + db.path() + "' has schema version " +
                                   std::to_string(*current) + ", newer than this build's " +
                                   std::to_string(newest) + "; open it with a newer tai");
  }
  for (const Migration& m : migrations) {
    if (m.version <= *current) continue;
    Status s = InTransaction(db, [&] {
      TAI_RETURN_IF_ERROR(db.Exec(m.sql));
      return db.Exec("PRAGMA user_version = " + std::to_string(m.version));
    });
    if (!s.ok()) {
      return s.WithContext("migrating store '" + db.path() + "' to schema version " +
                           std::to_string(m.version));
    }
  }
  return Status::Ok();
}

}  // namespace tai::internal
