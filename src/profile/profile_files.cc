#include "profile/profile_files.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "tai/profile/pprof.h"

namespace tai::internal {

Status WritePprofFileAtomically(const Profile& profile, const std::string& path) {
  // The pid keeps two processes sharing a directory off each other's temp files.
  std::string tmp = path + ".tmp-" + std::to_string(getpid());
  Status s = WritePprofFile(profile, tmp);
  if (!s.ok()) {
    std::remove(tmp.c_str());
    return s;
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    Status error =
        UnavailableError("cannot rename '" + tmp + "' to '" + path + "': " + std::strerror(errno));
    std::remove(tmp.c_str());
    return error;
  }
  return Status::Ok();
}

std::string SafeFileName(std::string_view s) {
  std::string out;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    out += ok ? c : '_';
  }
  if (out.empty() || out == "." || out == "..") out = "_" + out;
  return out;
}

}  // namespace tai::internal
