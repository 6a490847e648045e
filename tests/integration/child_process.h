// Test support: a child process started with posix_spawn, its stdout read
// line by line with a deadline, and killed (SIGTERM, then SIGKILL) when the
// object dies, so no peer outlives its test.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/temp_dir_testing.h"

namespace tai::testing {

class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // argv[0] is the program path. stderr goes to `stderr_path` ("" keeps ours).
  // `env` entries (NAME=value) are added to ours, replacing a variable of
  // the same name, so a child gets e.g. a store file of its own.
  bool Start(const std::vector<std::string>& argv, const std::string& stderr_path = "",
             const std::vector<std::string>& env = {});
  // The next line of stdout, or nullopt at end of file or after `timeout`.
  std::optional<std::string> ReadLine(std::chrono::milliseconds timeout);
  // SIGTERM, wait up to `grace`, then SIGKILL. Returns the exit status.
  int Stop(std::chrono::milliseconds grace = std::chrono::seconds(5));
  bool running() const { return pid_ > 0; }
  int pid() const { return pid_; }

 private:
  int pid_ = -1;
  int stdout_fd_ = -1;
  std::string buffer_;
};

// Runs a command to completion with `input` on its stdin; returns the exit
// code and fills *output with stdout and stderr.
int RunWithInput(const std::vector<std::string>& argv, const std::string& input,
                 std::string* output);

// A port that was free on 127.0.0.1 a moment ago.
int FreeLocalPort();

}  // namespace tai::testing
