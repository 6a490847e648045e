// tai::gcp::CloudMonitoring: the original design's metrics API
// (create_metric_descriptor, write_metric_point, get_latest_metric_value,
// query_time_series, get_metric_statistics, check_threshold), built on the
// library's MetricRegistry and its store of recent points.
//
// Written points are exported like every other metric (Prometheus, and
// Cloud Monitoring once its exporter is configured) and are queryable at
// once. Standalone, a CloudMonitoring owns its registry, store and a
// collector; made from an Observability, it shares that instance's.
//
// create_alerting_rule hands the rule to the Observability's alert engine,
// which evaluates it against the embedded store and notifies; a standalone
// CloudMonitoring has no engine and says so.
//
// Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tai/alert/alerting_rule.h"
#include "tai/core/comparison.h"
#include "tai/metrics/metric_collector.h"
#include "tai/metrics/metric_registry.h"
#include "tai/store/in_memory_metric_store.h"

namespace tai {
class AlertEngine;
class Observability;
}  // namespace tai

namespace tai::gcp {

using tai::AlertingRule;
using tai::ComparisonOperator;
using tai::DistributionValue;
using tai::LabelDescriptor;
using tai::MetricDescriptor;
using tai::MetricStatistics;
using tai::MetricType;
using tai::MetricUnit;
using tai::MetricValue;

class CloudMonitoring {
 public:
  explicit CloudMonitoring(std::string project);
  CloudMonitoring(std::string project, Observability& observability);
  ~CloudMonitoring();
  CloudMonitoring(const CloudMonitoring&) = delete;
  CloudMonitoring& operator=(const CloudMonitoring&) = delete;

  // The type must be a user-defined Cloud Monitoring type
  // (custom.googleapis.com/..., workload.googleapis.com/...,
  // external.googleapis.com/...) and value_type is required.
  Status CreateMetricDescriptor(const MetricDescriptor& descriptor);
  // A type without a descriptor gets one (GAUGE for numbers, DISTRIBUTION
  // for distributions), as Cloud Monitoring does on first write.
  Status WriteMetricPoint(std::string_view metric_type, const MetricValue& value,
                          const std::map<std::string, std::string>& labels = {});

  Result<MetricValue> GetLatestMetricValue(std::string_view metric_type) const;
  // The last `limit` points over all series of the type, oldest first.
  Result<std::vector<StoredPoint>> QueryTimeSeries(std::string_view metric_type,
                                                   size_t limit) const;
  Result<MetricStatistics> GetMetricStatistics(std::string_view metric_type) const;
  // Whether the latest value (a distribution's mean) satisfies `op threshold`.
  Result<bool> CheckThreshold(std::string_view metric_type, double threshold,
                              ComparisonOperator op) const;
  // The rule is validated and evaluated by the alert engine from then on
  // (ALREADY_EXISTS for a rule id in use); FAILED_PRECONDITION when there is
  // no engine (standalone, or the Observability runs without its store).
  Status CreateAlertingRule(const AlertingRule& rule);

  const std::string& project() const { return project_; }
  MetricRegistry& registry() { return *registry_; }

 private:
  Status CheckType(std::string_view metric_type) const;

  const std::string project_;
  std::unique_ptr<MetricRegistry> owned_registry_;
  MetricRegistry* registry_;
  std::shared_ptr<InMemoryMetricStore> store_;
  std::unique_ptr<MetricCollector> owned_collector_;
  AlertEngine* alerts_ = nullptr;
};

}  // namespace tai::gcp
