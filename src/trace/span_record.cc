#include "trace/span_record.h"

#include <algorithm>

#include "tai/core/clock.h"

namespace tai::internal {

void ResetSpanRecord(SpanRecord* record) {
  constexpr size_t kKeepCapacity = 16;
  SpanData& d = record->data;
  // The ids, flags, tracestate, parent, name, kind and start are set by
  // every use of a record (Tracer::StartRecording, or a whole SpanData
  // assigned by Submit); the rest is emptied here.
  d.end_unix_nanos = 0;
  auto reset = [](auto& v) {
    if (v.capacity() > kKeepCapacity) {
      std::remove_reference_t<decltype(v)>().swap(v);
    } else {
      v.clear();
    }
  };
  if (d.attributes.capacity() > kKeepCapacity) Attributes().swap(d.attributes);
  record->attribute_count = 0;
  reset(d.events);
  reset(d.links);
  d.status = SpanStatusCode::kUnset;
  d.status_message.clear();
  d.dropped_attributes = d.dropped_events = d.dropped_links = 0;
  d.kept_for_error = false;
  record->start_ticks = record->end_ticks = 0;
  record->error_buffer = nullptr;
  record->next = nullptr;
  record->held_count.store(0, std::memory_order_relaxed);
}

void PrepareForExport(SpanRecord* record) {
  SpanData& d = record->data;
  d.attributes.resize(record->attribute_count);
  if ((record->start_ticks | record->end_ticks) == 0) return;
  const TickConversion conversion = TickConversion::Current();
  const int64_t start_mono = conversion.ToMonotonicNanos(record->start_ticks);
  if (record->start_ticks) d.start_unix_nanos = WallNanosAt(start_mono);
  if (record->end_ticks) {
    const int64_t end_mono = conversion.ToMonotonicNanos(record->end_ticks);
    // Readings on two cores can disagree by a few ticks: a span never ends
    // before it starts.
    d.end_unix_nanos = record->start_ticks
                           ? d.start_unix_nanos + std::max<int64_t>(0, end_mono - start_mono)
                           : WallNanosAt(end_mono);
  }
  record->start_ticks = record->end_ticks = 0;
}

}  // namespace tai::internal
