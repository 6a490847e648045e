// Trace queries over the embedded store: a search by service, span name,
// duration, error, time range and attribute, and one trace by id. Results
// are the stored spans with the service that reported them.
//
// Value types, answered by Store (tai/store/store.h). Not synchronised.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tai/trace/span_data.h"

namespace tai {

struct TraceQuery {
  std::string service;  // "" matches any
  std::string name;     // span name, exact; "" matches any
  int64_t start_nanos = 0;
  int64_t end_nanos = INT64_MAX;  // spans that started in [start, end)
  int64_t min_duration_nanos = 0;
  int64_t max_duration_nanos = INT64_MAX;
  bool errors_only = false;
  // An attribute the span must carry with this value (compared as text).
  std::string attribute_key;
  std::string attribute_value;
  size_t limit = 100;  // newest first; capped at StoreOptions::max_rows_per_query
};

struct StoredSpan {
  std::string service;
  SpanData span;
};

}  // namespace tai
