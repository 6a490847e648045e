#include "core/regular_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace tai::internal {
namespace {

std::string Mebibytes(uint64_t bytes) {
  return bytes % (1 << 20) == 0 ? std::to_string(bytes >> 20) + " MiB"
                                : std::to_string(bytes) + " bytes";
}

}  // namespace

Result<std::string> ReadRegularFile(const std::string& path, size_t max_bytes,
                                    std::string_view limit_name) {
  // Checked before opening: opening a FIFO for reading waits for a writer.
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) return NotFoundError("cannot open '" + path + "'");
  if (std::filesystem::is_directory(status)) {
    return InvalidArgumentError("'" + path + "' is a directory, not a file");
  }
  if (!std::filesystem::is_regular_file(status)) {
    return InvalidArgumentError("'" + path + "' is not a regular file (a FIFO, socket or device)");
  }
  const uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) return UnavailableError("cannot read the size of '" + path + "': " + ec.message());
  if (size == 0) return InvalidArgumentError("'" + path + "' is empty");
  if (size > max_bytes) {
    return ResourceExhaustedError("'" + path + "' is " + Mebibytes(size) + ", above " +
                                  std::string(limit_name) + " (" + Mebibytes(max_bytes) + ")");
  }
  std::ifstream f(path, std::ios::binary);
  if (!f) return NotFoundError("cannot open '" + path + "'");
  std::string bytes(static_cast<size_t>(size), '\0');
  f.read(bytes.data(), static_cast<std::streamsize>(size));
  if (f.gcount() != static_cast<std::streamsize>(size)) {
    return UnavailableError("cannot read '" + path + "'");
  }
  return bytes;
}

Status WriteFileAtomically(const std::string& path, std::string_view data, bool sync) {
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return UnavailableError("cannot create " + tmp + ": " + std::strerror(errno));
  auto fail = [&](const char* what) {
    const std::string why = std::strerror(errno);
    ::close(fd);
    ::unlink(tmp.c_str());
    return UnavailableError(std::string(what) + " " + tmp + ": " + why);
  };
  size_t written = 0;
  while (written < data.size()) {
    ssize_t n = ::write(fd, data.data() + written, data.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail("cannot write");
    written += static_cast<size_t>(n);
  }
  if (sync && ::fsync(fd) != 0) return fail("cannot sync");
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    return UnavailableError("cannot rename " + tmp + ": " + why);
  }
  return Status::Ok();
}

}  // namespace tai::internal
