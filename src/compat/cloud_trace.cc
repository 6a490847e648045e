#include "tai/compat/cloud_trace.h"

#include <deque>
#include <unordered_map>

#include "tai/compat/trace_span.h"

namespace tai::gcp {

// The sink behind BatchExport: gathers ended spans by trace and marks a
// trace complete when its root arrives (FinishTrace ends the root last).
class CloudTrace::CompletedTraces : public SpanSink {
 public:
  static constexpr size_t kMaxTraces = 10'000;

  std::string name() const override { return "cloud-trace-api"; }

  Status Export(const SpanBatch& batch, const Resource& /*resource*/) override {
    std::lock_guard<std::mutex> lock(mu_);
    for (const SpanData& span : *batch) {
      const std::string id = span.context.trace_id.ToHex();
      auto [it, inserted] = partial_.try_emplace(id);
      if (inserted) order_.push_back(id);
      it->second.push_back(span);
      if (span.local_root()) {
        ready_.push_back(Trace{id, std::move(it->second)});
        partial_.erase(it);
      }
    }
    // Bounded memory: traces whose root never came (dropped) go first.
    while (partial_.size() > kMaxTraces && !order_.empty()) {
      partial_.erase(order_.front());
      order_.pop_front();
    }
    while (order_.size() > 2 * kMaxTraces) order_.pop_front();
    while (ready_.size() > kMaxTraces) ready_.pop_front();
    return Status::Ok();
  }

  std::vector<Trace> Take(size_t max) {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<Trace> out;
    while (!ready_.empty() && out.size() < max) {
      out.push_back(std::move(ready_.front()));
      ready_.pop_front();
    }
    return out;
  }

 private:
  std::mutex mu_;
  std::unordered_map<std::string, std::vector<SpanData>> partial_;
  std::deque<std::string> order_;
  std::deque<Trace> ready_;
};

CloudTrace::CloudTrace(std::string project, double sample_rate)
    : CloudTrace(std::move(project), sample_rate, nullptr) {}

CloudTrace::CloudTrace(std::string project, double sample_rate,
                       std::shared_ptr<BatchSpanProcessor> upload_to, CloudTraceOptions options)
    : project_(std::move(project)),
      sample_rate_(sample_rate),
      options_(options),
      upload_to_(std::move(upload_to)),
      completed_(std::make_shared<CompletedTraces>()) {
  Resource resource = upload_to_ ? upload_to_->resource() : Resource();
  resource.gcp_project = project_;
  processor_ = std::make_shared<BatchSpanProcessor>(std::move(resource));
  processor_->AddSink(completed_);
  tracer_ = std::make_unique<Tracer>(
      processor_, TracerOptions{.sampler = ParentBasedSampler(TraceIdRatioSampler(sample_rate))});
}

CloudTrace::~CloudTrace() {
  std::lock_guard<std::mutex> lock(mu_);
  open_.clear();  // ends every open span before the tracer goes
}

Result<CloudTrace::OpenTrace*> CloudTrace::Find(std::string_view trace_id) {
  auto it = open_.find(trace_id);
  if (it == open_.end()) {
    return NotFoundError("trace '" + std::string(trace_id) + "' is not open");
  }
  return &it->second;
}

Result<std::string> CloudTrace::StartTrace(std::string_view name) {
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

Result<std::pair<size_t, std::vector<Trace>>> CloudTrace::BatchExport() {
  if (!processor_->Flush(std::chrono::seconds(5))) {
    return DeadlineExceededError("CloudTrace: finished spans did not reach the batch in 5 s");
  }
  std::vector<Trace> traces = completed_->Take(options_.batch_traces);
  const size_t n = traces.size();
  return std::make_pair(n, std::move(traces));
}

Status CloudTrace::UploadTraces(const std::vector<Trace>& traces) {
  if (!upload_to_) {
    std::lock_guard<std::mutex> lock(mu_);
    uploaded_.insert(uploaded_.end(), traces.begin(), traces.end());
    return Status::Ok();
  }
  std::vector<SpanData> spans;
  for (const Trace& t : traces) spans.insert(spans.end(), t.spans.begin(), t.spans.end());
  const size_t total = spans.size();
  const size_t queued = upload_to_->Submit(std::move(spans));
  if (queued < total) {
    return ResourceExhaustedError("CloudTrace: " + std::to_string(total - queued) + " of " +
                                  std::to_string(total) +
                                  " spans dropped: the span queue is full or shut down");
  }
  return Status::Ok();
}

size_t CloudTrace::open_traces() const {
  std::lock_guard<std::mutex> lock(mu_);
  return open_.size();
}

std::vector<Trace> CloudTrace::uploaded() const {
  std::lock_guard<std::mutex> lock(mu_);
  return uploaded_;
}

}  // namespace tai::gcp
