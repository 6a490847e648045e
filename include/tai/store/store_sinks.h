// The embedded store as a sink of each pipeline: StoreMetricSink (the
// metric collector), StoreSpanSink (the batch span processor),
// StoreLogSink (the log pipeline) and StoreProfileSink (the continuous
// profiling service). Each hands its batch to the Store's bounded queue and
// returns at once, so the pipeline thread never waits on the disk; a full
// queue drops and counts (Store::stats()).
//
// Each sink shares ownership of the Store. Thread-safe.
#pragma once

#include <memory>
#include <string>

#include "tai/log/log_sink.h"
#include "tai/metrics/metric_sink.h"
#include "tai/profile/profile_sink.h"
#include "tai/store/store.h"
#include "tai/trace/span_sink.h"

namespace tai {

class StoreMetricSink : public MetricSink {
 public:
  explicit StoreMetricSink(std::shared_ptr<Store> store) : store_(std::move(store)) {}
  std::string name() const override { return "store"; }
  Status Export(std::shared_ptr<const MetricBatch> batch) override;
  Status Flush(std::chrono::milliseconds timeout) override { return store_->Flush(timeout); }

 private:
  std::shared_ptr<Store> store_;
};

class StoreSpanSink : public SpanSink {
 public:
  explicit StoreSpanSink(std::shared_ptr<Store> store) : store_(std::move(store)) {}
  std::string name() const override { return "store"; }
  Status Export(const SpanBatch& batch, const Resource& resource) override;
  Status Flush(std::chrono::milliseconds timeout) override { return store_->Flush(timeout); }

 private:
  std::shared_ptr<Store> store_;
};

class StoreLogSink : public LogSink {
 public:
  explicit StoreLogSink(std::shared_ptr<Store> store) : store_(std::move(store)) {}
  std::string name() const override { return "store"; }
  Status Export(const LogBatch& batch) override;
  Status Flush(std::chrono::milliseconds timeout) override { return store_->Flush(timeout); }

 private:
  std::shared_ptr<Store> store_;
};

class StoreProfileSink : public ProfileSink {
 public:
  explicit StoreProfileSink(std::shared_ptr<Store> store) : store_(std::move(store)) {}
  std::string name() const override { return "store"; }
  Status Export(std::span<const UploadedProfile> batch, const Resource& resource) override;
  Status Flush(std::chrono::milliseconds timeout) override { return store_->Flush(timeout); }

 private:
  std::shared_ptr<Store> store_;
};

}  // namespace tai
