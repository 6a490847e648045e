#include "tai/cloud_alert_policies.h"

namespace tai {

std::vector<gcp::ManagedAlertPolicy> ManagedAlertPolicies(
    const std::vector<AlertingRule>& rules, const std::vector<Slo>& slos,
    const CloudMonitoringExportOptions& export_options) {
  std::vector<gcp::ManagedAlertPolicy> out;
  for (const AlertingRule& r : rules) {
    gcp::ManagedAlertPolicy p{.key = r.id, .what = "rule '" + r.id + "'"};
    // One rule at a time, so that one bad rule does not hold the others back.
    auto body = ExportCloudMonitoringPolicies({r}, {}, export_options);
    if (body.ok()) {
      p.body = std::move(body->front());
    } else {
      p.error = body.status();
    }
    out.push_back(std::move(p));
  }
  for (const Slo& slo : slos) {
    const std::string id = SloId(slo);
    auto bodies = ExportCloudMonitoringPolicies({}, {slo}, export_options);
    for (size_t i = 0; i < slo.burn_rate_alerts.size(); ++i) {
      const std::string n = std::to_string(i + 1);
      gcp::ManagedAlertPolicy p{.key = "slo-" + id + "-burn" + n,
                                .what = "slo '" + id + "' burn-rate alert " + n};
      if (!bodies.ok()) {
        p.error = bodies.status();
      } else if (i < bodies->size()) {
        p.body = (*bodies)[i];
      }
      out.push_back(std::move(p));
    }
  }
  return out;
}

Result<gcp::AlertPolicySyncReport> SyncCloudAlertPolicies(
    const std::vector<AlertingRule>& rules, const std::vector<Slo>& slos,
    const gcp::AlertPolicySyncOptions& sync, const CloudMonitoringExportOptions& export_options) {
  return gcp::SyncAlertPolicies(ManagedAlertPolicies(rules, slos, export_options), sync);
}

}  // namespace tai
