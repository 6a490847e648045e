#include "observability/health.h"

#include <map>
#include <mutex>

#include "core/text.h"
#include "tai/core/clock.h"
#include "tai/log/log.h"

namespace tai {
namespace internal {
namespace {

void AppendField(std::string& out, std::string_view name, uint64_t value) {
  AppendJsonString(out, name);
  out += ':';
  AppendUint(out, value);
}

std::string StatusText(const Status& s) { return s.ok() ? "ok" : s.message(); }

void AppendStoreWrites(std::string& out, const StoreStats& s) {
  uint64_t written = 0, dropped = 0;
  for (size_t i = 0; i < kStoreSignalCount; ++i) {
    written += s.written[i];
    dropped += s.dropped[i];
  }
  out += ",\"store_writes\":{";
  for (auto [name, value] : {std::pair<const char*, uint64_t>{"written", written},
                             {"dropped", dropped},
                             {"commits", s.commits},
                             {"failed_commits", s.failed_commits}}) {
    AppendField(out, name, value);
    out += ',';
  }
  out += "\"last_error\":";
  AppendJsonString(out, s.last_error);
  out += ",\"last_failure\":";
  AppendJsonString(out, s.last_failure);
  out += ',';
  AppendField(out, "last_failure_unix_nanos", static_cast<uint64_t>(s.last_failure_unix_nanos));
  out += ",\"maintenance_error\":";
  AppendJsonString(out, s.maintenance_error);
  out += '}';
}

constexpr auto kLossLogInterval = std::chrono::minutes(1);
// How long a failed store commit keeps the service degraded.
constexpr int64_t kStoreFailureNanos = int64_t{60} * 1'000'000'000;

class HealthWatch : public MetricSink {
 public:
  HealthWatch(const Observability* obs, Logger* logger) : obs_(obs), logger_(logger) {}

  std::string name() const override { return "health"; }
  Status Export(std::shared_ptr<const MetricBatch>) override {
    Check(obs_->Health(), std::chrono::steady_clock::now());
    return Status::Ok();
  }

 private:
  struct Seen {
    bool down = false;
    bool spill_said = false;
    uint64_t lost_said = 0;  // dropped + rejected when last logged
    std::chrono::steady_clock::time_point lost_said_at{};
  };

  void Check(const HealthReport& report, std::chrono::steady_clock::time_point now) {
    std::lock_guard<std::mutex> lock(mu_);
    for (const ExporterHealth& e : report.exporters) {
      Seen& seen = seen_[e.name];
      const DeliveryStats& s = e.stats;
      if (s.backend_down && !seen.down) {
        TAI_LOG_WARN(*logger_,
                     "exporter {} cannot deliver: {}. Its requests are kept (memory, then the "
                     "spill directory) and retried in order; check its endpoint, the network "
                     "and its credentials",
                     e.name, s.last_error);
      } else if (!s.backend_down && seen.down) {
        TAI_LOG_INFO(*logger_, "exporter {} delivers again", e.name);
      }
      seen.down = s.backend_down;
      if (!s.spill_error.empty() && !seen.spill_said) {
        TAI_LOG_WARN(*logger_,
                     "{}. Requests that do not fit in memory during an outage will be dropped; "
                     "give each process its own spill directory",
                     s.spill_error);
        seen.spill_said = true;
      }
      const uint64_t lost = s.dropped + s.rejected;
      if (lost > seen.lost_said && now - seen.lost_said_at >= kLossLogInterval) {
        TAI_LOG_WARN(*logger_,
                     "exporter {} lost {} requests since the last report ({} dropped in all: "
                     "memory and spill budgets full or the spill directory unusable; {} "
                     "rejected by the backend); the last loss: {}. Raise the buffer and spill "
                     "budgets or fix the backend",
                     e.name, lost - seen.lost_said, s.dropped, s.rejected, s.last_loss_error);
        seen.lost_said = lost;
        seen.lost_said_at = now;
      }
    }
  }

  const Observability* obs_;
  Logger* logger_;
  std::mutex mu_;
  std::map<std::string, Seen> seen_;
};

}  // namespace

bool StoreFailedRecently(const StoreStats& s, int64_t now_unix_nanos) {
  return s.last_failure_unix_nanos != 0 &&
         now_unix_nanos - s.last_failure_unix_nanos < kStoreFailureNanos;
}

std::string HealthJson(const HealthReport& r) {
  std::string out = "{\"status\":";
  AppendJsonString(out, r.ok ? "ok" : "degraded");
  out += ",\"exporters\":[";
  for (size_t i = 0; i < r.exporters.size(); ++i) {
    const DeliveryStats& s = r.exporters[i].stats;
    if (i > 0) out += ',';
    out += "{\"name\":";
    AppendJsonString(out, r.exporters[i].name);
    out += ",\"backend_down\":";
    out += s.backend_down ? "true" : "false";
    out += ",\"last_error\":";
    AppendJsonString(out, s.last_error);
    out += ",\"spill_error\":";
    AppendJsonString(out, s.spill_error);
    out += ",\"last_loss_error\":";
    AppendJsonString(out, s.last_loss_error);
    for (auto [name, value] : {std::pair<const char*, uint64_t>{"queued", s.queued},
                               {"delivered", s.delivered},
                               {"rejected", s.rejected},
                               {"dropped", s.dropped},
                               {"attempts_failed", s.attempts_failed},
                               {"memory_requests", s.memory_requests},
                               {"memory_bytes", s.memory_bytes},
                               {"disk_requests", s.disk_requests},
                               {"disk_bytes", s.disk_bytes}}) {
      out += ',';
      AppendField(out, name, value);
    }
    out += '}';
  }
  out += "],\"logs\":{";
  AppendField(out, "exported", r.logs.exported);
  out += ',';
  AppendField(out, "dropped_queue_full", r.logs.dropped_queue_full);
  out += ',';
  AppendField(out, "sink_errors", r.logs.sink_errors);
  out += "},\"store\":";
  AppendJsonString(out, StatusText(r.store));
  AppendStoreWrites(out, r.store_writes);
  out += ",\"alerts\":";
  AppendJsonString(out, StatusText(r.alerts));
  out += ",\"http\":{";
  AppendField(out, "connections_open", r.http.connections_open);
  out += ',';
  AppendField(out, "requests", r.http.requests);
  out += "}}\n";
  return out;
}

void WatchHealth(Observability& obs) {
  obs.AddMetricSink(std::make_shared<HealthWatch>(&obs, &obs.logger("tai.health")));
}

}  // namespace internal

HealthReport Observability::Health() const {
  HealthReport r;
  for (const auto& source : delivery_sources_) {
    r.exporters.push_back(ExporterHealth{source->name(), source->delivery_stats()});
    const DeliveryStats& s = r.exporters.back().stats;
    if (s.backend_down || !s.spill_error.empty()) r.ok = false;
  }
  if (logs_) r.logs = logs_->stats();
  if (config_.store.enabled) r.store = store_status_;
  if (store_) r.store_writes = store_->stats();
  if (internal::StoreFailedRecently(r.store_writes, WallNanos())) r.ok = false;
  if (config_.alerts.enabled && config_.store.enabled) r.alerts = alerts_status_;
  if (!r.store.ok() || !r.alerts.ok()) r.ok = false;
  if (server_) r.http = server_->stats();
  return r;
}

void Observability::ServeHealth() {
  server_->Handle("GET", "/healthz", [this](const HttpRequest&, HttpResponse& res) {
    res.content_type = "application/json";
    res.SetHeader("Cache-Control", "no-store");
    if (!started_.load(std::memory_order_acquire)) {
      res.status = 503;
      res.body = "{\"status\":\"starting\"}\n";
      return;
    }
    res.body = internal::HealthJson(Health());
  });
  // tai_http_server_refusals_total{reason}: what the server's limits cut.
  MetricDescriptor refusals{.metric_type = "tai_http_server_refusals",
                            .value_type = MetricType::kCumulative,
                            .description =
                                "Connections and requests the embedded HTTP server cut or "
                                "refused at a limit, by reason",
                            .labels = {{"reason", "", "string"}}};
  http_metrics_callback_ =
      registry_
          ->CreateCallbackCounter(
              refusals,
              [server = server_.get()](Observer& o) {
                HttpServerStats s = server->stats();
                o.Observe(s.connections_evicted, {{"reason", "evicted_idle"}});
                o.Observe(s.connections_refused, {{"reason", "too_many_connections"}});
                o.Observe(s.rejected_malformed, {{"reason", "malformed"}});
                o.Observe(s.rejected_too_large, {{"reason", "too_large"}});
                o.Observe(s.rejected_busy, {{"reason", "busy"}});
                o.Observe(s.timed_out_requests, {{"reason", "request_timeout"}});
                o.Observe(s.timed_out_idle, {{"reason", "idle_timeout"}});
                o.Observe(s.timed_out_writes, {{"reason", "write_timeout"}});
              })
          .value_or(0);
}

}  // namespace tai
