#include "log/write_fd.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace tai::internal {

Status WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return UnavailableError("write to fd " + std::to_string(fd) + ": " + std::strerror(errno));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

}  // namespace tai::internal
