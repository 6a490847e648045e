// Forwarding header: this header moved to tai/profile/pprof.h with the other profile
// headers. Kept so that code written against the old path still compiles.
#pragma once
#include "tai/profile/pprof.h"
