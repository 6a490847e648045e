// Test helper: counts the allocations (operator new) made by the calling
// thread, so tests can show that a path allocates nothing. Linked into the
// log test binary only; it replaces the global operator new and delete.
#pragma once

#include <cstdint>

namespace tai::testing_util {

uint64_t ThreadAllocations();

}  // namespace tai::testing_util
