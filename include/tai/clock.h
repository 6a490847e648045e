// Forwarding header: this header moved to tai/core/clock.h with the other core
// headers. Kept so that code written against the old path still compiles.
#pragma once
#include "tai/core/clock.h"
