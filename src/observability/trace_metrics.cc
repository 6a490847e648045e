#include "observability/trace_metrics.h"

#include "metrics/self_metric_descriptor.h"
#include "tai/trace/propagation.h"

namespace tai::internal {
std::vector<uint64_t> RegisterTraceMetrics(MetricRegistry& registry, const Tracer& tracer,
                                           const BatchSpanProcessor& processor) {
  std::vector<uint64_t> ids;
  auto add = [&](Result<uint64_t> id) {
    if (id.ok()) ids.push_back(*id);
  };
  const BatchSpanProcessor* p = &processor;
  const Tracer* t = &tracer;
  add(registry.CreateCallbackGauge(
      SelfMetricDescriptor("tai_span_queue_depth", MetricType::kGauge, "Spans waiting for export"),
      [p](Observer& o) { o.Observe(p->stats().queue_depth); }));
  add(registry.CreateCallbackCounter(
      SelfMetricDescriptor("tai_spans_enqueued", MetricType::kCumulative,
                           "Ended spans queued for export"),
      [p](Observer& o) { o.Observe(p->stats().enqueued); }));
  add(registry.CreateCallbackCounter(
      SelfMetricDescriptor("tai_spans_dropped", MetricType::kCumulative,
                           "Ended spans dropped: queue full, or ended after shutdown"),
      [p](Observer& o) { o.Observe(p->stats().dropped); }));
  add(registry.CreateCallbackCounter(
      SelfMetricDescriptor("tai_spans_exported", MetricType::kCumulative,
                           "Spans handed to the sinks"),
      [p](Observer& o) { o.Observe(p->stats().exported); }));
  add(registry.CreateCallbackCounter(
      SelfMetricDescriptor("tai_span_export_errors", MetricType::kCumulative,
                           "Span batches a sink failed to export", {"sink"}),
      [p](Observer& o) {
        for (const auto& [sink, errors] : p->sink_errors()) o.Observe(errors, {{"sink", sink}});
      }));
  add(registry.CreateCallbackCounter(
      SelfMetricDescriptor("tai_trace_malformed_headers", MetricType::kCumulative,
                           "Propagation headers ignored because they were malformed", {"header"}),
      [](Observer& o) {
        for (auto h : {PropagationHeader::kTraceparent, PropagationHeader::kTracestate,
                       PropagationHeader::kBaggage, PropagationHeader::kCloudTraceContext}) {
          o.Observe(MalformedHeaderCount(h), {{"header", PropagationHeaderName(h)}});
        }
      }));
  add(registry.CreateCallbackCounter(
      SelfMetricDescriptor("tai_trace_error_traces_kept", MetricType::kCumulative,
                           "Unsampled traces exported because a span ended with an error"),
      [t](Observer& o) { o.Observe(t->stats().error_traces_kept); }));
  add(registry.CreateCallbackCounter(
      SelfMetricDescriptor("tai_span_limit_drops", MetricType::kCumulative,
                           "Span data dropped or cut at a span limit", {"what"}),
      [t](Observer& o) {
        const TracerStats s = t->stats();
        o.Observe(s.attributes_dropped, {{"what", "attribute"}});
        o.Observe(s.events_dropped, {{"what", "event"}});
        o.Observe(s.links_dropped, {{"what", "link"}});
        o.Observe(s.values_truncated, {{"what", "value_truncated"}});
        o.Observe(s.error_buffer_dropped, {{"what", "error_buffer_span"}});
        o.Observe(s.error_lookup_evictions, {{"what", "error_lookup_slot"}});
      }));
  return ids;
}

}  // namespace tai::internal
