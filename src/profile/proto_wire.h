// Internal: the protobuf wire format, by hand: enough to write and read
// profile.proto (varints, length-delimited fields, packed repeated numbers).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tai::internal {

enum class WireType : uint8_t { kVarint = 0, kFixed64 = 1, kLen = 2, kFixed32 = 5 };

class ProtoWriter {
 public:
  // Fields equal to their default (0, "", false) are left out, as proto3 does.
  void Uint(int field, uint64_t v);
  void Int(int field, int64_t v) { Uint(field, static_cast<uint64_t>(v)); }
  void Bool(int field, bool v) { Uint(field, v ? 1 : 0); }
  void Bytes(int field, std::string_view bytes);
  // Always written, even when empty (a string table's first entry is "").
  void BytesAlways(int field, std::string_view bytes);
  void PackedUint(int field, const std::vector<uint64_t>& values);
  void PackedInt(int field, const std::vector<int64_t>& values);
  std::string& out() { return out_; }

 private:
  void Tag(int field, WireType type);
  void Varint(uint64_t v);
  std::string out_;
};

// Reads fields one by one. After Next() returns true, field() and type()
// describe the field and exactly one of varint()/bytes() is meaningful.
class ProtoReader {
 public:
  explicit ProtoReader(std::string_view data) : data_(data) {}
  // False at the end or on malformed input (then error() is set).
  bool Next();
  int field() const { return field_; }
  WireType type() const { return type_; }
  uint64_t varint() const { return varint_; }
  std::string_view bytes() const { return bytes_; }
  const char* error() const { return error_; }
  // Appends the numbers of a repeated field, packed or not.
  bool AppendUints(std::vector<uint64_t>* out) const;

 private:
  bool ReadVarint(uint64_t* v);
  std::string_view data_;
  size_t pos_ = 0;
  int field_ = 0;
  WireType type_ = WireType::kVarint;
  uint64_t varint_ = 0;
  std::string_view bytes_;
  const char* error_ = nullptr;
};

}  // namespace tai::internal
