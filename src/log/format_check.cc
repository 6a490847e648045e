// Compiled (not linked) by two ctest cases: with TAI_FORMAT_CHECK_ok it is
// valid; with TAI_FORMAT_CHECK_bad the format string has two placeholders
// for one argument, which must not compile. Together they show that format
// strings are checked at compile time.
#include "tai/log/log_pipeline.h"

void LogSomething(tai::Logger& log, int n) {
#if defined(TAI_FORMAT_CHECK_ok)
  TAI_LOG_INFO(log, {{"n", n}}, "{} items", n);
#elif defined(TAI_FORMAT_CHECK_bad)
  TAI_LOG_INFO(log, {{"n", n}}, "{} items in {}", n);
#else
#error "define TAI_FORMAT_CHECK_ok or TAI_FORMAT_CHECK_bad"
#endif
}
