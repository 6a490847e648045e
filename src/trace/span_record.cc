#include "trace/span_record.h"

namespace tai::internal {

void ResetSpanRecord(SpanRecord* record) {
  constexpr size_t kKeepCapacity = 16;
  SpanData& d = record->data;
  d.context.trace_id = TraceId();
  d.context.span_id = SpanId();
  d.context.trace_flags = 0;
  d.context.trace_state.clear();
  d.context.remote = false;
  d.parent_span_id = SpanId();
  d.parent_remote = false;
  d.name.clear();
  d.kind = SpanKind::kInternal;
  d.start_unix_nanos = d.end_unix_nanos = 0;
  auto reset = [](auto& v) {
    if (v.capacity() > kKeepCapacity) {
      std::remove_reference_t<decltype(v)>().swap(v);
    } else {
      v.clear();
    }
  };
  if (d.attributes.capacity() <= kKeepCapacity) {
    for (Attribute& a : d.attributes) {
      if (record->spare_attributes.size() == kKeepCapacity) break;
      record->spare_attributes.push_back(std::move(a));
    }
  }
  reset(d.attributes);
  reset(d.events);
  reset(d.links);
  d.status = SpanStatusCode::kUnset;
  d.status_message.clear();
  d.dropped_attributes = d.dropped_events = d.dropped_links = 0;
  d.kept_for_error = false;
  record->start_mono_nanos = 0;
  record->error_buffer.reset();
}

}  // namespace tai::internal
