// libFuzzer target for the spill file format (a delivery queue's requests
// on disk, read back after a restart: the directory is writable by others
// of the same user, so a file there is untrusted). Beyond not crashing, it
// checks that what decodes encodes back to the same bytes, and that any
// request encodes to a file that decodes to it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "export/delivery/disk_spool.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto r = tai::internal::DecodeSpooledRequest(input, 7);
  if (r.ok()) {
    Check(r->sequence == 7);
    Check(tai::internal::EncodeSpooledRequest(*r) == input);
  }
  const size_t cut = size == 0 ? 0 : data[0] % (size + 1);
  tai::internal::SpooledRequest request{1, std::string(input.substr(0, cut)),
                                        std::string(input.substr(cut))};
  auto back = tai::internal::DecodeSpooledRequest(tai::internal::EncodeSpooledRequest(request), 1);
  Check(back.ok() && back->url == request.url && back->body == request.body);
  return 0;
}
