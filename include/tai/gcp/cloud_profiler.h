// Forwarding header: this header moved to tai/compat/cloud_profiler.h with the other compat
// headers. Kept so that code written against the old path still compiles.
#pragma once
#include "tai/compat/cloud_profiler.h"
