// profile.proto, written and read by hand. Field numbers (from the format's
// published definition):
//   Profile:  1 sample_type, 2 sample, 3 mapping, 4 location, 5 function,
//             6 string_table, 7 drop_frames, 8 keep_frames, 9 time_nanos,
//             10 duration_nanos, 11 period_type, 12 period, 13 comment,
//             14 default_sample_type
//   ValueType: 1 type, 2 unit (string-table indices)
//   Sample:   1 location_id (packed), 2 value (packed), 3 label
//   Label:    1 key, 2 str, 3 num, 4 num_unit
//   Mapping:  1 id, 2 memory_start, 3 memory_limit, 4 file_offset, 5 filename,
//             6 build_id, 7 has_functions, 8 has_filenames, 9 has_line_numbers,
//             10 has_inline_frames
//   Location: 1 id, 2 mapping_id, 3 address, 4 line, 5 is_folded
//   Line:     1 function_id, 2 line
//   Function: 1 id, 2 name, 3 system_name, 4 filename, 5 start_line
#include "tai/profile/pprof.h"

#include <fstream>
#include <unordered_map>

#include "core/gzip.h"
#include "core/regular_file.h"
#include "profile/proto_wire.h"

namespace tai {
namespace {

using internal::ProtoReader;
using internal::ProtoWriter;
using internal::WireType;

class StringTable {
 public:
  StringTable() { Index(""); }
  int64_t Index(const std::string& s) {
    auto [it, added] = index_.emplace(s, static_cast<int64_t>(strings_.size()));
    if (added) strings_.push_back(s);
    return it->second;
  }
  const std::vector<std::string>& strings() const { return strings_; }

 private:
  std::unordered_map<std::string, int64_t> index_;
  std::vector<std::string> strings_;
};

// ---- encoding: one function per message ----

std::string EncodeValueType(const ValueType& vt, StringTable& st) {
  ProtoWriter w;
  w.Int(1, st.Index(vt.type));
  w.Int(2, st.Index(vt.unit));
  return std::move(w.out());
}

std::string EncodeLabel(const ProfileLabel& l, StringTable& st) {
  ProtoWriter w;
  w.Int(1, st.Index(l.key));
  w.Int(2, l.str.empty() ? 0 : st.Index(l.str));
  w.Int(3, l.num);
  w.Int(4, l.num_unit.empty() ? 0 : st.Index(l.num_unit));
  return std::move(w.out());
}

std::string EncodeSample(const ProfileSample& s, StringTable& st) {
  ProtoWriter w;
  w.PackedUint(1, s.location_ids);
  w.PackedInt(2, s.values);
  for (const ProfileLabel& l : s.labels) w.BytesAlways(3, EncodeLabel(l, st));
  return std::move(w.out());
}

std::string EncodeMapping(const ProfileMapping& m, StringTable& st) {
  ProtoWriter w;
  w.Uint(1, m.id);
  w.Uint(2, m.memory_start);
  w.Uint(3, m.memory_limit);
  w.Uint(4, m.file_offset);
  w.Int(5, st.Index(m.filename));
  w.Int(6, st.Index(m.build_id));
  w.Bool(7, m.has_functions);
  w.Bool(8, m.has_filenames);
  w.Bool(9, m.has_line_numbers);
  return std::move(w.out());
}

std::string EncodeLine(const ProfileLine& line) {
  ProtoWriter w;
  w.Uint(1, line.function_id);
  w.Int(2, line.line);
  return std::move(w.out());
}

std::string EncodeLocation(const ProfileLocation& l) {
  ProtoWriter w;
  w.Uint(1, l.id);
  w.Uint(2, l.mapping_id);
  w.Uint(3, l.address);
  for (const ProfileLine& line : l.lines) w.BytesAlways(4, EncodeLine(line));
  return std::move(w.out());
}

std::string EncodeFunction(const ProfileFunction& f, StringTable& st) {
  ProtoWriter w;
  w.Uint(1, f.id);
  w.Int(2, st.Index(f.name));
  w.Int(3, st.Index(f.system_name));
  w.Int(4, st.Index(f.filename));
  w.Int(5, f.start_line);
  return std::move(w.out());
}

}  // namespace

std::string EncodePprofProto(const Profile& p) {
  StringTable st;
  ProtoWriter w;
  for (const ValueType& vt : p.sample_types) w.BytesAlways(1, EncodeValueType(vt, st));
  for (const ProfileSample& s : p.samples) w.BytesAlways(2, EncodeSample(s, st));
  for (const ProfileMapping& m : p.mappings) w.BytesAlways(3, EncodeMapping(m, st));
  for (const ProfileLocation& l : p.locations) w.BytesAlways(4, EncodeLocation(l));
  for (const ProfileFunction& f : p.functions) w.BytesAlways(5, EncodeFunction(f, st));
  // Everything below refers to strings too, so the table is written last
  // but one: collect the indices first.
  std::string period_type_bytes;
  if (!p.period_type.type.empty() || !p.period_type.unit.empty()) {
    period_type_bytes = EncodeValueType(p.period_type, st);
  }
  std::vector<int64_t> comments;
  for (const std::string& c : p.comments) comments.push_back(st.Index(c));
  int64_t default_type = p.default_sample_type.empty() ? 0 : st.Index(p.default_sample_type);

  for (const std::string& s : st.strings()) w.BytesAlways(6, s);
  w.Int(9, p.time_nanos);
  w.Int(10, p.duration_nanos);
  if (!period_type_bytes.empty()) w.BytesAlways(11, period_type_bytes);
  w.Int(12, p.period);
  w.PackedInt(13, comments);  // repeated: an empty comment (string 0) is kept
  w.Int(14, default_type);
  return std::move(w.out());
}

std::string EncodePprof(const Profile& profile) {
  return internal::GzipCompress(EncodePprofProto(profile));
}

// ---- decoding: one function per message, as above ----
//
// The string table may come anywhere in the message, so each decoder keeps
// the string indices it read (a *Ref) and ProfileDecoder resolves them all
// once the whole profile is read.

namespace {

Status Malformed(const char* what, const ProtoReader& r) {
  return InvalidArgumentError(std::string("pprof: malformed ") + what + ": " +
                              (r.error() ? r.error() : "unexpected wire type"));
}

struct ValueTypeRef {
  uint64_t type = 0, unit = 0;
};

struct LabelRef {
  size_t sample = 0, label = 0;  // where the label is in Profile::samples
  uint64_t key = 0, str = 0, num_unit = 0;
};

struct MappingRef {
  uint64_t filename = 0, build_id = 0;
};

struct FunctionRef {
  uint64_t name = 0, system_name = 0, filename = 0;
};

// `what`: which ValueType this is (sample_type, period_type), for errors.
Status DecodeValueType(std::string_view bytes, const char* what, ValueTypeRef* ref) {
  ProtoReader r(bytes);
  while (r.Next()) {
    if (r.type() != WireType::kVarint) continue;
    if (r.field() == 1) ref->type = r.varint();
    if (r.field() == 2) ref->unit = r.varint();
  }
  if (r.error()) return Malformed(what, r);
  return Status::Ok();
}

Status DecodeLabel(std::string_view bytes, ProfileLabel* label, LabelRef* ref) {
  ProtoReader r(bytes);
  while (r.Next()) {
    if (r.type() != WireType::kVarint) continue;
    if (r.field() == 1) ref->key = r.varint();
    if (r.field() == 2) ref->str = r.varint();
    if (r.field() == 3) label->num = static_cast<int64_t>(r.varint());
    if (r.field() == 4) ref->num_unit = r.varint();
  }
  if (r.error()) return Malformed("sample.label", r);
  return Status::Ok();
}

// `index`: where the sample goes in Profile::samples, for its labels' refs.
Status DecodeSample(std::string_view bytes, size_t index, ProfileSample* s,
                    std::vector<LabelRef>* label_refs) {
  ProtoReader r(bytes);
  std::vector<uint64_t> values;
  while (r.Next()) {
    if (r.field() == 1) {
      if (!r.AppendUints(&s->location_ids)) return Malformed("sample.location_id", r);
    } else if (r.field() == 2) {
      if (!r.AppendUints(&values)) return Malformed("sample.value", r);
    } else if (r.field() == 3 && r.type() == WireType::kLen) {
      LabelRef ref{.sample = index, .label = s->labels.size()};
      ProfileLabel label;
      TAI_RETURN_IF_ERROR(DecodeLabel(r.bytes(), &label, &ref));
      label_refs->push_back(ref);
      s->labels.push_back(std::move(label));
    }
  }
  if (r.error()) return Malformed("sample", r);
  for (uint64_t v : values) s->values.push_back(static_cast<int64_t>(v));
  return Status::Ok();
}

Status DecodeMapping(std::string_view bytes, ProfileMapping* m, MappingRef* ref) {
  ProtoReader r(bytes);
  while (r.Next()) {
    if (r.type() != WireType::kVarint) continue;
    uint64_t v = r.varint();
    switch (r.field()) {
      case 1:
        m->id = v;
        break;
      case 2:
        m->memory_start = v;
        break;
      case 3:
        m->memory_limit = v;
        break;
      case 4:
        m->file_offset = v;
        break;
      case 5:
        ref->filename = v;
        break;
      case 6:
        ref->build_id = v;
        break;
      case 7:
        m->has_functions = v != 0;
        break;
      case 8:
        m->has_filenames = v != 0;
        break;
      case 9:
        m->has_line_numbers = v != 0;
        break;
      default:
        break;  // has_inline_frames and unknown fields
    }
  }
  if (r.error()) return Malformed("mapping", r);
  return Status::Ok();
}

Status DecodeLine(std::string_view bytes, ProfileLine* line) {
  ProtoReader r(bytes);
  while (r.Next()) {
    if (r.type() != WireType::kVarint) continue;
    if (r.field() == 1) line->function_id = r.varint();
    if (r.field() == 2) line->line = static_cast<int64_t>(r.varint());
  }
  if (r.error()) return Malformed("location.line", r);
  return Status::Ok();
}

Status DecodeLocation(std::string_view bytes, ProfileLocation* l) {
  ProtoReader r(bytes);
  while (r.Next()) {
    if (r.field() == 4 && r.type() == WireType::kLen) {
      ProfileLine line;
      TAI_RETURN_IF_ERROR(DecodeLine(r.bytes(), &line));
      l->lines.push_back(line);
    } else if (r.type() == WireType::kVarint) {
      if (r.field() == 1) l->id = r.varint();
      if (r.field() == 2) l->mapping_id = r.varint();
      if (r.field() == 3) l->address = r.varint();
    }
  }
  if (r.error()) return Malformed("location", r);
  return Status::Ok();
}

Status DecodeFunction(std::string_view bytes, ProfileFunction* f, FunctionRef* ref) {
  ProtoReader r(bytes);
  while (r.Next()) {
    if (r.type() != WireType::kVarint) continue;
    switch (r.field()) {
      case 1:
        f->id = r.varint();
        break;
      case 2:
        ref->name = r.varint();
        break;
      case 3:
        ref->system_name = r.varint();
        break;
      case 4:
        ref->filename = r.varint();
        break;
      case 5:
        f->start_line = static_cast<int64_t>(r.varint());
        break;
      default:
        break;
    }
  }
  if (r.error()) return Malformed("function", r);
  return Status::Ok();
}

// The top-level Profile message: Field() takes its fields one by one,
// Finish() resolves the string indices and returns the profile.
class ProfileDecoder {
 public:
  explicit ProfileDecoder(size_t max_decoded_bytes) : max_decoded_bytes_(max_decoded_bytes) {}
  Status Field(const ProtoReader& r);
  Result<Profile> Finish();

 private:
  Status SampleType(const ProtoReader& r);
  Status Sample(const ProtoReader& r);
  Status Mapping(const ProtoReader& r);
  Status Location(const ProtoReader& r);
  Status Function(const ProtoReader& r);
  Status PeriodType(const ProtoReader& r);
  Status Comment(const ProtoReader& r);
  // strings_[index]; "" and the first error kept when out of range.
  std::string Str(uint64_t index, const char* what);

  // Charges the estimated memory of what was just decoded; an error once the
  // profile passes the limit.
  Status Charge(size_t bytes);

  size_t max_decoded_bytes_;
  size_t decoded_bytes_ = 0;
  Profile p_;
  std::vector<std::string> strings_;
  std::vector<ValueTypeRef> type_refs_;  // one per sample type
  ValueTypeRef period_ref_;
  std::vector<LabelRef> label_refs_;
  std::vector<MappingRef> mapping_refs_;    // one per mapping
  std::vector<FunctionRef> function_refs_;  // one per function
  std::vector<uint64_t> comments_;
  uint64_t default_type_ = 0;
  Status bad_string_;
};

Status ProfileDecoder::Field(const ProtoReader& r) {
  switch (r.field()) {
    case 1:
      return SampleType(r);
    case 2:
      return Sample(r);
    case 3:
      return Mapping(r);
    case 4:
      return Location(r);
    case 5:
      return Function(r);
    case 6:
      if (r.type() != WireType::kLen) return Malformed("string_table", r);
      strings_.emplace_back(r.bytes());
      return Charge(sizeof(std::string) + strings_.back().size());
    case 9:
      p_.time_nanos = static_cast<int64_t>(r.varint());
      return Status::Ok();
    case 10:
      p_.duration_nanos = static_cast<int64_t>(r.varint());
      return Status::Ok();
    case 11:
      return PeriodType(r);
    case 12:
      p_.period = static_cast<int64_t>(r.varint());
      return Status::Ok();
    case 13:
      return Comment(r);
    case 14:
      default_type_ = r.varint();
      return Status::Ok();
    default:
      return Status::Ok();  // drop_frames, keep_frames and unknown fields
  }
}

Status ProfileDecoder::SampleType(const ProtoReader& r) {
  if (r.type() != WireType::kLen) return Malformed("sample_type", r);
  ValueTypeRef ref;
  TAI_RETURN_IF_ERROR(DecodeValueType(r.bytes(), "sample_type", &ref));
  type_refs_.push_back(ref);
  p_.sample_types.emplace_back();
  return Charge(sizeof(ValueType) + sizeof(ref));
}

Status ProfileDecoder::Sample(const ProtoReader& r) {
  if (r.type() != WireType::kLen) return Malformed("sample", r);
  ProfileSample s;
  TAI_RETURN_IF_ERROR(DecodeSample(r.bytes(), p_.samples.size(), &s, &label_refs_));
  const size_t bytes = sizeof(ProfileSample) + sizeof(uint64_t) * s.location_ids.size() +
                       sizeof(int64_t) * s.values.size() +
                       (sizeof(ProfileLabel) + sizeof(LabelRef)) * s.labels.size();
  p_.samples.push_back(std::move(s));
  return Charge(bytes);
}

Status ProfileDecoder::Mapping(const ProtoReader& r) {
  if (r.type() != WireType::kLen) return Malformed("mapping", r);
  ProfileMapping m;
  MappingRef ref;
  TAI_RETURN_IF_ERROR(DecodeMapping(r.bytes(), &m, &ref));
  mapping_refs_.push_back(ref);
  p_.mappings.push_back(std::move(m));
  return Charge(sizeof(ProfileMapping) + sizeof(ref));
}

Status ProfileDecoder::Location(const ProtoReader& r) {
  if (r.type() != WireType::kLen) return Malformed("location", r);
  ProfileLocation l;
  TAI_RETURN_IF_ERROR(DecodeLocation(r.bytes(), &l));
  const size_t bytes = sizeof(ProfileLocation) + sizeof(ProfileLine) * l.lines.size();
  p_.locations.push_back(std::move(l));
  return Charge(bytes);
}

Status ProfileDecoder::Function(const ProtoReader& r) {
  if (r.type() != WireType::kLen) return Malformed("function", r);
  ProfileFunction f;
  FunctionRef ref;
  TAI_RETURN_IF_ERROR(DecodeFunction(r.bytes(), &f, &ref));
  function_refs_.push_back(ref);
  p_.functions.push_back(std::move(f));
  return Charge(sizeof(ProfileFunction) + sizeof(ref));
}

Status ProfileDecoder::PeriodType(const ProtoReader& r) {
  if (r.type() != WireType::kLen) return Malformed("period_type", r);
  return DecodeValueType(r.bytes(), "period_type", &period_ref_);
}

Status ProfileDecoder::Comment(const ProtoReader& r) {
  const size_t before = comments_.size();
  if (!r.AppendUints(&comments_)) return Malformed("comment", r);
  return Charge((comments_.size() - before) * (sizeof(uint64_t) + sizeof(std::string)));
}

Status ProfileDecoder::Charge(size_t bytes) {
  decoded_bytes_ += bytes;
  if (decoded_bytes_ <= max_decoded_bytes_) return Status::Ok();
  return ResourceExhaustedError(
      "pprof: the decoded profile would take more than " +
      std::to_string(max_decoded_bytes_ >> 20) + " MiB (PprofLimits::max_decoded_bytes) at " +
      std::to_string(p_.samples.size()) + " samples, " + std::to_string(p_.locations.size()) +
      " locations, " + std::to_string(p_.functions.size()) + " functions and " +
      std::to_string(strings_.size()) + " strings");
}

std::string ProfileDecoder::Str(uint64_t index, const char* what) {
  if (index < strings_.size()) return strings_[index];
  if (bad_string_.ok()) {
    bad_string_ =
        InvalidArgumentError(std::string("pprof: ") + what + " refers to string " +
                             std::to_string(index) + " of " + std::to_string(strings_.size()));
  }
  return "";
}

Result<Profile> ProfileDecoder::Finish() {
  if (strings_.empty() || !strings_[0].empty()) {
    return InvalidArgumentError("pprof: the string table must start with \"\"");
  }
  for (size_t i = 0; i < type_refs_.size(); ++i) {
    p_.sample_types[i].type = Str(type_refs_[i].type, "sample_type");
    p_.sample_types[i].unit = Str(type_refs_[i].unit, "sample_type");
  }
  p_.period_type.type = Str(period_ref_.type, "period_type");
  p_.period_type.unit = Str(period_ref_.unit, "period_type");
  for (const LabelRef& ref : label_refs_) {
    ProfileLabel& l = p_.samples[ref.sample].labels[ref.label];
    l.key = Str(ref.key, "label.key");
    l.str = Str(ref.str, "label.str");
    l.num_unit = Str(ref.num_unit, "label.num_unit");
  }
  for (size_t i = 0; i < mapping_refs_.size(); ++i) {
    p_.mappings[i].filename = Str(mapping_refs_[i].filename, "mapping.filename");
    p_.mappings[i].build_id = Str(mapping_refs_[i].build_id, "mapping.build_id");
  }
  for (size_t i = 0; i < function_refs_.size(); ++i) {
    p_.functions[i].name = Str(function_refs_[i].name, "function.name");
    p_.functions[i].system_name = Str(function_refs_[i].system_name, "function.system_name");
    p_.functions[i].filename = Str(function_refs_[i].filename, "function.filename");
  }
  for (uint64_t c : comments_) p_.comments.push_back(Str(c, "comment"));
  if (default_type_ != 0) p_.default_sample_type = Str(default_type_, "default_sample_type");
  if (!bad_string_.ok()) return bad_string_;
  return std::move(p_);
}

}  // namespace

Result<Profile> DecodePprof(std::string_view data, const PprofLimits& limits) {
  std::string inflated;
  if (data.size() >= 2 && static_cast<uint8_t>(data[0]) == 0x1f &&
      static_cast<uint8_t>(data[1]) == 0x8b) {
    TAI_ASSIGN_OR_RETURN_WITH_CONTEXT(
        inflated, internal::GzipDecompress(data, limits.max_inflated_bytes), "pprof");
    data = inflated;
  } else if (data.size() > limits.max_inflated_bytes) {
    return ResourceExhaustedError("pprof: the message is " + std::to_string(data.size() >> 20) +
                                  " MiB, above PprofLimits::max_inflated_bytes (" +
                                  std::to_string(limits.max_inflated_bytes >> 20) + " MiB)");
  }
  ProfileDecoder decoder(limits.max_decoded_bytes);
  ProtoReader r(data);
  while (r.Next()) TAI_RETURN_IF_ERROR(decoder.Field(r));
  if (r.error()) return Malformed("profile", r);
  return decoder.Finish();
}

Status WritePprofFile(const Profile& profile, const std::string& path) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) return UnavailableError("cannot open '" + path + "' for writing");
  std::string bytes = EncodePprof(profile);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  f.close();
  if (!f) return UnavailableError("cannot write '" + path + "'");
  return Status::Ok();
}

Result<Profile> ReadPprofFile(const std::string& path, const PprofLimits& limits) {
  TAI_ASSIGN_OR_RETURN(std::string bytes, internal::ReadRegularFile(path, limits.max_file_bytes,
                                                                    "PprofLimits::max_file_bytes"));
  TAI_ASSIGN_OR_RETURN_WITH_CONTEXT(Profile p, DecodePprof(bytes, limits), path);
  return p;
}

}  // namespace tai
