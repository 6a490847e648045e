// Forwarding header: the Cloud Monitoring exporter moved to
// tai/gcp/cloud_monitoring_metric_sink.h, whose names follow the exporters'
// rule (<backend>_<signal>_sink.h declaring <Backend><Signal>Sink). Kept so
// that existing includes and the old names still compile; new code
// includes tai/gcp/cloud_monitoring_metric_sink.h.
#pragma once

#include "tai/gcp/cloud_monitoring_metric_sink.h"

namespace tai::gcp {

using CloudMonitoringSink = CloudMonitoringMetricSink;
using CloudMonitoringExporterOptions = CloudMonitoringMetricSinkOptions;

}  // namespace tai::gcp
