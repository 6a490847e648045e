// Internal: pieces of log records as JSON, shared by the log encoders (the
// stdout Cloud Logging format and the Cloud Logging API exporter).
#pragma once

#include <string>

#include "tai/log/log_record.h"

namespace tai::internal {

void AppendLogValueJson(std::string& out, const LogValue& value);
// Cloud Logging's LogEntrySourceLocation object: {"file":..,"line":"42","function":..}
// (line is an int64, so a string in JSON).
void AppendSourceLocationJson(std::string& out, const LogRecord& record);

}  // namespace tai::internal
