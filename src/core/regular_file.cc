#include "core/regular_file.h"

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

}  // namespace tai::internal
