// A minimal Python unpickler (the opcodes torch.save uses for state dicts).
#include "methods/common/unpickler.h"

#include "core/error.h"

#include <fmt/format.h>

#include <cstring>
#include <unordered_map>

namespace kdad::methods {
namespace {

template <class T>
PickleRef make(T&& v) {
  auto ref = std::make_shared<PickleValue>();
  ref->value = std::forward<T>(v);
  return ref;
}

class Reader {
 public:
  Reader(const std::uint8_t* bytes, std::size_t size, const std::string& source)
      : bytes_(bytes), size_(size), source_(source) {}

  std::uint8_t byte() {
    need(1);
    return bytes_[position_++];
  }
  template <class T>
  T little() {
    need(sizeof(T));
    T value;
    std::memcpy(&value, bytes_ + position_, sizeof(T));  // little-endian host
    position_ += sizeof(T);
    return value;
  }
  std::string text(std::size_t length) {
    need(length);
    std::string out(reinterpret_cast<const char*>(bytes_ + position_), length);
    position_ += length;
    return out;
  }
  std::string line() {
    std::string out;
    for (char c = static_cast<char>(byte()); c != '\n'; c = static_cast<char>(byte())) out.push_back(c);
    return out;
  }
  double big_endian_double() {
    need(8);
    std::uint64_t bits = 0;
    for (int i = 0; i < 8; ++i) bits = (bits << 8) | bytes_[position_++];
    double value;
    std::memcpy(&value, &bits, 8);
    return value;
  }
  std::size_t position() const { return position_; }
  [[noreturn]] void fail(const std::string& problem) const {
    throw DataError(source_, fmt::format("{} at byte {}", problem, position_));
  }

 private:
  void need(std::size_t n) const {
    if (position_ + n > size_) fail("truncated pickle");
  }
  const std::uint8_t* bytes_;
  std::size_t size_;
  std::size_t position_ = 0;
  std::string source_;
};

}  // namespace

PickleRef unpickle(const std::uint8_t* bytes, std::size_t size, const PickleHooks& hooks, const std::string& source,
                   std::size_t* consumed) {
  Reader in(bytes, size, source);
  std::vector<PickleRef> stack;
  std::vector<std::size_t> marks;
  std::unordered_map<std::uint32_t, PickleRef> memo;
  auto pop = [&]() {
    if (stack.empty()) in.fail("pickle stack underflow");
    PickleRef top = stack.back();
    stack.pop_back();
    return top;
  };
  auto pop_mark = [&]() {
    if (marks.empty()) in.fail("pickle MARK missing");
    const std::size_t mark = marks.back();
    marks.pop_back();
    std::vector<PickleRef> items(stack.begin() + static_cast<std::ptrdiff_t>(mark), stack.end());
    stack.resize(mark);
    return items;
  };
  auto tuple = [&](std::vector<PickleRef> items) {
    PickleRef ref = make(std::move(items));
    ref->is_tuple = true;
    return ref;
  };
  auto set_items = [&](PickleRef& target, const std::vector<PickleRef>& items) {
    auto* dict = std::get_if<PickleValue::Items>(&target->value);
    if (!dict) in.fail("SETITEM on a non-dict");
    for (std::size_t i = 0; i + 1 < items.size(); i += 2) dict->emplace_back(items[i], items[i + 1]);
  };
  auto append_items = [&](const std::vector<PickleRef>& items) {
    if (stack.empty()) in.fail("APPEND without list");
    auto* list = std::get_if<std::vector<PickleRef>>(&stack.back()->value);
    if (!list) in.fail("APPEND on a non-list");
    list->insert(list->end(), items.begin(), items.end());
  };
  for (;;) {
    const std::uint8_t op = in.byte();
    switch (op) {
      case 0x80: in.byte(); break;                            // PROTO
      case 0x95: in.little<std::uint64_t>(); break;           // FRAME
      case '.':                                               // STOP
        if (consumed) *consumed = in.position();
        return pop();
      case '(': marks.push_back(stack.size()); break;        // MARK
      case 'N': stack.push_back(make(PickleNone{})); break;  // NONE
      case 0x88: stack.push_back(make(true)); break;          // NEWTRUE
      case 0x89: stack.push_back(make(false)); break;         // NEWFALSE
      case 'J': stack.push_back(make(static_cast<std::int64_t>(in.little<std::int32_t>()))); break;   // BININT
      case 'K': stack.push_back(make(static_cast<std::int64_t>(in.byte()))); break;                   // BININT1
      case 'M': stack.push_back(make(static_cast<std::int64_t>(in.little<std::uint16_t>()))); break;  // BININT2
      case 0x8a: {                                                                                    // LONG1
        const std::uint8_t n = in.byte();
        if (n > 8) {  // wider than 64 bits (torch's legacy magic number): kept as raw little-endian bytes
          stack.push_back(make(in.text(n)));
          break;
        }
        std::int64_t value = 0;
        for (int i = 0; i < n; ++i) value |= static_cast<std::int64_t>(in.byte()) << (8 * i);
        if (n > 0 && n < 8 && (value >> (8 * n - 1)) & 1) value -= std::int64_t{1} << (8 * n);  // sign
        stack.push_back(make(value));
        break;
      }
      case 'G': stack.push_back(make(in.big_endian_double())); break;  // BINFLOAT
      case 'X': stack.push_back(make(in.text(in.little<std::uint32_t>()))); break;  // BINUNICODE
      case 0x8c: stack.push_back(make(in.text(in.byte()))); break;                  // SHORT_BINUNICODE
      case 'U': stack.push_back(make(in.text(in.byte()))); break;                   // SHORT_BINSTRING
      case 'T': stack.push_back(make(in.text(in.little<std::uint32_t>()))); break;  // BINSTRING
      case 'B': stack.push_back(make(in.text(in.little<std::uint32_t>()))); break;  // BINBYTES
      case 'C': stack.push_back(make(in.text(in.byte()))); break;                   // SHORT_BINBYTES
      case ')': stack.push_back(tuple({})); break;                                  // EMPTY_TUPLE
      case 0x85: stack.push_back(tuple({pop()})); break;                            // TUPLE1
      case 0x86: {                                                                  // TUPLE2
        PickleRef b = pop(), a = pop();
        stack.push_back(tuple({a, b}));
        break;
      }
      case 0x87: {  // TUPLE3
        PickleRef c = pop(), b = pop(), a = pop();
        stack.push_back(tuple({a, b, c}));
        break;
      }
      case 't': stack.push_back(tuple(pop_mark())); break;                        // TUPLE
      case ']': stack.push_back(make(std::vector<PickleRef>{})); break;           // EMPTY_LIST
      case 'l': stack.push_back(make(pop_mark())); break;                         // LIST
      case '}': stack.push_back(make(PickleValue::Items{})); break;               // EMPTY_DICT
      case 'd': {                                                                 // DICT
        PickleRef dict = make(PickleValue::Items{});
        set_items(dict, pop_mark());
        stack.push_back(dict);
        break;
      }
      case 'a': append_items({pop()}); break;   // APPEND
      case 'e': append_items(pop_mark()); break;  // APPENDS
      case 's': {  // SETITEM
        PickleRef value = pop(), key = pop();
        if (stack.empty()) in.fail("SETITEM without dict");
        set_items(stack.back(), {key, value});
        break;
      }
      case 'u': {  // SETITEMS
        auto items = pop_mark();
        if (stack.empty()) in.fail("SETITEMS without dict");
        set_items(stack.back(), items);
        break;
      }
      case 'q': memo[in.byte()] = stack.empty() ? nullptr : stack.back(); break;                       // BINPUT
      case 'r': memo[in.little<std::uint32_t>()] = stack.empty() ? nullptr : stack.back(); break;      // LONG_BINPUT
      case 0x94: memo[static_cast<std::uint32_t>(memo.size())] = stack.empty() ? nullptr : stack.back(); break;  // MEMOIZE
      case 'h':
      case 'j': {  // BINGET, LONG_BINGET
        const std::uint32_t key = op == 'h' ? in.byte() : in.little<std::uint32_t>();
        const auto found = memo.find(key);
        if (found == memo.end()) in.fail("memo key missing");
        stack.push_back(found->second);
        break;
      }
      case 'c': {  // GLOBAL
        std::string module = in.line();
        std::string name = in.line();
        stack.push_back(make(PickleGlobal{std::move(module), std::move(name)}));
        break;
      }
      case 0x93: {  // STACK_GLOBAL
        PickleRef name = pop(), module = pop();
        stack.push_back(make(PickleGlobal{pickle_string(module, source), pickle_string(name, source)}));
        break;
      }
      case 'Q': {  // BINPERSID
        PickleRef id = pop();
        if (!hooks.persistent_load) in.fail("persistent id without a loader");
        stack.push_back(hooks.persistent_load(id));
        break;
      }
      case 'R': {  // REDUCE
        PickleRef args = pop(), callable = pop();
        const auto* global = std::get_if<PickleGlobal>(&callable->value);
        if (!global) in.fail("REDUCE of a non-global");
        const auto& arg_list = pickle_sequence(args, source);
        if (global->module == "collections" && global->name == "OrderedDict") {
          stack.push_back(make(PickleValue::Items{}));
          break;
        }
        PickleRef result = hooks.reduce ? hooks.reduce(*global, arg_list) : nullptr;
        stack.push_back(result ? result : make(PickleCall{*global, arg_list}));
        break;
      }
      case 'b': pop(); break;  // BUILD: state for the object below (OrderedDict._metadata); not needed
      case '0': pop(); break;  // POP
      case '2': stack.push_back(stack.empty() ? nullptr : stack.back()); break;  // DUP
      default:
        in.fail(fmt::format("unsupported pickle opcode 0x{:02x}", op));
    }
  }
}

const std::string& pickle_string(const PickleRef& value, const std::string& source) {
  const auto* s = value ? std::get_if<std::string>(&value->value) : nullptr;
  if (!s) throw DataError(source, "expected a string in the pickle");
  return *s;
}

std::int64_t pickle_int(const PickleRef& value, const std::string& source) {
  const auto* i = value ? std::get_if<std::int64_t>(&value->value) : nullptr;
  if (!i) {
    if (value && std::holds_alternative<bool>(value->value)) return std::get<bool>(value->value) ? 1 : 0;
    throw DataError(source, "expected an integer in the pickle");
  }
  return *i;
}

const std::vector<PickleRef>& pickle_sequence(const PickleRef& value, const std::string& source) {
  const auto* seq = value ? std::get_if<std::vector<PickleRef>>(&value->value) : nullptr;
  if (!seq) throw DataError(source, "expected a tuple or list in the pickle");
  return *seq;
}

const PickleValue::Items* pickle_dict(const PickleRef& value) {
  return value ? std::get_if<PickleValue::Items>(&value->value) : nullptr;
}

}  // namespace kdad::methods
