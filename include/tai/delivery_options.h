// Forwarding header: this header moved to tai/export/delivery_options.h with the other export
// headers. Kept so that code written against the old path still compiles.
#pragma once
#include "tai/export/delivery_options.h"
