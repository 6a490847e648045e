// Rule files: alerting rules (and SLOs) in YAML or JSON, modelled on
// Prometheus rule files but with AlertingRule's fields (docs/alerting.md):
//
//   rules:
//     - id: slow-pay
//       metric: http/server/duration
//       aggregation: p99
//       matchers: ['route="/pay"']
//       op: ">"
//       threshold: 500
//       window: 5m
//       for: 2m
//       labels: {severity: page}
//       annotations: {summary: "p99 of {{ $labels.route }} is {{ $value }} ms"}
//   slos:
//     - id: checkout-errors
//       kind: bad_ratio
//       bad_metric: checkout/errors
//       total_metric: checkout/requests
//       objective: 99.9%
//       window: 30d
//   notifiers:
//     - {name: oncall, type: pagerduty, routing_key_env: PAGERDUTY_KEY}
//
// Unknown fields are errors, and every error names the file, the rule (its
// id and position) and the field:
//   rules.yaml: rule 'slow-pay' (#2): field 'window': bad duration '5 minutes'
//   rules.yaml: slo 'checkout-errors' (#1): field 'objective': must be ...
// Read by the alert engine (AlertEngineOptions::rule_file, hot reload) and
// `taiobs rules check`.
//
// Free functions and value types; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tai/alert/alerting_rule.h"
#include "tai/alert/notifiers.h"
#include "tai/alert/slo.h"
#include "tai/core/status.h"

namespace tai {

struct RuleFile {
  std::vector<AlertingRule> rules;
  std::vector<Slo> slos;
  // Receivers the rules may name in notification_channels, beside those of
  // the environment (NotifierSpec, tai/alert/notifiers.h). Read at start:
  // a reload changes rules and SLOs, not notifiers.
  std::vector<NotifierSpec> notifiers;
};

enum class RuleFileFormat { kYaml, kJson };

// Reads and parses `path`: JSON when it ends in ".json", YAML otherwise.
// Every rule and SLO is checked (ValidateAlertingRule / ValidateSlo,
// templates, duplicate ids);
// INVALID_ARGUMENT lists every error found, one a line.
Result<RuleFile> LoadRuleFile(const std::string& path);

// The same over text; `name` is what errors call the file.
Result<RuleFile> ParseRuleFile(std::string_view text, std::string_view name, RuleFileFormat format);

}  // namespace tai
