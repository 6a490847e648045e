// Forwarding header: this header moved to tai/analysis/continuous_profiling.h with the other
// analysis headers. Kept so that code written against the old path still compiles.
#pragma once
#include "tai/analysis/continuous_profiling.h"
