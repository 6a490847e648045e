// Log queries over the embedded store: by time range, minimum level,
// logger, trace id and full text (SQLite FTS5 syntax: words, "phrases",
// prefix*, AND/OR/NOT).
//
// Value types, answered by Store (tai/store/store.h). Not synchronised.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "tai/core/ids.h"
#include "tai/log/log_level.h"

namespace tai {

struct LogQuery {
  int64_t start_nanos = 0;
  int64_t end_nanos = INT64_MAX;
  LogLevel min_level = LogLevel::kTrace;
  std::string logger;  // exact; "" matches any
  std::string text;    // FTS5 query on the message; "" matches any
  TraceId trace_id;    // invalid matches any
  // Newest first (with `text`: the most recently written first, which is
  // time order unless records arrived late); capped at
  // StoreOptions::max_rows_per_query.
  size_t limit = 100;
};

struct StoredLog {
  int64_t time_nanos = 0;
  LogLevel level = LogLevel::kInfo;
  std::string logger;
  std::string service;
  std::string message;
  std::string fields_json;  // {"key":value,...}
  TraceId trace_id;
  SpanId span_id;
  std::string file;
  uint32_t line = 0;
  uint32_t thread_id = 0;
};

}  // namespace tai
