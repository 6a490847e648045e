// Forwarding header: this header moved to tai/profile/directory_profile_sink.h with the other
// profile headers. Kept so that code written against the old path still compiles.
#pragma once
#include "tai/profile/directory_profile_sink.h"
