#include "export/delivery/disk_spool.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "core/regular_file.h"

namespace tai::internal {
namespace {

namespace fs = std::filesystem;

// File layout: magic, then url length and body length (little-endian u64),
// url, body, then the CRC-32 of url and body.
constexpr std::string_view kMagic = "TAISPOOL1\n";
constexpr std::string_view kSuffix = ".req";

void AppendU64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t ReadU64(std::string_view in) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(in[i]);
  return v;
}

uint64_t Checksum(std::string_view url, std::string_view body) {
  uLong crc = crc32(0L, Z_NULL, 0);
  crc = crc32_z(crc, reinterpret_cast<const Bytef*>(url.data()), url.size());
  crc = crc32_z(crc, reinterpret_cast<const Bytef*>(body.data()), body.size());
  return crc;
}

}  // namespace

std::string EncodeSpooledRequest(const SpooledRequest& r) {
  std::string out;
  out.reserve(kMagic.size() + 24 + r.url.size() + r.body.size());
  out += kMagic;
  AppendU64(out, r.url.size());
  AppendU64(out, r.body.size());
  out += r.url;
  out += r.body;
  AppendU64(out, Checksum(r.url, r.body));
  return out;
}

Result<SpooledRequest> DecodeSpooledRequest(std::string_view data, uint64_t sequence) {
  const size_t header = kMagic.size() + 16;
  if (data.size() < header + 8 || data.substr(0, kMagic.size()) != kMagic) {
    return InternalError("not a spooled request (bad header)");
  }
  const uint64_t url_size = ReadU64(data.substr(kMagic.size()));
  const uint64_t body_size = ReadU64(data.substr(kMagic.size() + 8));
  if (url_size > data.size() || body_size > data.size() ||
      header + url_size + body_size + 8 != data.size()) {
    return InternalError("truncated spooled request");
  }
  SpooledRequest r{sequence, std::string(data.substr(header, url_size)),
                   std::string(data.substr(header + url_size, body_size))};
  if (ReadU64(data.substr(header + url_size + body_size)) != Checksum(r.url, r.body)) {
    return InternalError("spooled request fails its checksum");
  }
  return r;
}

namespace {

std::optional<uint64_t> SequenceOf(const std::string& filename) {
  if (filename.size() <= kSuffix.size() || !filename.ends_with(kSuffix)) return std::nullopt;
  uint64_t sequence = 0;
  const char* end = filename.data() + filename.size() - kSuffix.size();
  auto [ptr, ec] = std::from_chars(filename.data(), end, sequence);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return sequence;
}

}  // namespace

Result<std::unique_ptr<DiskSpool>> DiskSpool::Open(const std::string& directory,
                                                   uint64_t budget_bytes) {
  std::error_code ec;
  fs::create_directories(directory, ec);
  if (ec)
    return UnavailableError("cannot create spill directory " + directory + ": " + ec.message());
  fs::permissions(directory, fs::perms::owner_all, fs::perm_options::replace, ec);
  const std::string lock_path = directory + "/.lock";
  int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return UnavailableError("cannot open " + lock_path + ": " + std::strerror(errno));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return FailedPreconditionError("spill directory " + directory +
                                   " is in use by another process");
  }
  std::unique_ptr<DiskSpool> spool(new DiskSpool(directory, budget_bytes, fd));
  TAI_RETURN_IF_ERROR(spool->Index());
  return spool;
}

DiskSpool::DiskSpool(std::string directory, uint64_t budget_bytes, int lock_fd)
    : directory_(std::move(directory)), budget_bytes_(budget_bytes), lock_fd_(lock_fd) {}

DiskSpool::~DiskSpool() { ::close(lock_fd_); }  // closing releases the lock

Status DiskSpool::Index() {
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(directory_, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.ends_with(".tmp")) {  // a write cut short by a crash
      fs::remove(entry.path(), ec);
      continue;
    }
    std::optional<uint64_t> sequence = SequenceOf(name);
    if (!sequence) continue;
    // Its own error code: one odd entry (a directory or FIFO named like a
    // request) is skipped, and must not fail the listing, which would
    // turn spilling off.
    std::error_code entry_ec;
    if (!entry.is_regular_file(entry_ec)) continue;
    const uint64_t size = entry.file_size(entry_ec);
    if (entry_ec) continue;
    files_.emplace(*sequence, size);
    bytes_ += size;
    max_sequence_at_open_ = std::max(max_sequence_at_open_, *sequence);
  }
  if (ec)
    return UnavailableError("cannot list spill directory " + directory_ + ": " + ec.message());
  return Status::Ok();
}

std::string DiskSpool::PathOf(uint64_t sequence) const {
  char name[32];
  std::snprintf(name, sizeof(name), "%020llu", static_cast<unsigned long long>(sequence));
  return directory_ + "/" + name + std::string(kSuffix);
}

Status DiskSpool::Write(const SpooledRequest& request) {
  const std::string data = EncodeSpooledRequest(request);
  if (bytes_ + data.size() > budget_bytes_) {
    return ResourceExhaustedError("spill directory " + directory_ + " is full (" +
                                  std::to_string(budget_bytes_) + " bytes)");
  }
  TAI_RETURN_IF_ERROR(WriteFileAtomically(PathOf(request.sequence), data, /*sync=*/false));
  auto [it, inserted] = files_.emplace(request.sequence, data.size());
  if (inserted) {
    bytes_ += data.size();
  } else {
    bytes_ = bytes_ - it->second + data.size();
    it->second = data.size();
  }
  return Status::Ok();
}

std::optional<uint64_t> DiskSpool::OldestSequence() const {
  if (files_.empty()) return std::nullopt;
  return files_.begin()->first;
}

Result<SpooledRequest> DiskSpool::Read(uint64_t sequence) {
  const std::string path = PathOf(sequence);
  // Bounded and regular: a file swapped for a device or a huge one since
  // it was indexed is refused, not read into memory.
  Result<std::string> data = ReadRegularFile(path, budget_bytes_, "the spill budget");
  Result<SpooledRequest> r =
      data.ok() ? DecodeSpooledRequest(*data, sequence) : Result<SpooledRequest>(data.status());
  if (!r.ok()) {
    Remove(sequence);
    return r.status().WithContext("spilled request " + path + " discarded");
  }
  return r;
}

void DiskSpool::Remove(uint64_t sequence) {
  auto it = files_.find(sequence);
  if (it == files_.end()) return;
  ::unlink(PathOf(sequence).c_str());
  bytes_ -= it->second;
  files_.erase(it);
}

}  // namespace tai::internal
