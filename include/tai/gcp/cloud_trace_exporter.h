// Forwarding header: the Cloud Trace exporter moved to
// tai/gcp/cloud_trace_span_sink.h, whose names follow the exporters' rule
// (<backend>_<signal>_sink.h declaring <Backend><Signal>Sink). Kept so that
// existing includes and the old options name still compile; new code
// includes tai/gcp/cloud_trace_span_sink.h.
#pragma once

#include "tai/gcp/cloud_trace_span_sink.h"

namespace tai::gcp {

using CloudTraceExporterOptions = CloudTraceSpanSinkOptions;

}  // namespace tai::gcp
