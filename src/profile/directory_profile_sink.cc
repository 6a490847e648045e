#include "tai/profile/directory_profile_sink.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "core/text.h"
#include "profile/profile_files.h"

namespace tai {
namespace {

namespace fs = std::filesystem;

struct FileEntry {
  fs::file_time_type mtime;
  std::string name;
  uint64_t bytes = 0;
};

// The profile files (not temporaries) in `dir`, oldest first.
std::vector<FileEntry> ListProfiles(const std::string& dir) {
  std::vector<FileEntry> out;
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    if (!e.is_regular_file(ec) || !name.ends_with(".pb.gz")) continue;
    FileEntry f{e.last_write_time(ec), name, static_cast<uint64_t>(e.file_size(ec))};
    if (!ec) out.push_back(std::move(f));
  }
  std::sort(out.begin(), out.end(), [](const FileEntry& a, const FileEntry& b) {
    return a.mtime != b.mtime ? a.mtime < b.mtime : a.name < b.name;
  });
  return out;
}

}  // namespace

Result<std::shared_ptr<DirectoryProfileSink>> DirectoryProfileSink::Create(
    DirectoryProfileSinkOptions options) {
  if (options.directory.empty()) return InvalidArgumentError("profile directory is empty");
  std::error_code ec;
  fs::create_directories(options.directory, ec);
  if (ec || !fs::is_directory(options.directory, ec)) {
    return UnavailableError("cannot create profile directory '" + options.directory +
                            "': " + (ec ? ec.message() : "not a directory"));
  }
  return std::shared_ptr<DirectoryProfileSink>(new DirectoryProfileSink(std::move(options)));
}

DirectoryProfileSink::DirectoryProfileSink(DirectoryProfileSinkOptions options)
    : options_(std::move(options)) {}

std::string DirectoryProfileSink::name() const { return "directory:" + options_.directory; }

Status DirectoryProfileSink::Export(std::span<const UploadedProfile> batch, const Resource&) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const UploadedProfile& p : batch) {
    std::string file = internal::SafeFileName(p.id) + "." +
                       internal::AsciiLower(ProfileKindName(p.kind)) + ".pb.gz";
    std::string path = options_.directory + "/" + file;
    Status s = internal::WritePprofFileAtomically(p.profile, path);
    if (!s.ok()) {
      ++stats_.write_errors;
      RotateLocked();
      return s;
    }
    std::error_code ec;
    ++stats_.files_written;
    stats_.bytes_written += static_cast<uint64_t>(fs::file_size(path, ec));
  }
  RotateLocked();
  return Status::Ok();
}

void DirectoryProfileSink::RotateLocked() {
  std::vector<FileEntry> files = ListProfiles(options_.directory);
  uint64_t total = 0;
  for (const FileEntry& f : files) total += f.bytes;
  for (size_t i = 0; i + 1 < files.size() && total > options_.max_total_bytes; ++i) {
    std::error_code ec;
    if (!fs::remove(options_.directory + "/" + files[i].name, ec) || ec) continue;
    total -= files[i].bytes;
    ++stats_.files_deleted;
    stats_.bytes_deleted += files[i].bytes;
  }
}

std::vector<std::string> DirectoryProfileSink::Files() const {
  std::vector<std::string> names;
  for (FileEntry& f : ListProfiles(options_.directory)) names.push_back(std::move(f.name));
  return names;
}

DirectoryProfileSinkStats DirectoryProfileSink::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

}  // namespace tai
