#include "tai/alert/alert.h"

#include <cstdio>

#include "core/enum_names.h"

namespace tai {
namespace {

constexpr internal::EnumNames<AlertState, 4> kStateNames{{
    {AlertState::kInactive, "inactive"},
    {AlertState::kPending, "pending"},
    {AlertState::kFiring, "firing"},
    {AlertState::kResolved, "resolved"},
}};

}  // namespace

std::string_view AlertStateName(AlertState state) {
  return internal::NameOf(kStateNames, state, "unknown");
}

Result<AlertState> ParseAlertState(std::string_view name) {
  if (auto state = internal::ValueNamed(kStateNames, name)) return *state;
  return InvalidArgumentError("alert state '" + std::string(name) +
                              "': expected inactive, pending, firing or resolved");
}

std::string AlertFingerprint(const LabelSet& labels) {
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(labels.hash()));
  return hex;
}

std::string_view AlertSeverityLabel(const Alert& alert) {
  const std::string* severity = alert.labels.Find("severity");
  return severity != nullptr ? std::string_view(*severity) : "warning";
}

}  // namespace tai
