// Forwarding header: this header moved to tai/analysis/flame_graph.h with the other analysis
// headers. Kept so that code written against the old path still compiles.
#pragma once
#include "tai/analysis/flame_graph.h"
