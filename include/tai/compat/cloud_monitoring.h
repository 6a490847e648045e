// tai::gcp::CloudMonitoring: the original design's metrics API
// (create_metric_descriptor, write_metric_point, get_latest_metric_value,
// query_time_series, get_metric_statistics, check_threshold), built on an
// Observability's MetricRegistry, its collector and its store of recent
// points.
//
// Written points are queryable at once and exported like every other metric
// at the next collection (every 10 s by default). Where they go:
//  - CloudMonitoring(project): the process's design pipeline, an
//    Observability shared by every standalone design object
//    (docs/metrics.md): Cloud Monitoring of `project` when Google Cloud
//    export is configured (TAI_GCP_EXPORT=true, or GOOGLE_CLOUD_PROJECT and
//    GOOGLE_APPLICATION_CREDENTIALS set), and the embedded store unless
//    TAI_STORE=off.
//  - CloudMonitoring(project, observability): that instance's sinks
//    (Prometheus, Cloud Monitoring, OTLP, the store), as configured.
// `project` decides: a GOOGLE_CLOUD_PROJECT, a running design pipeline or
// an Observability naming another project is an error, and so is having
// nowhere to send points. The constructors keep such an error: status()
// returns it and so does every call. Create() returns it instead.
//
// create_alerting_rule hands the rule to the Observability's alert engine,
// which evaluates it against the embedded store and notifies; without the
// store (TAI_STORE=off) there is no engine, and the call says so.
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
#include "tai/metrics/metric_registry.h"
#include "tai/store/in_memory_metric_store.h"

namespace tai {
class AlertEngine;
class Observability;
namespace internal {
class DesignPipeline;
}
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
  // The same, failing with the error the constructors would keep.
  static Result<std::unique_ptr<CloudMonitoring>> Create(std::string project);
  static Result<std::unique_ptr<CloudMonitoring>> Create(std::string project,
                                                         Observability& observability);
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
  // no engine (the Observability runs without its store).
  Status CreateAlertingRule(const AlertingRule& rule);

  // OK, or why this CloudMonitoring cannot work.
  const Status& status() const { return status_; }
  const std::string& project() const { return project_; }
  // Where points go, in words ("Cloud Monitoring of project p and the
  // embedded store ./tai-data/x.db"); for the Observability form, "".
  const std::string& destination() const { return destination_; }
  // The registry points are written to; nullptr when status() is an error.
  MetricRegistry* registry() { return registry_; }

 private:
  CloudMonitoring(std::string project, Result<std::shared_ptr<internal::DesignPipeline>> pipeline);
  void Attach(Observability& observability);
  Status CheckType(std::string_view metric_type) const;

  const std::string project_;
  std::shared_ptr<internal::DesignPipeline> pipeline_;  // when standalone
  Status status_;
  std::string destination_;
  MetricRegistry* registry_ = nullptr;
  std::shared_ptr<InMemoryMetricStore> store_;
  AlertEngine* alerts_ = nullptr;
};

}  // namespace tai::gcp
