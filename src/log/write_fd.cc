#include "log/write_fd.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace tai::internal {

Status WriteAll(int fd, std::string_view data) {
  // A closed pipe (stdout piped into a process that exited) must give an
  // error, not kill the service: SIGPIPE is blocked on this thread for the
  // write, and one it raised is consumed before the mask is restored.
  sigset_t pipe_set, old_set;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
  Status status;
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      if (err == EPIPE && !sigismember(&old_set, SIGPIPE)) {
        timespec zero{0, 0};
        while (sigtimedwait(&pipe_set, nullptr, &zero) > 0) {
        }
      }
      status = UnavailableError("write to fd " + std::to_string(fd) + ": " + std::strerror(err));
      break;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  pthread_sigmask(SIG_SETMASK, &old_set, nullptr);
  return status;
}

}  // namespace tai::internal
