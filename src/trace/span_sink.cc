#include "tai/trace/span_sink.h"

#include "core/attribute_json.h"
#include "core/enum_names.h"
#include "core/text.h"
#include "tai/core/clock.h"

namespace tai {

namespace {

constexpr internal::EnumNames<SpanStatusCode, 3> kStatusNames{{
    {SpanStatusCode::kUnset, "unset"},
    {SpanStatusCode::kOk, "ok"},
    {SpanStatusCode::kError, "error"},
}};

}  // namespace

// ---- InMemorySpanSink ------------------------------------------------------

Status InMemorySpanSink::Export(const SpanBatch& batch, const Resource& /*resource*/) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const SpanData& span : *batch) {
      spans_.push_back(span);
      if (spans_.size() > capacity_) spans_.pop_front();
    }
    exported_ += batch->size();
    ++batches_;
  }
  changed_.notify_all();
  return Status::Ok();
}

std::vector<SpanData> InMemorySpanSink::spans() const {
  std::lock_guard<std::mutex> lock(mu_);
  return {spans_.begin(), spans_.end()};
}

size_t InMemorySpanSink::exported() const {
  std::lock_guard<std::mutex> lock(mu_);
  return exported_;
}

size_t InMemorySpanSink::batches() const {
  std::lock_guard<std::mutex> lock(mu_);
  return batches_;
}

bool InMemorySpanSink::WaitForSpans(size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  return changed_.wait_for(lock, timeout, [&] { return exported_ >= n; });
}

// ---- StdoutSpanSink --------------------------------------------------------

namespace {

std::string_view StatusName(SpanStatusCode code) {
  return internal::NameOf(kStatusNames, code, "unset");
}

void AppendField(std::string& out, std::string_view key, std::string_view value) {
  out += ',';
  internal::AppendJsonString(out, key);
  out += ':';
  internal::AppendJsonString(out, value);
}

}  // namespace

std::string SpanToJsonLine(const SpanData& span, const Resource& resource) {
  std::string out = "{\"trace_id\":\"" + span.context.trace_id.ToHex() + "\"";
  AppendField(out, "span_id", span.context.span_id.ToHex());
  AppendField(out, "parent_span_id",
              span.parent_span_id.valid() ? span.parent_span_id.ToHex() : std::string());
  AppendField(out, "name", span.name);
  AppendField(out, "kind", SpanKindName(span.kind));
  AppendField(out, "start", FormatRfc3339(span.start_unix_nanos));
  AppendField(out, "end", FormatRfc3339(span.end_unix_nanos));
  out += ",\"duration_ms\":";
  internal::AppendJsonDouble(out, static_cast<double>(span.duration_nanos()) / 1e6);
  out += ",\"sampled\":";
  out += span.context.sampled() ? "true" : "false";
  AppendField(out, "status", StatusName(span.status));
  if (span.status == SpanStatusCode::kError)
    AppendField(out, "status_message", span.status_message);
  out += ",\"attributes\":";
  internal::AppendJsonAttributes(out, span.attributes);
  out += ",\"events\":[";
  for (size_t i = 0; i < span.events.size(); ++i) {
    const SpanEvent& e = span.events[i];
    if (i) out += ',';
    out += "{\"name\":";
    internal::AppendJsonString(out, e.name);
    AppendField(out, "time", FormatRfc3339(e.time_unix_nanos));
    out += ",\"attributes\":";
    internal::AppendJsonAttributes(out, e.attributes);
    out += '}';
  }
  out += "],\"links\":[";
  for (size_t i = 0; i < span.links.size(); ++i) {
    const SpanLink& l = span.links[i];
    if (i) out += ',';
    out += "{\"trace_id\":\"" + l.context.trace_id.ToHex() + "\"";
    AppendField(out, "span_id", l.context.span_id.ToHex());
    out += ",\"attributes\":";
    internal::AppendJsonAttributes(out, l.attributes);
    out += '}';
  }
  out += ']';
  AppendField(out, "service", resource.service_name);
  out += '}';
  return out;
}

Status StdoutSpanSink::Export(const SpanBatch& batch, const Resource& resource) {
  std::string text;
  for (const SpanData& span : *batch) {
    text += SpanToJsonLine(span, resource);
    text += '\n';
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (std::fwrite(text.data(), 1, text.size(), out_) != text.size() || std::fflush(out_) != 0) {
    return UnavailableError("stdout span sink: write failed");
  }
  return Status::Ok();
}

}  // namespace tai
