#include "tests/gcp_emulator/proto_json_validator.h"

#include <google/protobuf/compiler/importer.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/util/json_util.h>

#include <algorithm>

namespace tai::testing {

namespace pb = google::protobuf;

namespace {

class CollectErrors : public pb::compiler::MultiFileErrorCollector {
 public:
  void AddError(const std::string& file, int line, int column,
                const std::string& message) override {
    if (!errors.empty()) errors += "; ";
    errors +=
        file + ":" + std::to_string(line + 1) + ":" + std::to_string(column + 1) + ": " + message;
  }
  std::string errors;
};

}  // namespace

struct ProtoJsonValidator::Impl {
  pb::compiler::DiskSourceTree tree;
  CollectErrors errors;
  std::unique_ptr<pb::compiler::Importer> importer;
  pb::DynamicMessageFactory factory;
};

ProtoJsonValidator::ProtoJsonValidator() : impl_(std::make_unique<Impl>()) {}
ProtoJsonValidator::~ProtoJsonValidator() = default;

Result<std::unique_ptr<ProtoJsonValidator>> ProtoJsonValidator::Load(
    const std::string& proto_root, const std::vector<std::string>& proto_files) {
  std::unique_ptr<ProtoJsonValidator> v(new ProtoJsonValidator());
  // The well-known types from the libprotobuf we link (the npm copies may be
  // newer than this parser reads); everything else from Google's set.
  v->impl_->tree.MapPath("google/protobuf", "/usr/include/google/protobuf");
  v->impl_->tree.MapPath("", proto_root);
  v->impl_->importer = std::make_unique<pb::compiler::Importer>(&v->impl_->tree, &v->impl_->errors);
  for (const std::string& file : proto_files) {
    if (!v->impl_->importer->Import(file)) {
      return FailedPreconditionError("cannot import " + file + " from " + proto_root + ": " +
                                     v->impl_->errors.errors);
    }
  }
  return v;
}

Status ProtoJsonValidator::Check(std::string_view message_type, std::string_view json) const {
  const pb::Descriptor* descriptor =
      impl_->importer->pool()->FindMessageTypeByName(std::string(message_type));
  if (!descriptor) return NotFoundError("no message type " + std::string(message_type));
  std::unique_ptr<pb::Message> message(impl_->factory.GetPrototype(descriptor)->New());
  pb::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto status = pb::util::JsonStringToMessage(std::string(json), message.get(), options);
  if (!status.ok()) {
    return InvalidArgumentError(std::string(message_type) + ": " + std::string(status.message()));
  }
  return Status::Ok();
}

Status ProtoJsonValidator::CheckFieldMask(std::string_view message_type,
                                          std::string_view mask) const {
  const pb::Descriptor* top =
      impl_->importer->pool()->FindMessageTypeByName(std::string(message_type));
  if (!top) return NotFoundError("no message type " + std::string(message_type));
  if (mask.empty()) return InvalidArgumentError("the update mask is empty");
  size_t start = 0;
  while (start <= mask.size()) {
    const size_t end = std::min(mask.find(',', start), mask.size());
    const std::string path(mask.substr(start, end - start));
    const pb::Descriptor* d = top;
    size_t at = 0;
    while (true) {
      const size_t dot = std::min(path.find('.', at), path.size());
      const std::string part = path.substr(at, dot - at);
      const pb::FieldDescriptor* f = d ? d->FindFieldByName(part) : nullptr;
      if (d && !f) f = d->FindFieldByCamelcaseName(part);
      if (!f) {
        return InvalidArgumentError("update mask: '" + path + "' is not a field of " +
                                    std::string(message_type));
      }
      if (dot == path.size()) break;
      d = f->message_type();
      at = dot + 1;
    }
    start = end + 1;
  }
  return Status::Ok();
}

std::string GoogleProtoRoot() { return TAI_SOURCE_DIR "/node_modules/google-proto-files"; }

}  // namespace tai::testing
