// Reading PyTorch .pth files: the zip container through LibTorch's PyTorchStreamReader, the
// legacy stream format by hand, both through kdad's unpickler.
#include "methods/common/state_dict.h"

#include "core/error.h"
#include "methods/common/unpickler.h"

#include <caffe2/serialize/inline_container.h>
#include <fmt/format.h>
#include <torch/nn/module.h>

#include <cstring>
#include <fstream>
#include <map>
#include <set>

namespace kdad::methods {
namespace fs = std::filesystem;
namespace {

struct Storage {
  std::string key;
  torch::Dtype dtype = torch::kFloat;
  std::int64_t numel = 0;
  torch::Tensor data;  // 1-D, filled once the bytes are known
};

struct TensorSpec {
  std::shared_ptr<Storage> storage;
  std::int64_t offset = 0;
  std::vector<std::int64_t> size;
  std::vector<std::int64_t> stride;
};

torch::Dtype storage_dtype(const std::string& name, const std::string& source) {
  static const std::map<std::string, torch::Dtype> kTypes = {
      {"FloatStorage", torch::kFloat},   {"DoubleStorage", torch::kDouble}, {"HalfStorage", torch::kHalf},
      {"BFloat16Storage", torch::kBFloat16}, {"LongStorage", torch::kLong}, {"IntStorage", torch::kInt},
      {"ShortStorage", torch::kShort},   {"CharStorage", torch::kChar},     {"ByteStorage", torch::kByte},
      {"BoolStorage", torch::kBool}};
  const auto found = kTypes.find(name);
  if (found == kTypes.end()) throw DataError(source, fmt::format("unsupported storage type {}", name));
  return found->second;
}

std::vector<std::int64_t> int_list(const PickleRef& value, const std::string& source) {
  std::vector<std::int64_t> out;
  for (const auto& item : pickle_sequence(value, source)) out.push_back(pickle_int(item, source));
  return out;
}

// Hooks shared by both formats: storages become Storage records, tensors become TensorSpecs.
struct Resolver {
  std::string source;
  std::map<std::string, std::shared_ptr<Storage>> storages;

  PickleHooks hooks() {
    PickleHooks h;
    h.persistent_load = [this](const PickleRef& id) {
      const auto& parts = pickle_sequence(id, source);
      if (parts.size() < 5 || pickle_string(parts[0], source) != "storage") {
        throw DataError(source, "unexpected persistent id (not a storage)");
      }
      const auto* type = std::get_if<PickleGlobal>(&parts[1]->value);
      if (!type) throw DataError(source, "storage type is not a global");
      const std::string key = pickle_string(parts[2], source);
      auto& storage = storages[key];
      if (!storage) {
        storage = std::make_shared<Storage>();
        storage->key = key;
        storage->dtype = storage_dtype(type->name, source);
        storage->numel = pickle_int(parts[4], source);
      }
      auto ref = std::make_shared<PickleValue>();
      ref->value = PickleOpaque{storage, "storage"};
      return ref;
    };
    h.reduce = [this](const PickleGlobal& callable, const std::vector<PickleRef>& args) -> PickleRef {
      if (callable.module != "torch._utils") return nullptr;
      if (callable.name == "_rebuild_parameter" && !args.empty()) return args[0];
      if (callable.name != "_rebuild_tensor_v2" && callable.name != "_rebuild_tensor") return nullptr;
      if (args.size() < 4) throw DataError(source, "malformed _rebuild_tensor call");
      const auto* storage = std::get_if<PickleOpaque>(&args[0]->value);
      if (!storage || storage->kind != "storage") throw DataError(source, "tensor without a storage");
      auto spec = std::make_shared<TensorSpec>();
      spec->storage = std::static_pointer_cast<Storage>(storage->object);
      spec->offset = pickle_int(args[1], source);
      spec->size = int_list(args[2], source);
      spec->stride = int_list(args[3], source);
      auto ref = std::make_shared<PickleValue>();
      ref->value = PickleOpaque{spec, "tensor"};
      return ref;
    };
    return h;
  }
};

void flatten(const PickleRef& value, const std::string& prefix, const std::string& source,
             std::vector<std::pair<std::string, std::shared_ptr<TensorSpec>>>& out) {
  const auto* items = pickle_dict(value);
  if (!items) throw DataError(source, "the file does not hold a state dict (a dict of tensors)");
  for (const auto& [key, item] : *items) {
    const std::string name = prefix + pickle_string(key, source);
    if (const auto* opaque = std::get_if<PickleOpaque>(&item->value); opaque && opaque->kind == "tensor") {
      out.emplace_back(name, std::static_pointer_cast<TensorSpec>(opaque->object));
    } else if (pickle_dict(item)) {
      flatten(item, name + ".", source, out);
    }  // numbers, strings (epochs, versions) are not tensors: skipped
  }
}

PickleRef unwrap(const PickleRef& root, const std::string& source) {
  if (const auto* items = pickle_dict(root)) {
    for (const auto& [key, value] : *items) {
      if (std::get_if<std::string>(&key->value) && pickle_string(key, source) == "state_dict" && pickle_dict(value)) return value;
    }
  }
  return root;
}

std::size_t element_size(torch::Dtype dtype) { return torch::elementSize(dtype); }

StateDict materialise(const PickleRef& root, const std::string& source) {
  std::vector<std::pair<std::string, std::shared_ptr<TensorSpec>>> specs;
  flatten(unwrap(root, source), "", source, specs);
  StateDict state;
  for (const auto& [name, spec] : specs) {
    if (!spec->storage->data.defined()) throw DataError(source, fmt::format("no data for storage {} of {}", spec->storage->key, name));
    state.emplace_back(name, spec->storage->data.as_strided(spec->size, spec->stride, spec->offset).clone());
  }
  return state;
}

StateDict read_zip(const fs::path& file) {
  const std::string source = file.string();
  std::unique_ptr<caffe2::serialize::PyTorchStreamReader> reader;
  try {
    reader = std::make_unique<caffe2::serialize::PyTorchStreamReader>(source);
  } catch (const std::exception& e) {
    throw DataError(source, fmt::format("not a readable PyTorch zip archive: {}", e.what()));
  }
  Resolver resolver{source, {}};
  auto [pickle, pickle_size] = reader->getRecord("data.pkl");
  const PickleRef root = unpickle(static_cast<const std::uint8_t*>(pickle.get()), pickle_size, resolver.hooks(), source);
  for (auto& [key, storage] : resolver.storages) {
    auto [data, bytes] = reader->getRecord("data/" + key);
    if (bytes != static_cast<std::size_t>(storage->numel) * element_size(storage->dtype)) {
      throw DataError(source, fmt::format("storage {} has {} bytes, expected {}", key, bytes, storage->numel * static_cast<std::int64_t>(element_size(storage->dtype))));
    }
    storage->data = torch::empty({storage->numel}, torch::TensorOptions().dtype(storage->dtype));
    std::memcpy(storage->data.data_ptr(), data.get(), bytes);
  }
  return materialise(root, source);
}

// Legacy format: magic, protocol, sys info, the object, the storage keys (pickles), then for each
// key an int64 element count followed by the raw elements.
StateDict read_legacy(const std::vector<std::uint8_t>& bytes, const std::string& source) {
  Resolver resolver{source, {}};
  std::size_t position = 0;
  auto next = [&](const PickleHooks& hooks) {
    std::size_t used = 0;
    PickleRef value = unpickle(bytes.data() + position, bytes.size() - position, hooks, source, &used);
    position += used;
    return value;
  };
  const PickleRef magic = next({});
  static const std::string kMagic("\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19", 10);
  const auto* magic_bytes = std::get_if<std::string>(&magic->value);
  if (!magic_bytes || *magic_bytes != kMagic) throw DataError(source, "not a PyTorch file (bad magic number)");
  if (pickle_int(next({}), source) != 1001) throw DataError(source, "unsupported legacy protocol version");
  next({});  // sys info
  const PickleRef root = next(resolver.hooks());
  const PickleRef keys = next({});
  for (const auto& key_ref : pickle_sequence(keys, source)) {
    const std::string key = pickle_string(key_ref, source);
    const auto found = resolver.storages.find(key);
    if (position + 8 > bytes.size()) throw DataError(source, "truncated storage data");
    std::int64_t numel = 0;
    std::memcpy(&numel, bytes.data() + position, 8);
    position += 8;
    if (found == resolver.storages.end()) throw DataError(source, fmt::format("storage {} is not referenced", key));
    const std::size_t size = static_cast<std::size_t>(numel) * element_size(found->second->dtype);
    if (position + size > bytes.size()) throw DataError(source, "truncated storage data");
    found->second->data = torch::empty({numel}, torch::TensorOptions().dtype(found->second->dtype));
    std::memcpy(found->second->data.data_ptr(), bytes.data() + position, size);
    position += size;
  }
  return materialise(root, source);
}

}  // namespace

StateDict read_state_dict(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw DataError(file.string(), "weights file not found or unreadable");
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() >= 4 && bytes[0] == 'P' && bytes[1] == 'K' && bytes[2] == 3 && bytes[3] == 4) {
    bytes.clear();
    bytes.shrink_to_fit();
    return read_zip(file);
  }
  return read_legacy(bytes, file.string());
}

void load_into(torch::nn::Module& module, const StateDict& state, const std::string& source,
               const std::vector<std::string>& ignore_prefixes) {
  auto ignored = [&](const std::string& name) {
    for (const auto& prefix : ignore_prefixes) {
      if (name.rfind(prefix, 0) == 0) return true;
    }
    return false;
  };
  std::map<std::string, torch::Tensor> targets;
  for (const auto& item : module.named_parameters(true)) targets[item.key()] = item.value();
  for (const auto& item : module.named_buffers(true)) targets[item.key()] = item.value();
  std::set<std::string> seen;
  torch::NoGradGuard no_grad;
  for (const auto& [name, tensor] : state) {
    if (ignored(name)) continue;
    const auto target = targets.find(name);
    if (target == targets.end()) throw DataError(source, fmt::format("unexpected tensor '{}' (not in the network)", name));
    if (target->second.sizes() != tensor.sizes()) {
      throw DataError(source, fmt::format("tensor '{}' has shape {} but the network expects {}", name,
                                          fmt::format("{}", fmt::join(tensor.sizes(), "x")),
                                          fmt::format("{}", fmt::join(target->second.sizes(), "x"))));
    }
    target->second.copy_(tensor.to(target->second.dtype()));
    seen.insert(name);
  }
  for (const auto& [name, tensor] : targets) {
    if (!seen.count(name) && !ignored(name)) throw DataError(source, fmt::format("tensor '{}' missing from the file", name));
  }
}

}  // namespace kdad::methods
