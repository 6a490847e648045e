// Internal: attributes as plain JSON (stdout exporters, the dashboard API):
// a value as its JSON type (strings quoted, numbers, booleans, arrays), and
// a list of attributes as one object {"key":value,...}.
#pragma once

#include <string>

#include "tai/core/attributes.h"

namespace tai::internal {

void AppendJsonAttributeValue(std::string& out, const AttributeValue& value);
void AppendJsonAttributes(std::string& out, const Attributes& attributes);

}  // namespace tai::internal
