#include "tai/store/store_sinks.h"

namespace tai {

// Drops are the store's to count (tai_store_dropped_total): a full queue is
// not an export error the pipeline could retry.
Status StoreMetricSink::Export(std::shared_ptr<const MetricBatch> batch) {
  store_->AddMetrics(std::move(batch));
  return Status::Ok();
}

Status StoreSpanSink::Export(const SpanBatch& batch, const Resource& resource) {
  store_->AddSpans(batch, resource);
  return Status::Ok();
}

Status StoreLogSink::Export(const LogBatch& batch) {
  store_->AddLogs(batch);
  return Status::Ok();
}

Status StoreProfileSink::Export(std::span<const UploadedProfile> batch, const Resource& resource) {
  store_->AddProfiles(batch, resource);
  return Status::Ok();
}

}  // namespace tai
