// Forwarding header: the Prometheus text format moved to
// tai/export/prometheus_text.h and the /metrics endpoint to
// tai/web/prometheus_endpoint.h. Kept so that code written against the old
// path still compiles.
#pragma once
#include "tai/export/prometheus_text.h"
#include "tai/web/prometheus_endpoint.h"
