#include "store/ingest.h"

#include "store/histogram_codec.h"
#include "store/record_json.h"
#include "tai/profile/pprof.h"

namespace tai::internal {
namespace {

std::string_view IdBlob(const TraceId& id) {
  return {reinterpret_cast<const char*>(id.bytes().data()), id.bytes().size()};
}
std::string_view IdBlob(const SpanId& id) {
  return {reinterpret_cast<const char*>(id.bytes().data()), id.bytes().size()};
}

}  // namespace

MetricType MetricTypeOf(SeriesKind kind) {
  switch (kind) {
    case SeriesKind::kCounter:
      return MetricType::kCumulative;
    case SeriesKind::kHistogram:
      return MetricType::kDistribution;
    case SeriesKind::kGauge:
      break;
  }
  return MetricType::kGauge;
}

SeriesKind SeriesKindOf(const MetricData& m) {
  switch (m.kind) {
    case InstrumentKind::kCounter:
    case InstrumentKind::kObservedCounter:
      return SeriesKind::kCounter;
    case InstrumentKind::kHistogram:
      return SeriesKind::kHistogram;
    case InstrumentKind::kWrittenPoint:
      if (m.descriptor->value_type == MetricType::kCumulative) return SeriesKind::kCounter;
      if (m.descriptor->value_type == MetricType::kDistribution) return SeriesKind::kHistogram;
      return SeriesKind::kGauge;
    default:
      return SeriesKind::kGauge;
  }
}

Result<std::unique_ptr<Ingester>> Ingester::Create(Database& db) {
  std::unique_ptr<Ingester> in(new Ingester(db));
  const std::pair<Statement*, const char*> statements[] = {
      {&in->find_series_, "SELECT id FROM series WHERE metric = ?1 AND labels = ?2"},
      {&in->insert_series_,
       "INSERT INTO series(metric, labels, kind, unit) VALUES (?1, ?2, ?3, ?4)"},
      {&in->insert_point_,
       "INSERT OR REPLACE INTO points(series_id, t, value, increase, hist) "
       "VALUES (?1, ?2, ?3, ?4, ?5)"},
      {&in->insert_span_,
       "INSERT INTO spans(trace_id, span_id, parent_span_id, service, name, kind, start, "
       "duration, error, status, status_message, attributes, events, links, bytes) "
       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"},
      {&in->insert_log_,
       "INSERT INTO logs(t, level, logger, service, message, fields, trace_id, span_id, file, "
       "line, thread, bytes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"},
      {&in->insert_profile_,
       "INSERT OR IGNORE INTO profiles(profile_id, service, kind, t, duration, version, labels, "
       "data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"},
      {&in->insert_alert_event_,
       "INSERT INTO alert_events(t, rule, fingerprint, labels, state, value, annotations) "
       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"},
      {&in->insert_notification_,
       "INSERT INTO notification_attempts(t, notifier, fingerprint, rule, state, attempt, ok, "
       "http_status, error) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"},
      {&in->insert_comparison_,
       "INSERT INTO profile_comparisons(t, service, kind, profile_id, baseline_t, severity, "
       "regressions, total_change_percent, details) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"}};
  for (const auto& [stmt, sql] : statements) {
    auto prepared = db.Prepare(sql);
    if (!prepared.ok()) return prepared.status();
    *stmt = std::move(*prepared);
  }
  return in;
}

Result<int64_t> Ingester::SeriesId(const MetricData& m, const LabelSet& labels, SeriesKind kind) {
  std::string labels_json = LabelsToJson(labels);
  std::string key = m.descriptor->metric_type;
  key += '\0';
  key += labels_json;
  if (auto it = series_ids_.find(key); it != series_ids_.end()) return it->second;
  find_series_.Bind(1, m.descriptor->metric_type).Bind(2, labels_json);
  int64_t id = 0;
  if (find_series_.Step()) {
    id = find_series_.Int(0);
    find_series_.Reset();
  } else {
    Status s = find_series_.status();
    find_series_.Reset();
    TAI_RETURN_IF_ERROR(s);
    insert_series_.Bind(1, m.descriptor->metric_type)
        .Bind(2, labels_json)
        .Bind(3, static_cast<int64_t>(kind))
        .Bind(4, m.descriptor->unit.ucum());
    TAI_RETURN_IF_ERROR(insert_series_.Run());
    id = db_.LastInsertId();
  }
  series_ids_.emplace(std::move(key), id);
  return id;
}

Status Ingester::AddPoint(int64_t series, SeriesKind kind, const MetricPoint& cumulative,
                          const MetricPoint& delta) {
  insert_point_.Bind(1, series).Bind(2, cumulative.time_nanos);
  const MetricValue& v = cumulative.value;
  if (kind == SeriesKind::kHistogram && v.is_distribution()) {
    const DistributionValue& d =
        delta.value.is_distribution() ? delta.value.distribution() : v.distribution();
    if (d.histogram) {
      insert_point_.Bind(3, d.mean).BindBlob(5, EncodeHistogram(*d.histogram));
    } else {
      // A written distribution without buckets: its count and mean only.
      HistogramData h;
      h.AddStats(d.count, d.sum(), d.mean, d.mean, d.mean, d.sum_of_squared_deviation);
      h.MarkMinMaxUnknown();
      insert_point_.Bind(3, d.mean).BindBlob(5, EncodeHistogram(h));
    }
  } else {
    insert_point_.Bind(3, v.AsDouble());
    if (kind == SeriesKind::kCounter) insert_point_.Bind(4, delta.value.AsDouble());
  }
  return insert_point_.Run();
}

Status Ingester::AddMetrics(const MetricBatch& batch) {
  // Same shape as `batch`: metric i, point j of one is metric i, point j of
  // the other.
  std::shared_ptr<const MetricBatch> deltas = deltas_.Convert(batch);
  for (size_t i = 0; i < batch.metrics.size(); ++i) {
    const MetricData& m = batch.metrics[i];
    const SeriesKind kind = SeriesKindOf(m);
    for (size_t j = 0; j < m.points.size(); ++j) {
      const MetricPoint& p = m.points[j];
      auto series = SeriesId(m, p.labels, kind);
      if (!series.ok()) return series.status();
      const bool already_delta = m.temporality == Temporality::kDelta;
      TAI_RETURN_IF_ERROR(
          AddPoint(*series, kind, p, already_delta ? p : deltas->metrics[i].points[j]));
    }
  }
  return Status::Ok();
}

Status Ingester::AddSpans(std::span<const SpanData> spans, const std::string& service,
                          uint64_t* bytes_added) {
  for (const SpanData& s : spans) {
    std::string attributes = AttributesToJson(s.attributes);
    std::string events = SpanEventsToJson(s.events);
    std::string links = SpanLinksToJson(s.links);
    const uint64_t bytes = 64 + s.name.size() + attributes.size() + events.size() + links.size() +
                           s.status_message.size();
    insert_span_.BindBlob(1, IdBlob(s.context.trace_id))
        .BindBlob(2, IdBlob(s.context.span_id))
        .Bind(4, service)
        .Bind(5, s.name)
        .Bind(6, static_cast<int64_t>(s.kind))
        .Bind(7, s.start_unix_nanos)
        .Bind(8, s.duration_nanos())
        .Bind(9, int64_t{s.status == SpanStatusCode::kError})
        .Bind(10, static_cast<int64_t>(s.status))
        .Bind(11, s.status_message)
        .Bind(12, attributes)
        .Bind(13, events)
        .Bind(14, links)
        .Bind(15, static_cast<int64_t>(bytes));
    if (s.parent_span_id.valid()) insert_span_.BindBlob(3, IdBlob(s.parent_span_id));
    TAI_RETURN_IF_ERROR(insert_span_.Run());
    *bytes_added += bytes;
  }
  return Status::Ok();
}

Status Ingester::AddLogs(std::span<const LogRecord> records, const std::string& service,
                         uint64_t* bytes_added) {
  for (const LogRecord& r : records) {
    std::string fields = LogFieldsToJson(r);
    const uint64_t bytes = 48 + r.message.size() + fields.size() + r.logger_name.size();
    insert_log_.Bind(1, r.time_unix_nanos)
        .Bind(2, static_cast<int64_t>(r.level))
        .Bind(3, r.logger_name)
        .Bind(4, service)
        .Bind(5, r.message)
        .Bind(6, fields)
        .Bind(9, std::string_view(r.file))
        .Bind(10, static_cast<int64_t>(r.line))
        .Bind(11, static_cast<int64_t>(r.thread_id))
        .Bind(12, static_cast<int64_t>(bytes));
    if (r.has_trace()) insert_log_.BindBlob(7, IdBlob(r.trace_id)).BindBlob(8, IdBlob(r.span_id));
    TAI_RETURN_IF_ERROR(insert_log_.Run());
    *bytes_added += bytes;
  }
  return Status::Ok();
}

Status Ingester::AddProfiles(std::span<const UploadedProfile> profiles, const std::string& service,
                             const std::string& version) {
  for (const UploadedProfile& p : profiles) {
    auto label_version = p.labels.find("version");
    insert_profile_.Bind(1, p.id)
        .Bind(2, service)
        .Bind(3, ProfileKindName(p.kind))
        .Bind(4, p.profile.time_nanos)
        .Bind(5, p.profile.duration_nanos)
        .Bind(6, label_version != p.labels.end() ? label_version->second : version)
        .Bind(7, StringMapToJson(p.labels))
        .BindBlob(8, EncodePprof(p.profile));
    TAI_RETURN_IF_ERROR(insert_profile_.Run());
  }
  return Status::Ok();
}

Status Ingester::AddAlertEvents(std::span<const AlertEventRecord> events) {
  for (const AlertEventRecord& e : events) {
    insert_alert_event_.Bind(1, e.time_nanos)
        .Bind(2, e.rule_id)
        .Bind(3, e.fingerprint)
        .Bind(4, LabelsToJson(e.labels))
        .Bind(5, e.state)
        .Bind(6, e.value)
        .Bind(7, StringMapToJson(e.annotations));
    TAI_RETURN_IF_ERROR(insert_alert_event_.Run());
  }
  return Status::Ok();
}

Status Ingester::AddProfileComparisons(std::span<const ProfileComparisonRecord> comparisons) {
  for (const ProfileComparisonRecord& c : comparisons) {
    insert_comparison_.Bind(1, c.time_nanos)
        .Bind(2, c.service)
        .Bind(3, c.kind)
        .Bind(4, c.profile_id)
        .Bind(5, c.baseline_time_nanos)
        .Bind(6, c.severity)
        .Bind(7, static_cast<int64_t>(c.regressions))
        .Bind(8, c.total_change_percent)
        .Bind(9, c.details_json);
    TAI_RETURN_IF_ERROR(insert_comparison_.Run());
  }
  return Status::Ok();
}

Status Ingester::AddNotificationAttempts(std::span<const NotificationAttempt> attempts) {
  for (const NotificationAttempt& a : attempts) {
    insert_notification_.Bind(1, a.time_nanos)
        .Bind(2, a.notifier)
        .Bind(3, a.fingerprint)
        .Bind(4, a.rule_id)
        .Bind(5, a.state)
        .Bind(6, int64_t{a.attempt})
        .Bind(7, int64_t{a.ok})
        .Bind(8, int64_t{a.http_status})
        .Bind(9, a.error);
    TAI_RETURN_IF_ERROR(insert_notification_.Run());
  }
  return Status::Ok();
}

}  // namespace tai::internal
