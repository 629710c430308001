// A minimal Python unpickler for the objects torch.save writes for state dicts: dicts and
// OrderedDicts of tensors, tuples, lists, numbers, strings and persistent storage references.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace kdad::methods {

struct PickleValue;
using PickleRef = std::shared_ptr<PickleValue>;

/// A global ("module", "name") such as ("collections", "OrderedDict") or ("torch", "FloatStorage").
struct PickleGlobal {
  std::string module;
  std::string name;
};

/// The result of calling a global with arguments (REDUCE), kept for the caller to interpret.
struct PickleCall {
  PickleGlobal callable;
  std::vector<PickleRef> args;
};

/// An opaque object the caller produced (e.g. a tensor), from a persistent id or a REDUCE.
struct PickleOpaque {
  std::shared_ptr<void> object;
  std::string kind;  ///< e.g. "storage", "tensor"
};

struct PickleNone {};

/// One unpickled value. Dicts keep insertion order (state dicts are ordered).
struct PickleValue {
  using Items = std::vector<std::pair<PickleRef, PickleRef>>;
  std::variant<PickleNone, bool, std::int64_t, double, std::string, std::vector<PickleRef> /*tuple or list*/,
               Items /*dict*/, PickleGlobal, PickleCall, PickleOpaque>
      value;
  bool is_tuple = false;
};

/// Hooks that give meaning to torch's objects.
struct PickleHooks {
  /// Called for BINPERSID with the persistent id (a tuple); returns the object it stands for.
  std::function<PickleRef(const PickleRef& persistent_id)> persistent_load;
  /// Called for REDUCE of a global other than collections.OrderedDict; may return nullptr to keep
  /// a PickleCall.
  std::function<PickleRef(const PickleGlobal& callable, const std::vector<PickleRef>& args)> reduce;
};

/// Unpickles `bytes` (protocols 2–4 subset). `consumed` receives the number of bytes read, for
/// streams holding several pickles (the legacy torch format). Throws DataError on unsupported
/// opcodes or malformed input, naming `source`.
PickleRef unpickle(const std::uint8_t* bytes, std::size_t size, const PickleHooks& hooks, const std::string& source,
                   std::size_t* consumed = nullptr);

/// Convenience accessors; they throw DataError naming `source` when the value has another type.
const std::string& pickle_string(const PickleRef& value, const std::string& source);
std::int64_t pickle_int(const PickleRef& value, const std::string& source);
const std::vector<PickleRef>& pickle_sequence(const PickleRef& value, const std::string& source);
const PickleValue::Items* pickle_dict(const PickleRef& value);

}  // namespace kdad::methods
