#include "tai/compat/cloud_trace.h"

#include <cstdint>
#include <deque>
#include <iterator>
#include <unordered_map>

#include "compat/design_pipeline.h"
#include "tai/compat/trace_span.h"
#include "tai/core/clock.h"
#include "tai/log/log.h"

namespace tai::gcp {

// The sink behind BatchExport: gathers ended spans by trace and marks a
// trace complete when its root arrives (FinishTrace ends the root last).
// Each export of the CloudTrace's processor is one batch (100 traces or
// 30 s); a complete trace that has waited a batch interval since then,
// BatchExport did not take in time, so it goes to the upload processor.
class CloudTrace::CompletedTraces : public SpanSink {
 public:
  CompletedTraces(CloudTrace* owner, size_t max_waiting, std::chrono::milliseconds interval)
      : owner_(owner),
        max_waiting_(max_waiting),
        interval_nanos_(std::chrono::duration_cast<std::chrono::nanoseconds>(interval).count()) {}

  std::string name() const override { return "cloud-trace-api"; }

  Status Export(const SpanBatch& batch, const Resource& /*resource*/) override {
    std::vector<Trace> overdue;
    uint64_t incomplete = 0, over = 0;
    const int64_t now = MonotonicNanos();
    {
      std::lock_guard<std::mutex> lock(mu_);
      while (!ready_.empty() && now - ready_.front().since >= interval_nanos_) {
        overdue.push_back(std::move(ready_.front().trace));
        ready_.pop_front();
      }
      for (const SpanData& span : *batch) Add(span, now);
      // Bounded memory: traces whose root never came (dropped) go first.
      while (partial_.size() > max_waiting_ && !order_.empty()) {
        incomplete += partial_.erase(order_.front());
        order_.pop_front();
      }
      while (order_.size() > 2 * max_waiting_) order_.pop_front();
      while (ready_.size() > max_waiting_) {
        ready_.pop_front();
        ++over;
      }
    }
    owner_->CountDropped(&CloudTraceStats::dropped_incomplete, incomplete,
                         "their root span never ended (or was dropped)");
    owner_->CountDropped(&CloudTraceStats::dropped_waiting_full, over,
                         "the traces waiting for BatchExport were at their limit");
    if (!overdue.empty()) (void)owner_->Send(overdue, /*automatic=*/true);
    return Status::Ok();
  }

  std::vector<Trace> Take(size_t max) {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<Trace> out;
    while (!ready_.empty() && out.size() < max) {
      out.push_back(std::move(ready_.front().trace));
      ready_.pop_front();
    }
    return out;
  }

 private:
  struct Waiting {
    Trace trace;
    int64_t since;  // monotonic nanoseconds
  };

  void Add(const SpanData& span, int64_t now) {
    const std::string id = span.context.trace_id.ToHex();
    auto [it, inserted] = partial_.try_emplace(id);
    if (inserted) order_.push_back(id);
    it->second.push_back(span);
    if (span.local_root()) {
      ready_.push_back({Trace{id, std::move(it->second)}, now});
      partial_.erase(it);
    }
  }

  CloudTrace* const owner_;  // outlives the processor that calls Export
  const size_t max_waiting_;
  const int64_t interval_nanos_;
  std::mutex mu_;
  std::unordered_map<std::string, std::vector<SpanData>> partial_;
  std::deque<std::string> order_;
  std::deque<Waiting> ready_;
};

CloudTrace::CloudTrace(std::string project, double sample_rate, CloudTraceOptions options)
    : CloudTrace(project, sample_rate, options, internal::DesignPipeline::Acquire(project)) {}

CloudTrace::CloudTrace(std::string project, double sample_rate, CloudTraceOptions options,
                       Result<std::shared_ptr<internal::DesignPipeline>> pipeline)
    : project_(std::move(project)), sample_rate_(sample_rate), options_(options) {
  if (!pipeline.ok()) {
    status_ = pipeline.status().WithContext("CloudTrace");
    return;
  }
  pipeline_ = std::move(*pipeline);
  destination_ = pipeline_->Destinations("Cloud Trace");
  Init(pipeline_->observability().span_processor());
}

CloudTrace::CloudTrace(std::string project, double sample_rate,
                       std::shared_ptr<BatchSpanProcessor> upload_to, CloudTraceOptions options)
    : project_(std::move(project)), sample_rate_(sample_rate), options_(options) {
  if (!upload_to) {
    status_ = InvalidArgumentError("CloudTrace: no processor to upload to");
    return;
  }
  const std::string& theirs = upload_to->resource().gcp_project;
  if (!theirs.empty() && theirs != project_) {
    status_ = InvalidArgumentError("CloudTrace: project '" + project_ +
                                   "' is not the upload processor's project '" + theirs + "'");
    return;
  }
  for (const auto& sink : upload_to->sinks()) {
    destination_ += (destination_.empty() ? "" : ", ") + sink->name();
  }
  Init(std::move(upload_to));
}

Result<std::unique_ptr<CloudTrace>> CloudTrace::Create(std::string project, double sample_rate,
                                                       CloudTraceOptions options) {
  return internal::MadeOrError<CloudTrace>(std::move(project), sample_rate, options);
}

Result<std::unique_ptr<CloudTrace>> CloudTrace::Create(
    std::string project, double sample_rate, std::shared_ptr<BatchSpanProcessor> upload_to,
    CloudTraceOptions options) {
  return internal::MadeOrError<CloudTrace>(std::move(project), sample_rate, std::move(upload_to),
                                           options);
}

void CloudTrace::Init(std::shared_ptr<BatchSpanProcessor> upload_to) {
  if (sample_rate_ < 0 || sample_rate_ > 1 || sample_rate_ != sample_rate_) {
    status_ = InvalidArgumentError("CloudTrace: sample rate " + std::to_string(sample_rate_) +
                                   " is not between 0 and 1");
    return;
  }
  if (options_.batch_traces == 0 || options_.max_waiting_traces == 0) {
    status_ = InvalidArgumentError("CloudTrace: batch_traces and max_waiting_traces must be > 0");
    return;
  }
  upload_to_ = std::move(upload_to);
  Resource resource = upload_to_->resource();
  resource.gcp_project = project_;
  completed_ =
      std::make_shared<CompletedTraces>(this, options_.max_waiting_traces, options_.batch_interval);
  processor_ = std::make_shared<BatchSpanProcessor>(
      std::move(resource), BatchSpanProcessorOptions{.batch_traces = options_.batch_traces,
                                                     .export_interval = options_.batch_interval});
  processor_->AddSink(completed_);
  tracer_ = std::make_unique<Tracer>(
      processor_, TracerOptions{.sampler = ParentBasedSampler(TraceIdRatioSampler(sample_rate_))});
}

// What is still open ends now; every finished trace not exported yet goes
// to the upload processor before the processor (and the design pipeline,
// when this was its last user) goes.
CloudTrace::~CloudTrace() {
  if (!processor_) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    open_.clear();
  }
  processor_->Shutdown(std::chrono::seconds(5));
  const std::vector<Trace> rest = completed_->Take(SIZE_MAX);
  if (!rest.empty()) (void)Send(rest, /*automatic=*/true);
}

Result<CloudTrace::OpenTrace*> CloudTrace::Find(std::string_view trace_id) {
  TAI_RETURN_IF_ERROR(status_);
  auto it = open_.find(trace_id);
  if (it == open_.end()) {
    return NotFoundError("trace '" + std::string(trace_id) + "' is not open");
  }
  return &it->second;
}

Result<std::string> CloudTrace::StartTrace(std::string_view name) {
  TAI_RETURN_IF_ERROR(status_);
  std::lock_guard<std::mutex> lock(mu_);
  if (open_.size() >= options_.max_open_traces) {
    return ResourceExhaustedError("CloudTrace: " + std::to_string(open_.size()) +
                                  " traces are open; finish some before starting more");
  }
  Span root = tracer_->StartSpan(name, {.root = true});
  std::string trace_id = root.context().trace_id.ToHex();
  std::string span_id = root.context().span_id.ToHex();
  OpenTrace& trace = open_[trace_id];
  trace.root_span_id = span_id;
  trace.spans.emplace(span_id, std::move(root));
  return trace_id;
}

Result<std::string> CloudTrace::RootSpanId(std::string_view trace_id) const {
  TAI_RETURN_IF_ERROR(status_);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = open_.find(trace_id);
  if (it == open_.end()) return NotFoundError("trace '" + std::string(trace_id) + "' is not open");
  return it->second.root_span_id;
}

Result<std::string> CloudTrace::CreateSpan(std::string_view trace_id, std::string_view name,
                                           std::optional<std::string> parent_span_id) {
  std::lock_guard<std::mutex> lock(mu_);
  TAI_ASSIGN_OR_RETURN(auto trace, Find(trace_id));
  OpenTrace& t = *trace;
  const std::string parent_id = parent_span_id.value_or(t.root_span_id);
  auto parent = t.spans.find(parent_id);
  if (parent == t.spans.end()) {
    return NotFoundError("parent span '" + parent_id + "' is not open in trace '" +
                         std::string(trace_id) + "'");
  }
  if (t.spans.size() >= options_.max_open_spans_per_trace) {
    return ResourceExhaustedError("trace '" + std::string(trace_id) + "' has " +
                                  std::to_string(t.spans.size()) + " open spans");
  }
  Span span = tracer_->StartSpan(name, parent->second);
  std::string span_id = span.context().span_id.ToHex();
  t.spans.emplace(span_id, std::move(span));
  return span_id;
}

Status CloudTrace::SetSpanAttribute(std::string_view trace_id, std::string_view span_id,
                                    std::string_view key, AttributeValue value) {
  if (key.empty()) return InvalidArgumentError("span attribute key is empty");
  std::lock_guard<std::mutex> lock(mu_);
  TAI_ASSIGN_OR_RETURN(auto trace, Find(trace_id));
  OpenTrace& t = *trace;
  auto span = t.spans.find(span_id.empty() ? std::string_view(t.root_span_id) : span_id);
  if (span == t.spans.end()) {
    return NotFoundError("span '" + std::string(span_id) + "' is not open in trace '" +
                         std::string(trace_id) + "'");
  }
  span->second.SetAttribute(key, std::move(value));
  return Status::Ok();
}

Status CloudTrace::FinishSpan(std::string_view trace_id, std::string_view span_id,
                              SpanStatus status) {
  std::lock_guard<std::mutex> lock(mu_);
  TAI_ASSIGN_OR_RETURN(auto trace, Find(trace_id));
  OpenTrace& t = *trace;
  auto span = t.spans.find(span_id);
  if (span == t.spans.end()) {
    return NotFoundError("span '" + std::string(span_id) + "' is not open in trace '" +
                         std::string(trace_id) + "'");
  }
  span->second.SetStatus(status == SpanStatus::kOk ? SpanStatusCode::kOk : SpanStatusCode::kError);
  if (span_id == t.root_span_id) {
    // The root ends with FinishTrace, after its children; keep the status.
    return Status::Ok();
  }
  t.spans.erase(span);  // ~Span ends it
  return Status::Ok();
}

Status CloudTrace::FinishTrace(std::string_view trace_id) {
  TAI_RETURN_IF_ERROR(status_);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = open_.find(trace_id);
  if (it == open_.end()) return NotFoundError("trace '" + std::string(trace_id) + "' is not open");
  OpenTrace& t = it->second;
  Span root = std::move(t.spans.at(t.root_span_id));
  t.spans.clear();  // children first
  root.End();
  open_.erase(it);
  return Status::Ok();
}

// The traces that waited longest first: taken before the flush, whose
// export would otherwise upload them as overdue.
Result<std::pair<size_t, std::vector<Trace>>> CloudTrace::BatchExport() {
  TAI_RETURN_IF_ERROR(status_);
  std::vector<Trace> traces = completed_->Take(options_.batch_traces);
  if (!processor_->Flush(std::chrono::seconds(5))) {
    return DeadlineExceededError("CloudTrace: finished spans did not reach the batch in 5 s");
  }
  for (Trace& t : completed_->Take(options_.batch_traces - traces.size())) {
    traces.push_back(std::move(t));
  }
  Count(&CloudTraceStats::batch_exported, traces.size());
  const size_t n = traces.size();
  return std::make_pair(n, std::move(traces));
}

Status CloudTrace::UploadTraces(const std::vector<Trace>& traces) {
  TAI_RETURN_IF_ERROR(status_);
  return Send(traces, /*automatic=*/false);
}

// Trace by trace, so that the counts say which traces went whole.
Status CloudTrace::Send(const std::vector<Trace>& traces, bool automatic) {
  uint64_t queued = 0, partly = 0, spans_total = 0, spans_lost = 0;
  for (const Trace& t : traces) {
    const size_t n = t.spans.size();
    const size_t taken = upload_to_->Submit(t.spans);
    spans_total += n;
    spans_lost += n - taken;
    if (taken == n) {
      ++queued;
    } else {
      ++partly;
    }
  }
  {
    std::lock_guard<std::mutex> lock(stats_mu_);
    stats_.queued_for_upload += queued;
    if (automatic) stats_.uploaded_automatically += queued;
    stats_.dropped_upload_queue_full += partly;
  }
  if (spans_lost == 0) return Status::Ok();
  return ResourceExhaustedError("CloudTrace: " + std::to_string(spans_lost) + " of " +
                                std::to_string(spans_total) +
                                " spans dropped: the span queue is full or shut down");
}

void CloudTrace::Count(uint64_t CloudTraceStats::*field, uint64_t n) {
  if (n == 0) return;
  std::lock_guard<std::mutex> lock(stats_mu_);
  stats_.*field += n;
}

void CloudTrace::CountDropped(uint64_t CloudTraceStats::*field, uint64_t n, std::string_view why) {
  if (n == 0) return;
  Count(field, n);
  if (!pipeline_) return;
  TAI_LOG_RATE_LIMITED(pipeline_->observability().logger("tai.trace"), LogLevel::kWarn, 1,
                       "CloudTrace dropped {} trace(s): {} (counted in CloudTrace::stats())", n,
                       why);
}

size_t CloudTrace::open_traces() const {
  std::lock_guard<std::mutex> lock(mu_);
  return open_.size();
}

CloudTraceStats CloudTrace::stats() const {
  CloudTraceStats out;
  {
    std::lock_guard<std::mutex> lock(stats_mu_);
    out = stats_;
  }
  if (processor_) out.batching = processor_->stats();
  if (upload_to_) out.upload = upload_to_->stats();
  return out;
}

}  // namespace tai::gcp
