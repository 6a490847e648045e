#include "profile/profile_builder.h"

#include <utility>

namespace tai::internal {
namespace {

// Appends `v`'s bytes: keys are byte strings so that one hash map serves
// each kind of entry.
void AppendBytes(std::string* key, uint64_t v) {
  key->append(reinterpret_cast<const char*>(&v), sizeof v);
}

// Names and files come from C strings, so '\0' cannot occur inside them
// and separates the parts unambiguously.
void FunctionKey(std::string* key, std::string_view name, std::string_view system_name,
                 std::string_view filename, uint64_t mapping_id) {
  key->assign(name);
  key->push_back('\0');
  key->append(system_name);
  key->push_back('\0');
  key->append(filename);
  key->push_back('\0');
  AppendBytes(key, mapping_id);
}

void LocationKey(std::string* key, uint64_t mapping_id, uint64_t address,
                 const std::vector<ProfileLine>& lines) {
  key->clear();
  AppendBytes(key, mapping_id);
  AppendBytes(key, address);
  for (const ProfileLine& line : lines) {
    AppendBytes(key, line.function_id);
    AppendBytes(key, static_cast<uint64_t>(line.line));
  }
}

}  // namespace

Profile ProfileBuilder::Take() {
  Profile p = std::move(profile_);
  *this = ProfileBuilder();
  return p;
}

uint64_t ProfileBuilder::Mapping(const Module& m) {
  auto [it, added] =
      mappings_.try_emplace(MappingKey{m.start, m.limit, m.file_offset, m.path, m.build_id}, 0);
  if (added) {
    it->second = profile_.mappings.size() + 1;
    // Every address in it went through the symbolizer, which found all the
    // names there are: pprof symbolizes again a mapping without any flag.
    profile_.mappings.push_back(ProfileMapping{.id = it->second,
                                               .memory_start = m.start,
                                               .memory_limit = m.limit,
                                               .file_offset = m.file_offset,
                                               .filename = m.path,
                                               .build_id = m.build_id,
                                               .has_functions = true});
  }
  return it->second;
}

uint64_t ProfileBuilder::Function(std::string_view name, std::string_view system_name,
                                  std::string_view filename, uint64_t mapping_id) {
  FunctionKey(&key_, name, system_name, filename, mapping_id);
  auto [it, added] = functions_.try_emplace(key_, 0);
  if (added) {
    it->second = profile_.functions.size() + 1;
    profile_.functions.push_back(ProfileFunction{.id = it->second,
                                                 .name = std::string(name),
                                                 .system_name = std::string(system_name),
                                                 .filename = std::string(filename)});
  }
  return it->second;
}

uint64_t ProfileBuilder::Location(uint64_t mapping_id, uint64_t address,
                                  std::vector<ProfileLine> lines) {
  LocationKey(&key_, mapping_id, address, lines);
  auto [it, added] = locations_.try_emplace(key_, 0);
  if (added) it->second = AddLocation(mapping_id, address, std::move(lines));
  return it->second;
}

uint64_t ProfileBuilder::LocationAt(uint64_t address, Symbolizer& symbolizer) {
  auto found = addresses_.find(address);
  if (found != addresses_.end()) return found->second;
  const Symbolized& sym = symbolizer.Resolve(address);
  // Resolve may have found new modules: read the list after it.
  uint64_t mapping_id = sym.module >= 0 ? Mapping(symbolizer.modules()[sym.module]) : 0;
  std::vector<ProfileLine> lines;
  if (!sym.name.empty()) {
    lines.push_back({Function(sym.name, sym.system_name, sym.file, mapping_id), sym.line});
  }
  uint64_t id = AddLocation(mapping_id, address, std::move(lines));
  addresses_.emplace(address, id);
  return id;
}

uint64_t ProfileBuilder::AddLocation(uint64_t mapping_id, uint64_t address,
                                     std::vector<ProfileLine> lines) {
  NoteResolved(mapping_id, lines);
  uint64_t id = profile_.locations.size() + 1;
  profile_.locations.push_back(ProfileLocation{
      .id = id, .mapping_id = mapping_id, .address = address, .lines = std::move(lines)});
  return id;
}

// The flags tell pprof what it may show for the mapping's locations (file
// and line columns, -lines granularity) and what it need not look up again.
void ProfileBuilder::NoteResolved(uint64_t mapping_id, const std::vector<ProfileLine>& lines) {
  if (mapping_id == 0 || mapping_id > profile_.mappings.size()) return;
  ProfileMapping& m = profile_.mappings[mapping_id - 1];
  for (const ProfileLine& line : lines) {
    m.has_functions = true;
    if (line.function_id != 0 && line.function_id <= profile_.functions.size() &&
        !profile_.functions[line.function_id - 1].filename.empty()) {
      m.has_filenames = true;
    }
    if (line.line != 0) m.has_line_numbers = true;
  }
}

}  // namespace tai::internal
