// Compiled by the Layering.* tests (cmake/TaiModules.cmake) with one module's
// include paths: TAI_LAYERING_HEADER is a header that module may or may not
// reach.
#include TAI_LAYERING_HEADER
