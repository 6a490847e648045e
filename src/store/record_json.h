// Internal: how the store writes the structured parts of records as JSON
// text (span attributes, events and links; log fields; series labels;
// profile labels) and reads them back. JSON keeps the file readable with
// the sqlite3 shell and lets SQLite's json functions filter on it.
//
// Free functions; thread-safe.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "tai/core/attributes.h"
#include "tai/core/labels.h"
#include "tai/core/status.h"
#include "tai/log/log_record.h"
#include "tai/trace/span_data.h"

namespace tai::internal {

// {"key":"value",...} in the set's (sorted) order: the series' identity.
std::string LabelsToJson(const LabelSet& labels);
Result<LabelSet> LabelsFromJson(std::string_view json);

std::string StringMapToJson(const std::map<std::string, std::string>& map);
std::map<std::string, std::string> StringMapFromJson(std::string_view json);

std::string SpanEventsToJson(const std::vector<SpanEvent>& events);
std::string SpanLinksToJson(const std::vector<SpanLink>& links);
std::string AttributesToJson(const Attributes& attributes);
// Malformed text gives an empty list: the row was written by this code.
Attributes AttributesFromJson(std::string_view json);
std::vector<SpanEvent> SpanEventsFromJson(std::string_view json);
std::vector<SpanLink> SpanLinksFromJson(std::string_view json);

std::string LogFieldsToJson(const LogRecord& record);

}  // namespace tai::internal
