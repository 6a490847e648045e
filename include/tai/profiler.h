// Forwarding header: this header moved to tai/profile/cpu_profiler.h with the other profile
// headers. Kept so that code written against the old path still compiles.
#pragma once
#include "tai/profile/cpu_profiler.h"
