#include "profile/proto_wire.h"

namespace tai::internal {

void ProtoWriter::Varint(uint64_t v) {
  while (v >= 0x80) {
    out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out_.push_back(static_cast<char>(v));
}

void ProtoWriter::Tag(int field, WireType type) {
  Varint((static_cast<uint64_t>(field) << 3) | static_cast<uint64_t>(type));
}

void ProtoWriter::Uint(int field, uint64_t v) {
  if (v == 0) return;
  Tag(field, WireType::kVarint);
  Varint(v);
}

void ProtoWriter::Bytes(int field, std::string_view bytes) {
  if (!bytes.empty()) BytesAlways(field, bytes);
}

void ProtoWriter::BytesAlways(int field, std::string_view bytes) {
  Tag(field, WireType::kLen);
  Varint(bytes.size());
  out_.append(bytes);
}

void ProtoWriter::PackedUint(int field, const std::vector<uint64_t>& values) {
  if (values.empty()) return;
  ProtoWriter inner;
  for (uint64_t v : values) inner.Varint(v);
  BytesAlways(field, inner.out_);
}

void ProtoWriter::PackedInt(int field, const std::vector<int64_t>& values) {
  if (values.empty()) return;
  ProtoWriter inner;
  for (int64_t v : values) inner.Varint(static_cast<uint64_t>(v));
  BytesAlways(field, inner.out_);
}

bool ProtoReader::ReadVarint(uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos_ >= data_.size()) {
      error_ = "truncated varint";
      return false;
    }
    uint8_t b = static_cast<uint8_t>(data_[pos_++]);
    result |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      *v = result;
      return true;
    }
  }
  error_ = "varint longer than 10 bytes";
  return false;
}

bool ProtoReader::Next() {
  if (pos_ >= data_.size() || error_) return false;
  uint64_t tag;
  if (!ReadVarint(&tag)) return false;
  field_ = static_cast<int>(tag >> 3);
  type_ = static_cast<WireType>(tag & 7);
  if (field_ == 0) {
    error_ = "field number 0";
    return false;
  }
  switch (type_) {
    case WireType::kVarint:
      return ReadVarint(&varint_);
    case WireType::kFixed64:
    case WireType::kFixed32: {
      size_t n = type_ == WireType::kFixed64 ? 8 : 4;
      if (data_.size() - pos_ < n) {
        error_ = "truncated fixed-width field";
        return false;
      }
      varint_ = 0;
      for (size_t i = 0; i < n; ++i) {
        varint_ |= static_cast<uint64_t>(static_cast<uint8_t>(data_[pos_ + i])) << (8 * i);
      }
      pos_ += n;
      return true;
    }
    case WireType::kLen: {
      uint64_t len;
      if (!ReadVarint(&len)) return false;
      if (len > data_.size() - pos_) {
        error_ = "length-delimited field runs past the end";
        return false;
      }
      bytes_ = data_.substr(pos_, len);
      pos_ += len;
      return true;
    }
  }
  error_ = "unsupported wire type";
  return false;
}

bool ProtoReader::AppendUints(std::vector<uint64_t>* out) const {
  if (type_ == WireType::kVarint) {
    out->push_back(varint_);
    return true;
  }
  if (type_ != WireType::kLen) return false;
  ProtoReader packed(bytes_);
  while (packed.pos_ < packed.data_.size()) {
    uint64_t v;
    if (!packed.ReadVarint(&v)) return false;
    out->push_back(v);
  }
  return true;
}

}  // namespace tai::internal
