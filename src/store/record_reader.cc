#include "store/record_reader.h"

#include <cstring>
#include <limits>
#include <string>
#include <type_traits>
#include <variant>

#include "store/record_json.h"
#include "tai/profile/pprof.h"

namespace tai::internal {
namespace {

constexpr const char* kSpanColumns =
    "SELECT trace_id, span_id, parent_span_id, service, name, kind, start, duration, status, "
    "status_message, attributes, events, links FROM spans ";

template <typename Id>
Id IdFromBlob(std::string_view blob) {
  Id id;
  auto bytes = id.bytes();
  if (blob.size() == bytes.size()) std::memcpy(bytes.data(), blob.data(), bytes.size());
  return Id(bytes);
}

std::string_view IdBlob(const TraceId& id) {
  return {reinterpret_cast<const char*>(id.bytes().data()), id.bytes().size()};
}

StoredSpan SpanFromRow(const Statement& s) {
  StoredSpan out;
  out.service = s.Text(3);
  SpanData& span = out.span;
  span.context.trace_id = IdFromBlob<TraceId>(s.Blob(0));
  span.context.span_id = IdFromBlob<SpanId>(s.Blob(1));
  span.parent_span_id = IdFromBlob<SpanId>(s.Blob(2));
  span.name = s.Text(4);
  span.kind = static_cast<SpanKind>(s.Int(5));
  span.start_unix_nanos = s.Int(6);
  span.end_unix_nanos = span.start_unix_nanos + s.Int(7);
  span.status = static_cast<SpanStatusCode>(s.Int(8));
  span.status_message = s.Text(9);
  span.attributes = AttributesFromJson(s.Text(10));
  span.events = SpanEventsFromJson(s.Text(11));
  span.links = SpanLinksFromJson(s.Text(12));
  return out;
}

StoredLog LogFromRow(const Statement& s) {
  StoredLog log;
  log.time_nanos = s.Int(0);
  log.level = static_cast<LogLevel>(s.Int(1));
  log.logger = s.Text(2);
  log.service = s.Text(3);
  log.message = s.Text(4);
  log.fields_json = s.Text(5);
  log.trace_id = IdFromBlob<TraceId>(s.Blob(6));
  log.span_id = IdFromBlob<SpanId>(s.Blob(7));
  log.file = s.Text(8);
  log.line = static_cast<uint32_t>(s.Int(9));
  log.thread_id = static_cast<uint32_t>(s.Int(10));
  return log;
}

int64_t Limit(size_t asked, size_t max_rows) {
  return static_cast<int64_t>(std::min(asked == 0 ? max_rows : asked, max_rows));
}

// The WHERE clause and its values, built from the query's filters; text
// values are bound, never spliced into the SQL.
struct BlobValue {
  std::string bytes;
};
struct Filter {
  std::string sql;
  std::vector<std::variant<int64_t, std::string, BlobValue>> values;
  void Add(const std::string& condition, std::variant<int64_t, std::string, BlobValue> v) {
    sql += sql.empty() ? "WHERE " : " AND ";
    sql += condition + " ?" + std::to_string(values.size() + 1);
    values.push_back(std::move(v));
  }
  void Bind(Statement& s) const {
    for (size_t i = 0; i < values.size(); ++i) {
      const int at = static_cast<int>(i + 1);
      if (auto* n = std::get_if<int64_t>(&values[i])) {
        s.Bind(at, *n);
      } else if (auto* text = std::get_if<std::string>(&values[i])) {
        s.Bind(at, *text);
      } else {
        s.BindBlob(at, std::get<BlobValue>(values[i]).bytes);
      }
    }
  }
};

// Runs `sql` with `f`'s values bound and turns each row into a value.
template <typename RowFn>
auto ReadRows(Database& db, const std::string& sql, const Filter& f, RowFn&& row)
    -> Result<std::vector<std::invoke_result_t<RowFn&, const Statement&>>> {
  auto stmt = db.Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  f.Bind(*stmt);
  std::vector<std::invoke_result_t<RowFn&, const Statement&>> out;
  while (stmt->Step()) out.push_back(row(*stmt));
  TAI_RETURN_IF_ERROR(stmt->status());
  return out;
}

}  // namespace

Result<std::vector<StoredSpan>> ReadSpans(Database& db, const TraceQuery& q, size_t max_rows) {
  if (q.attribute_key.find('"') != std::string::npos) {
    return InvalidArgumentError("trace query: attribute key '" + q.attribute_key +
                                "' may not contain '\"'");
  }
  Filter f;
  f.Add("start >=", q.start_nanos);
  f.Add("start <", q.end_nanos);
  if (!q.service.empty()) f.Add("service =", q.service);
  if (!q.name.empty()) f.Add("name =", q.name);
  if (q.min_duration_nanos > 0) f.Add("duration >=", q.min_duration_nanos);
  if (q.max_duration_nanos < INT64_MAX) f.Add("duration <=", q.max_duration_nanos);
  if (q.errors_only) f.Add("error =", int64_t{1});
  if (!q.attribute_key.empty()) {
    f.Add("json_extract(attributes, '$.\"" + q.attribute_key + "\"') =", q.attribute_value);
  }
  auto stmt = db.Prepare(std::string(kSpanColumns) + f.sql + " ORDER BY start DESC LIMIT " +
                         std::to_string(Limit(q.limit, max_rows)));
  if (!stmt.ok()) return stmt.status();
  f.Bind(*stmt);
  std::vector<StoredSpan> out;
  while (stmt->Step()) out.push_back(SpanFromRow(*stmt));
  TAI_RETURN_IF_ERROR(stmt->status());
  return out;
}

Result<std::vector<StoredSpan>> ReadTrace(Database& db, const TraceId& trace_id) {
  auto stmt = db.Prepare(std::string(kSpanColumns) + "WHERE trace_id = ?1 ORDER BY start");
  if (!stmt.ok()) return stmt.status();
  stmt->BindBlob(1, IdBlob(trace_id));
  std::vector<StoredSpan> out;
  while (stmt->Step()) out.push_back(SpanFromRow(*stmt));
  TAI_RETURN_IF_ERROR(stmt->status());
  if (out.empty()) return NotFoundError("no spans of trace " + trace_id.ToHex() + " in the store");
  return out;
}

Result<std::vector<StoredLog>> ReadLogs(Database& db, const LogQuery& q, size_t max_rows) {
  Filter f;
  f.Add("logs.t >=", q.start_nanos);
  f.Add("logs.t <", q.end_nanos);
  if (q.min_level > LogLevel::kTrace) f.Add("logs.level >=", static_cast<int64_t>(q.min_level));
  if (!q.logger.empty()) f.Add("logs.logger =", q.logger);
  if (q.trace_id.valid()) f.Add("logs.trace_id =", BlobValue{std::string(IdBlob(q.trace_id))});
  if (!q.text.empty()) f.Add("logs_fts MATCH", q.text);
  const std::string from =
      q.text.empty() ? "FROM logs " : "FROM logs_fts JOIN logs ON logs.id = logs_fts.rowid ";
  // A text search walks the full-text index newest row first and stops at
  // the limit, instead of sorting every match by time: rows are written in
  // (nearly) time order, so row order is the order records arrived in.
  const std::string order =
      q.text.empty() ? " ORDER BY logs.t DESC" : " ORDER BY logs_fts.rowid DESC";
  auto stmt = db.Prepare(
      "SELECT logs.t, logs.level, logs.logger, logs.service, logs.message, logs.fields, "
      "logs.trace_id, logs.span_id, logs.file, logs.line, logs.thread " +
      from + f.sql + order + " LIMIT " + std::to_string(Limit(q.limit, max_rows)));
  if (!stmt.ok()) return stmt.status();
  f.Bind(*stmt);
  std::vector<StoredLog> out;
  while (stmt->Step()) out.push_back(LogFromRow(*stmt));
  Status s = stmt->status();
  if (!s.ok() && !q.text.empty()) {
    return InvalidArgumentError("log query: text '" + q.text + "' is not a valid search (" +
                                s.message() + ")");
  }
  TAI_RETURN_IF_ERROR(s);
  return out;
}

Result<std::vector<StoredProfileInfo>> ReadProfiles(Database& db, const ProfileQuery& q,
                                                    size_t max_rows) {
  Filter f;
  f.Add("t >=", q.start_nanos);
  f.Add("t <", q.end_nanos);
  if (!q.service.empty()) f.Add("service =", q.service);
  if (!q.kind.empty()) f.Add("kind =", q.kind);
  if (!q.profile_id.empty()) f.Add("profile_id =", q.profile_id);
  if (q.pinned_only) f.Add("pinned =", int64_t{1});
  return ReadRows(db,
                  "SELECT id, profile_id, service, kind, version, t, duration, labels, pinned, "
                  "length(data) FROM profiles " +
                      f.sql + " ORDER BY t DESC LIMIT " + std::to_string(Limit(q.limit, max_rows)),
                  f, [](const Statement& s) {
                    return StoredProfileInfo{.row_id = s.Int(0),
                                             .profile_id = s.Text(1),
                                             .service = s.Text(2),
                                             .kind = s.Text(3),
                                             .version = s.Text(4),
                                             .time_nanos = s.Int(5),
                                             .duration_nanos = s.Int(6),
                                             .labels = StringMapFromJson(s.Text(7)),
                                             .pinned = s.Int(8) != 0,
                                             .bytes = static_cast<size_t>(s.Int(9))};
                  });
}

Result<Profile> ReadProfile(Database& db, int64_t row_id) {
  auto stmt = db.Prepare("SELECT data FROM profiles WHERE id = ?1");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, row_id);
  if (!stmt->Step()) {
    TAI_RETURN_IF_ERROR(stmt->status());
    return NotFoundError("no profile with row id " + std::to_string(row_id) + " in the store");
  }
  auto profile = DecodePprof(stmt->Blob(0));
  if (!profile.ok())
    return profile.status().WithContext("stored profile " + std::to_string(row_id));
  return std::move(*profile);
}

Result<std::vector<ProfileComparisonRecord>> ReadProfileComparisons(Database& db,
                                                                    const ProfileComparisonQuery& q,
                                                                    size_t max_rows) {
  Filter f;
  f.Add("t >=", q.start_nanos);
  f.Add("t <", q.end_nanos);
  if (!q.service.empty()) f.Add("service =", q.service);
  if (!q.kind.empty()) f.Add("kind =", q.kind);
  if (q.regressions_only) f.Add("regressions >", int64_t{0});
  return ReadRows(db,
                  "SELECT t, service, kind, profile_id, baseline_t, severity, regressions, "
                  "total_change_percent, details FROM profile_comparisons " +
                      f.sql + " ORDER BY t DESC, id DESC LIMIT " +
                      std::to_string(Limit(q.limit, max_rows)),
                  f, [](const Statement& s) {
                    return ProfileComparisonRecord{.time_nanos = s.Int(0),
                                                   .service = s.Text(1),
                                                   .kind = s.Text(2),
                                                   .profile_id = s.Text(3),
                                                   .baseline_time_nanos = s.Int(4),
                                                   .severity = s.Text(5),
                                                   .regressions = static_cast<size_t>(s.Int(6)),
                                                   .total_change_percent = s.Double(7),
                                                   .details_json = s.Text(8)};
                  });
}

Result<std::vector<AlertEventRecord>> ReadAlertEvents(Database& db, const AlertEventQuery& q,
                                                      size_t max_rows) {
  Filter f;
  f.Add("t >=", q.start_nanos);
  if (q.end_nanos > 0) f.Add("t <", q.end_nanos);
  if (!q.rule_id.empty()) f.Add("rule =", q.rule_id);
  if (!q.fingerprint.empty()) f.Add("fingerprint =", q.fingerprint);
  if (!q.state.empty()) f.Add("state =", q.state);
  return ReadRows(
      db,
      "SELECT t, rule, fingerprint, labels, state, value, annotations FROM alert_events " + f.sql +
          " ORDER BY t DESC, id DESC LIMIT " + std::to_string(Limit(q.limit, max_rows)),
      f, [](const Statement& s) {
        auto labels = LabelsFromJson(s.Text(3));
        return AlertEventRecord{
            .time_nanos = s.Int(0),
            .rule_id = s.Text(1),
            .fingerprint = s.Text(2),
            .labels = labels.ok() ? std::move(*labels) : LabelSet(),
            .state = s.Text(4),
            .value = s.IsNull(5) ? std::numeric_limits<double>::quiet_NaN() : s.Double(5),
            .annotations = StringMapFromJson(s.Text(6))};
      });
}

Result<std::vector<NotificationAttempt>> ReadNotifications(Database& db, const NotificationQuery& q,
                                                           size_t max_rows) {
  Filter f;
  f.Add("t >=", q.start_nanos);
  if (q.end_nanos > 0) f.Add("t <", q.end_nanos);
  if (!q.rule_id.empty()) f.Add("rule =", q.rule_id);
  if (!q.fingerprint.empty()) f.Add("fingerprint =", q.fingerprint);
  if (!q.notifier.empty()) f.Add("notifier =", q.notifier);
  return ReadRows(db,
                  "SELECT t, notifier, fingerprint, rule, state, attempt, ok, http_status, error "
                  "FROM notification_attempts " +
                      f.sql + " ORDER BY t DESC, id DESC LIMIT " +
                      std::to_string(Limit(q.limit, max_rows)),
                  f, [](const Statement& s) {
                    return NotificationAttempt{.time_nanos = s.Int(0),
                                               .notifier = s.Text(1),
                                               .fingerprint = s.Text(2),
                                               .rule_id = s.Text(3),
                                               .state = s.Text(4),
                                               .attempt = static_cast<int>(s.Int(5)),
                                               .ok = s.Int(6) != 0,
                                               .http_status = static_cast<int>(s.Int(7)),
                                               .error = s.Text(8)};
                  });
}

}  // namespace tai::internal
