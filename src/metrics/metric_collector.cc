#include "tai/metrics/metric_collector.h"

#include <atomic>

#include "core/thread_name.h"
#include "metrics/delta_converter.h"
#include "tai/core/clock.h"

namespace tai {

struct MetricCollector::SinkState {
  std::shared_ptr<MetricSink> sink;
  std::string name;
  internal::DeltaConverter delta;  // used when the sink wants deltas
  std::atomic<uint64_t> exports{0};
  std::atomic<uint64_t> errors{0};
};

MetricCollector::MetricCollector(MetricRegistry& registry, std::chrono::milliseconds interval)
    : registry_(registry), interval_(interval) {
  auto per_sink = [this](bool errors) {
    return [this, errors](Observer& o) {
      std::lock_guard<std::mutex> lock(sinks_mu_);
      for (const auto& s : sinks_) {
        o.Observe((errors ? s->errors : s->exports).load(std::memory_order_relaxed),
                  {{"sink", s->name}});
      }
    };
  };
  MetricDescriptor exports{.metric_type = "tai_metric_exports",
                           .value_type = MetricType::kCumulative,
                           .description = "Metric batches handed to each sink",
                           .labels = {{"sink", "", "string"}}};
  MetricDescriptor errors = exports;
  errors.metric_type = "tai_metric_export_errors";
  errors.description = "Metric batches a sink failed to export";
  callback_exports_ = registry_.CreateCallbackCounter(exports, per_sink(false)).value_or(0);
  callback_errors_ = registry_.CreateCallbackCounter(errors, per_sink(true)).value_or(0);
}

MetricCollector::~MetricCollector() {
  Stop(std::chrono::milliseconds(0));
  registry_.RemoveCallback(callback_exports_);
  registry_.RemoveCallback(callback_errors_);
}

void MetricCollector::AddSink(std::shared_ptr<MetricSink> sink) {
  auto state = std::make_unique<SinkState>();
  state->name = sink->name();
  state->sink = std::move(sink);
  std::lock_guard<std::mutex> lock(sinks_mu_);
  sinks_.push_back(std::move(state));
}

Status MetricCollector::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return FailedPreconditionError("metric collector already started");
  stopping_ = false;
  thread_ = std::thread([this] {
    internal::NameThisThread("tai-collector");
    Run();
  });
  return Status::Ok();
}

void MetricCollector::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  auto next = std::chrono::steady_clock::now() + interval_;
  while (!stopping_) {
    if (wake_.wait_until(lock, next, [this] { return stopping_; })) break;
    lock.unlock();
    CollectNow();
    lock.lock();
    next += interval_;
    // After a long stall, do not fire a burst of catch-up collections.
    auto now = std::chrono::steady_clock::now();
    if (next < now) next = now + interval_;
  }
}

std::vector<MetricCollector::SinkState*> MetricCollector::Sinks() {
  std::lock_guard<std::mutex> lock(sinks_mu_);
  std::vector<SinkState*> list;
  for (auto& s : sinks_) list.push_back(s.get());
  return list;
}

void MetricCollector::CollectNow() {
  // Rounds run one at a time so a sink sees batches in order. sinks_mu_ is
  // not held while collecting: the self-metric callbacks take it.
  std::lock_guard<std::mutex> round(round_mu_);
  std::vector<SinkState*> sinks = Sinks();
  if (sinks.empty()) return;
  std::shared_ptr<const MetricBatch> batch = registry_.Collect();
  for (SinkState* s : sinks) {
    auto out = s->sink->temporality() == Temporality::kDelta ? s->delta.Convert(*batch) : batch;
    Status st;
    try {
      st = s->sink->Export(std::move(out));
    } catch (const std::exception& e) {
      st = InternalError(std::string("sink threw: ") + e.what());
    }
    s->exports.fetch_add(1, std::memory_order_relaxed);
    if (!st.ok()) s->errors.fetch_add(1, std::memory_order_relaxed);
  }
}

void MetricCollector::Stop(std::chrono::milliseconds deadline) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!thread_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  const auto until = std::chrono::steady_clock::now() + deadline;
  CollectNow();
  std::lock_guard<std::mutex> round(round_mu_);
  for (SinkState* s : Sinks()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    if (!s->sink->Flush(std::max(left, std::chrono::milliseconds(0))).ok()) {
      s->errors.fetch_add(1, std::memory_order_relaxed);
    }
  }
}

}  // namespace tai
