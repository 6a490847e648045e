// Internal: a log field's value as JSON (string, integer, double, bool),
// shared by the log encoders.
#pragma once

#include <string>

#include "tai/log_record.h"

namespace tai::internal {

void AppendLogValueJson(std::string& out, const LogValue& value);

}  // namespace tai::internal
