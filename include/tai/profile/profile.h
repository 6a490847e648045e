// Profile: one finished profile (CPU, wall-clock or heap) as data: samples
// with stacks and values, and the locations, functions and mappings the
// stacks refer to. The shape is pprof's (profile.proto), so a Profile
// converts to and from a .pb.gz file without loss (see pprof.h), and the
// read side (HotPaths, flame graphs in flame_graph.h) works the same on a
// profile made here or one read from a file.
//
// A value type: copy and move it freely. Not synchronised; treat it as
// immutable once made. Ids of locations, functions and mappings are
// positive and unique within their list; 0 means "none".
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace tai {

// What a sample value measures: ("cpu", "nanoseconds"), ("samples", "count"),
// ("inuse_space", "bytes")...
struct ValueType {
  std::string type;
  std::string unit;
  friend bool operator==(const ValueType&, const ValueType&) = default;
};

// A loaded object (the executable or a shared library) and where it sits in
// memory.
struct ProfileMapping {
  uint64_t id = 0;
  uint64_t memory_start = 0;
  uint64_t memory_limit = 0;
  uint64_t file_offset = 0;
  std::string filename;
  std::string build_id;  // lower-case hex of the GNU build id, "" when absent
  bool has_functions = false;
  bool has_filenames = false;
  bool has_line_numbers = false;
  friend bool operator==(const ProfileMapping&, const ProfileMapping&) = default;
};

struct ProfileFunction {
  uint64_t id = 0;
  std::string name;         // demangled: "db::Query::Run(int)"
  std::string system_name;  // as in the symbol table: "_ZN2db5Query3RunEi"
  std::string filename;
  int64_t start_line = 0;
  friend bool operator==(const ProfileFunction&, const ProfileFunction&) = default;
};

struct ProfileLine {
  uint64_t function_id = 0;
  int64_t line = 0;
  friend bool operator==(const ProfileLine&, const ProfileLine&) = default;
};

// An instruction address. `lines` has one entry per function at that address:
// more than one when functions were inlined, the innermost first and the
// caller they were inlined into last (pprof's order).
struct ProfileLocation {
  uint64_t id = 0;
  uint64_t mapping_id = 0;
  uint64_t address = 0;
  std::vector<ProfileLine> lines;
  friend bool operator==(const ProfileLocation&, const ProfileLocation&) = default;
};

// A string label ("route" = "/api/users") or a numeric one
// ("bytes" = 4096, unit "bytes") attached to a sample.
struct ProfileLabel {
  std::string key;
  std::string str;
  int64_t num = 0;
  std::string num_unit;
  friend bool operator==(const ProfileLabel&, const ProfileLabel&) = default;
};

// One stack and its values, one value per entry of Profile::sample_types.
// location_ids[0] is the leaf (where the sample was taken), the last entry
// the root (main, or a thread's start function).
struct ProfileSample {
  std::vector<uint64_t> location_ids;
  std::vector<int64_t> values;
  std::vector<ProfileLabel> labels;
  friend bool operator==(const ProfileSample&, const ProfileSample&) = default;
};

// A function and its cost: microseconds for time profiles (cpu, wall),
// otherwise the unit of the sample type (bytes, objects, count).
struct HotPath {
  std::string function;
  int64_t cpu_micros = 0;
  friend bool operator==(const HotPath&, const HotPath&) = default;
};

class Profile {
 public:
  std::vector<ValueType> sample_types;
  std::vector<ProfileSample> samples;
  std::vector<ProfileMapping> mappings;
  std::vector<ProfileLocation> locations;
  std::vector<ProfileFunction> functions;
  int64_t time_nanos = 0;      // wall time when collection started
  int64_t duration_nanos = 0;  // how long it was collected
  ValueType period_type;       // ("cpu", "nanoseconds") for a CPU profile
  int64_t period = 0;          // between two samples, in period_type's unit
  std::vector<std::string> comments;
  // The sample type views use by default (pprof's default_sample_type);
  // "" means the last one.
  std::string default_sample_type;

  // The functions that cost the most, highest first, at most `n` of them:
  // by self cost (samples whose leaf is the function) and by cumulative cost
  // (samples with the function anywhere on the stack, counted once per
  // sample even when it recurses). Uses DefaultValueIndex().
  std::vector<HotPath> HotPaths(size_t n) const;
  std::vector<HotPath> HotPathsCumulative(size_t n) const;

  // The index into sample_types that summaries use: default_sample_type
  // when set and present, else the last type (pprof's rule). -1 when the
  // profile has no sample types.
  int DefaultValueIndex() const;
  // Sum of that value over all samples.
  int64_t TotalValue() const;
  // The stack of `sample` as function names, root first, inlined frames
  // expanded; "??" (or the hex address) for an unsymbolized location.
  std::vector<std::string> StackNames(const ProfileSample& sample) const;
  // Converts a value of DefaultValueIndex() to what HotPath reports:
  // nanoseconds become microseconds, other units stay.
  int64_t ToReportUnit(int64_t value) const;

  friend bool operator==(const Profile&, const Profile&) = default;
};

}  // namespace tai
