// Alerting rules and SLOs as Cloud Monitoring alert policies that exist in
// a project: each rule and each SLO burn-rate alert rendered as
// tai/alert/rule_export.h does, then created, patched or left alone by
// gcp::SyncAlertPolicies (tai/gcp/alert_policy_sync.h). Observability runs
// it once at start with TAI_GCP_ALERT_POLICIES=sync; `taiobs rules export
// --format cloud-monitoring --apply` runs it from a shell. docs/alerting.md
// ("Cloud Monitoring alert policies").
//
// Free functions over value types; thread-safe.
#pragma once

#include <vector>

#include "tai/alert/alerting_rule.h"
#include "tai/alert/rule_export.h"
#include "tai/alert/slo.h"
#include "tai/core/status.h"
#include "tai/gcp/alert_policy_sync.h"

namespace tai {

// One policy per rule (key: the rule id) and per SLO burn-rate alert (key:
// "slo-<id>-burn<n>", n from 1 in the SLO's order). A rule that cannot be
// rendered keeps its key with the error, naming the rule, so the sync
// reports it and leaves its existing policy alone.
std::vector<gcp::ManagedAlertPolicy> ManagedAlertPolicies(
    const std::vector<AlertingRule>& rules, const std::vector<Slo>& slos,
    const CloudMonitoringExportOptions& export_options = {});

// ManagedAlertPolicies, then SyncAlertPolicies.
Result<gcp::AlertPolicySyncReport> SyncCloudAlertPolicies(
    const std::vector<AlertingRule>& rules, const std::vector<Slo>& slos,
    const gcp::AlertPolicySyncOptions& sync,
    const CloudMonitoringExportOptions& export_options = {});

}  // namespace tai
