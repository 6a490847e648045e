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
#include <sstream>
#include <unordered_map>

#include "core/gzip.h"
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

std::string EncodeValueType(const ValueType& vt, StringTable& st) {
  ProtoWriter w;
  w.Int(1, st.Index(vt.type));
  w.Int(2, st.Index(vt.unit));
  return std::move(w.out());
}

}  // namespace

std::string EncodePprofProto(const Profile& p) {
  StringTable st;
  ProtoWriter w;
  for (const ValueType& vt : p.sample_types) w.BytesAlways(1, EncodeValueType(vt, st));
  for (const ProfileSample& s : p.samples) {
    ProtoWriter sw;
    sw.PackedUint(1, s.location_ids);
    sw.PackedInt(2, s.values);
    for (const ProfileLabel& l : s.labels) {
      ProtoWriter lw;
      lw.Int(1, st.Index(l.key));
      lw.Int(2, l.str.empty() ? 0 : st.Index(l.str));
      lw.Int(3, l.num);
      lw.Int(4, l.num_unit.empty() ? 0 : st.Index(l.num_unit));
      sw.BytesAlways(3, lw.out());
    }
    w.BytesAlways(2, sw.out());
  }
  for (const ProfileMapping& m : p.mappings) {
    ProtoWriter mw;
    mw.Uint(1, m.id);
    mw.Uint(2, m.memory_start);
    mw.Uint(3, m.memory_limit);
    mw.Uint(4, m.file_offset);
    mw.Int(5, st.Index(m.filename));
    mw.Int(6, st.Index(m.build_id));
    mw.Bool(7, m.has_functions);
    mw.Bool(8, m.has_filenames);
    mw.Bool(9, m.has_line_numbers);
    w.BytesAlways(3, mw.out());
  }
  for (const ProfileLocation& l : p.locations) {
    ProtoWriter lw;
    lw.Uint(1, l.id);
    lw.Uint(2, l.mapping_id);
    lw.Uint(3, l.address);
    for (const ProfileLine& line : l.lines) {
      ProtoWriter linew;
      linew.Uint(1, line.function_id);
      linew.Int(2, line.line);
      lw.BytesAlways(4, linew.out());
    }
    w.BytesAlways(4, lw.out());
  }
  for (const ProfileFunction& f : p.functions) {
    ProtoWriter fw;
    fw.Uint(1, f.id);
    fw.Int(2, st.Index(f.name));
    fw.Int(3, st.Index(f.system_name));
    fw.Int(4, st.Index(f.filename));
    fw.Int(5, f.start_line);
    w.BytesAlways(5, fw.out());
  }
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
  for (int64_t c : comments) w.Int(13, c);
  w.Int(14, default_type);
  return std::move(w.out());
}

std::string EncodePprof(const Profile& profile) {
  return internal::GzipCompress(EncodePprofProto(profile));
}

namespace {

Status Malformed(const char* what, const ProtoReader& r) {
  return InvalidArgumentError(std::string("pprof: malformed ") + what + ": " +
                              (r.error() ? r.error() : "unexpected wire type"));
}

// A ValueType's (type, unit) string indices.
bool DecodeValueType(std::string_view bytes, std::pair<uint64_t, uint64_t>* ref) {
  ProtoReader r(bytes);
  while (r.Next()) {
    if (r.type() != WireType::kVarint) continue;
    if (r.field() == 1) ref->first = r.varint();
    if (r.field() == 2) ref->second = r.varint();
  }
  return r.error() == nullptr;
}

}  // namespace

Result<Profile> DecodePprof(std::string_view data) {
  std::string inflated;
  if (data.size() >= 2 && static_cast<uint8_t>(data[0]) == 0x1f &&
      static_cast<uint8_t>(data[1]) == 0x8b) {
    TAI_ASSIGN_OR_RETURN_WITH_CONTEXT(inflated, internal::GzipDecompress(data), "pprof");
    data = inflated;
  }
  Profile p;
  std::vector<std::string> strings;
  std::vector<int64_t> comment_indices;
  uint64_t default_type = 0;
  // The string table may come anywhere in the message, so string indices are
  // collected first and resolved at the end.
  struct LabelRef {
    size_t sample, label;
    uint64_t key, str, num_unit;
  };
  std::vector<LabelRef> label_refs;
  struct FnRef {
    uint64_t name, system_name, filename;
  };
  std::vector<FnRef> fn_refs;
  struct MapRef {
    uint64_t filename, build_id;
  };
  std::vector<MapRef> map_refs;
  std::vector<std::pair<uint64_t, uint64_t>> type_refs;  // per sample type
  std::pair<uint64_t, uint64_t> period_ref{0, 0};

  ProtoReader r(data);
  while (r.Next()) {
    const bool len = r.type() == WireType::kLen;
    switch (r.field()) {
      case 1: {
        if (!len) return Malformed("sample_type", r);
        std::pair<uint64_t, uint64_t> ref{0, 0};
        if (!DecodeValueType(r.bytes(), &ref)) return Malformed("sample_type", r);
        type_refs.push_back(ref);
        p.sample_types.emplace_back();
        break;
      }
      case 2: {
        if (!len) return Malformed("sample", r);
        ProfileSample s;
        ProtoReader sr(r.bytes());
        std::vector<uint64_t> values;
        while (sr.Next()) {
          if (sr.field() == 1) {
            if (!sr.AppendUints(&s.location_ids)) return Malformed("sample.location_id", sr);
          } else if (sr.field() == 2) {
            if (!sr.AppendUints(&values)) return Malformed("sample.value", sr);
          } else if (sr.field() == 3 && sr.type() == WireType::kLen) {
            ProtoReader lr(sr.bytes());
            LabelRef ref{p.samples.size(), s.labels.size(), 0, 0, 0};
            ProfileLabel label;
            while (lr.Next()) {
              if (lr.type() != WireType::kVarint) continue;
              if (lr.field() == 1) ref.key = lr.varint();
              if (lr.field() == 2) ref.str = lr.varint();
              if (lr.field() == 3) label.num = static_cast<int64_t>(lr.varint());
              if (lr.field() == 4) ref.num_unit = lr.varint();
            }
            if (lr.error()) return Malformed("sample.label", lr);
            label_refs.push_back(ref);
            s.labels.push_back(std::move(label));
          }
        }
        if (sr.error()) return Malformed("sample", sr);
        for (uint64_t v : values) s.values.push_back(static_cast<int64_t>(v));
        p.samples.push_back(std::move(s));
        break;
      }
      case 3: {
        if (!len) return Malformed("mapping", r);
        ProfileMapping m;
        MapRef ref{0, 0};
        ProtoReader mr(r.bytes());
        while (mr.Next()) {
          if (mr.type() != WireType::kVarint) continue;
          uint64_t v = mr.varint();
          switch (mr.field()) {
            case 1:
              m.id = v;
              break;
            case 2:
              m.memory_start = v;
              break;
            case 3:
              m.memory_limit = v;
              break;
            case 4:
              m.file_offset = v;
              break;
            case 5:
              ref.filename = v;
              break;
            case 6:
              ref.build_id = v;
              break;
            case 7:
              m.has_functions = v != 0;
              break;
            case 8:
              m.has_filenames = v != 0;
              break;
            case 9:
              m.has_line_numbers = v != 0;
              break;
            default:
              break;
          }
        }
        if (mr.error()) return Malformed("mapping", mr);
        map_refs.push_back(ref);
        p.mappings.push_back(std::move(m));
        break;
      }
      case 4: {
        if (!len) return Malformed("location", r);
        ProfileLocation l;
        ProtoReader lr(r.bytes());
        while (lr.Next()) {
          if (lr.field() == 4 && lr.type() == WireType::kLen) {
            ProfileLine line;
            ProtoReader liner(lr.bytes());
            while (liner.Next()) {
              if (liner.type() != WireType::kVarint) continue;
              if (liner.field() == 1) line.function_id = liner.varint();
              if (liner.field() == 2) line.line = static_cast<int64_t>(liner.varint());
            }
            if (liner.error()) return Malformed("location.line", liner);
            l.lines.push_back(line);
          } else if (lr.type() == WireType::kVarint) {
            if (lr.field() == 1) l.id = lr.varint();
            if (lr.field() == 2) l.mapping_id = lr.varint();
            if (lr.field() == 3) l.address = lr.varint();
          }
        }
        if (lr.error()) return Malformed("location", lr);
        p.locations.push_back(std::move(l));
        break;
      }
      case 5: {
        if (!len) return Malformed("function", r);
        ProfileFunction f;
        FnRef ref{0, 0, 0};
        ProtoReader fr(r.bytes());
        while (fr.Next()) {
          if (fr.type() != WireType::kVarint) continue;
          switch (fr.field()) {
            case 1:
              f.id = fr.varint();
              break;
            case 2:
              ref.name = fr.varint();
              break;
            case 3:
              ref.system_name = fr.varint();
              break;
            case 4:
              ref.filename = fr.varint();
              break;
            case 5:
              f.start_line = static_cast<int64_t>(fr.varint());
              break;
            default:
              break;
          }
        }
        if (fr.error()) return Malformed("function", fr);
        fn_refs.push_back(ref);
        p.functions.push_back(std::move(f));
        break;
      }
      case 6:
        if (!len) return Malformed("string_table", r);
        strings.emplace_back(r.bytes());
        break;
      case 9:
        p.time_nanos = static_cast<int64_t>(r.varint());
        break;
      case 10:
        p.duration_nanos = static_cast<int64_t>(r.varint());
        break;
      case 11: {
        if (!len) return Malformed("period_type", r);
        if (!DecodeValueType(r.bytes(), &period_ref)) return Malformed("period_type", r);
        break;
      }
      case 12:
        p.period = static_cast<int64_t>(r.varint());
        break;
      case 13: {
        std::vector<uint64_t> c;
        if (!r.AppendUints(&c)) return Malformed("comment", r);
        for (uint64_t v : c) comment_indices.push_back(static_cast<int64_t>(v));
        break;
      }
      case 14:
        default_type = r.varint();
        break;
      default:
        break;  // drop_frames, keep_frames and unknown fields
    }
  }
  if (r.error()) return Malformed("profile", r);
  if (strings.empty() || !strings[0].empty()) {
    return InvalidArgumentError("pprof: the string table must start with \"\"");
  }
  Status bad;
  auto str = [&](uint64_t idx, const char* what) -> std::string {
    if (idx >= strings.size()) {
      if (bad.ok()) {
        bad = InvalidArgumentError(std::string("pprof: ") + what + " refers to string " +
                                   std::to_string(idx) + " of " + std::to_string(strings.size()));
      }
      return "";
    }
    return strings[idx];
  };
  for (size_t i = 0; i < type_refs.size(); ++i) {
    p.sample_types[i].type = str(type_refs[i].first, "sample_type");
    p.sample_types[i].unit = str(type_refs[i].second, "sample_type");
  }
  p.period_type.type = str(period_ref.first, "period_type");
  p.period_type.unit = str(period_ref.second, "period_type");
  for (const LabelRef& ref : label_refs) {
    ProfileLabel& l = p.samples[ref.sample].labels[ref.label];
    l.key = str(ref.key, "label.key");
    l.str = str(ref.str, "label.str");
    l.num_unit = str(ref.num_unit, "label.num_unit");
  }
  for (size_t i = 0; i < map_refs.size(); ++i) {
    p.mappings[i].filename = str(map_refs[i].filename, "mapping.filename");
    p.mappings[i].build_id = str(map_refs[i].build_id, "mapping.build_id");
  }
  for (size_t i = 0; i < fn_refs.size(); ++i) {
    p.functions[i].name = str(fn_refs[i].name, "function.name");
    p.functions[i].system_name = str(fn_refs[i].system_name, "function.system_name");
    p.functions[i].filename = str(fn_refs[i].filename, "function.filename");
  }
  for (int64_t c : comment_indices) p.comments.push_back(str(static_cast<uint64_t>(c), "comment"));
  if (default_type != 0) p.default_sample_type = str(default_type, "default_sample_type");
  if (!bad.ok()) return bad;
  return p;
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

Result<Profile> ReadPprofFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return NotFoundError("cannot open '" + path + "'");
  std::ostringstream ss;
  ss << f.rdbuf();
  TAI_ASSIGN_OR_RETURN_WITH_CONTEXT(Profile p, DecodePprof(ss.str()), path);
  return p;
}

}  // namespace tai
