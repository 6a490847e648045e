// Forwarding header: OTLP span export moved to tai/export/otlp_span_sink.h, whose
// names follow the exporters' rule (<backend>_<signal>_sink.h declaring
// <Backend><Signal>Sink). Kept so that existing includes and the old
// options name still compile; new code includes tai/export/otlp_span_sink.h.
#pragma once

#include "tai/export/otlp_span_sink.h"

namespace tai {

using OtlpExporterOptions = OtlpSpanSinkOptions;

}  // namespace tai
