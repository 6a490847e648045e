#include "profile/profile_builder.h"

#include <functional>
#include <utility>

namespace tai::internal {
namespace {

// Mixes `v` into `h` (boost's hash_combine).
size_t Mix(size_t h, size_t v) { return h ^ (v + 0x9e3779b97f4a7c15 + (h << 6) + (h >> 2)); }

size_t Hash(std::string_view s) { return std::hash<std::string_view>{}(s); }

// Loaded objects do not overlap, so the range alone tells them apart; the
// file and build id are compared on a match only.
size_t MappingHash(const Module& m) { return Mix(Mix(m.start, m.limit), m.file_offset); }

size_t FunctionHash(std::string_view name, std::string_view system_name, uint64_t mapping_id) {
  size_t name_hash = Hash(name);
  // C functions and frames known by name only have the same name twice.
  size_t system_hash = system_name == name ? name_hash : Hash(system_name);
  return Mix(Mix(name_hash, system_hash), mapping_id);
}

// The id filed under `hash` whose entry `matches`; 0 when there is none.
template <typename Matches>
uint64_t Find(const std::unordered_multimap<size_t, uint64_t>& index, size_t hash,
              Matches matches) {
  auto [it, end] = index.equal_range(hash);
  for (; it != end; ++it) {
    if (matches(it->second)) return it->second;
  }
  return 0;
}

}  // namespace

Profile ProfileBuilder::Take() {
  Profile p = std::move(profile_);
  *this = ProfileBuilder();
  return p;
}

uint64_t ProfileBuilder::Mapping(const Module& m) {
  size_t hash = MappingHash(m);
  uint64_t id = Find(mappings_, hash, [&](uint64_t candidate) {
    const ProfileMapping& pm = profile_.mappings[candidate - 1];
    return pm.memory_start == m.start && pm.memory_limit == m.limit &&
           pm.file_offset == m.file_offset && pm.filename == m.path && pm.build_id == m.build_id;
  });
  if (id != 0) return id;
  id = profile_.mappings.size() + 1;
  // Every address in it went through the symbolizer, which found all the
  // names there are: pprof symbolizes again a mapping without any flag.
  profile_.mappings.push_back(ProfileMapping{.id = id,
                                             .memory_start = m.start,
                                             .memory_limit = m.limit,
                                             .file_offset = m.file_offset,
                                             .filename = m.path,
                                             .build_id = m.build_id,
                                             .has_functions = true});
  mappings_.emplace(hash, id);
  return id;
}

uint64_t ProfileBuilder::Function(std::string_view name, std::string_view system_name,
                                  std::string_view filename, uint64_t mapping_id) {
  size_t hash = FunctionHash(name, system_name, mapping_id);
  uint64_t id = Find(functions_, hash, [&](uint64_t candidate) {
    const ProfileFunction& f = profile_.functions[candidate - 1];
    return f.name == name && f.system_name == system_name &&
           function_mappings_[candidate - 1] == mapping_id;
  });
  if (id != 0) return id;
  id = profile_.functions.size() + 1;
  profile_.functions.push_back(ProfileFunction{.id = id,
                                               .name = std::string(name),
                                               .system_name = std::string(system_name),
                                               .filename = std::string(filename)});
  function_mappings_.push_back(mapping_id);
  functions_.emplace(hash, id);
  return id;
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

uint64_t ProfileBuilder::LocationNamed(std::string_view name) {
  size_t hash = Hash(name);
  uint64_t id = Find(names_, hash, [&](uint64_t candidate) {
    uint64_t function_id = profile_.locations[candidate - 1].lines[0].function_id;
    return profile_.functions[function_id - 1].name == name;
  });
  if (id != 0) return id;
  id = AddLocation(0, 0, {{.function_id = Function(name, name, "", 0)}});
  names_.emplace(hash, id);
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
void ProfileBuilder::NoteResolved(uint64_t mapping_id, std::span<const ProfileLine> lines) {
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
