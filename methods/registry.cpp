// The method registry and option resolution.
#include "methods/registry.h"

#include "core/error.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <charconv>
#include <cmath>
#include <set>

namespace kdad::methods {
namespace {

std::optional<std::int64_t> parse_integer(const std::string& text) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<double> parse_real(const std::string& text) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

}  // namespace

std::string option_type_name(OptionType type) {
  switch (type) {
    case OptionType::integer: return "integer";
    case OptionType::real: return "real";
    case OptionType::boolean: return "boolean";
    case OptionType::text: return "text";
  }
  return "text";
}

std::optional<std::string> option_type_error(OptionType type, const std::string& value) {
  switch (type) {
    case OptionType::integer:
      if (!parse_integer(value)) return fmt::format("'{}' is not an integer", value);
      break;
    case OptionType::real:
      if (!parse_real(value)) return fmt::format("'{}' is not a finite number", value);
      break;
    case OptionType::boolean:
      if (value != "true" && value != "false") return fmt::format("'{}' is not true or false", value);
      break;
    case OptionType::text:
      break;
  }
  return std::nullopt;
}

const std::string& MethodOptions::text(const std::string& name) const {
  const auto found = values_.find(name);
  if (found == values_.end()) throw InternalError(name, "option read by a method but not in its option table");
  return found->second;
}

std::int64_t MethodOptions::integer(const std::string& name) const {
  const auto value = parse_integer(text(name));
  if (!value) throw ConfigError(name, fmt::format("'{}' is not an integer", text(name)));
  return *value;
}

double MethodOptions::real(const std::string& name) const {
  const auto value = parse_real(text(name));
  if (!value) throw ConfigError(name, fmt::format("'{}' is not a finite number", text(name)));
  return *value;
}

bool MethodOptions::boolean(const std::string& name) const { return text(name) == "true"; }

std::string MethodOptions::canonical() const {
  std::string out;
  for (const auto& [name, value] : values_) out += (out.empty() ? "" : ";") + name + "=" + value;
  return out;
}

void MethodRegistry::add(MethodEntry entry) {
  if (contains(entry.id)) throw InternalError(entry.id, "method registered twice");
  entries_.push_back(std::move(entry));
}

bool MethodRegistry::contains(const std::string& id) const {
  for (const auto& e : entries_) {
    if (e.id == id) return true;
  }
  return false;
}

const MethodEntry& MethodRegistry::find(const std::string& id) const {
  std::vector<std::string> ids;
  for (const auto& e : entries_) {
    if (e.id == id) return e;
    ids.push_back(e.id);
  }
  throw ConfigError(id, fmt::format("unknown method (registered: {})", ids.empty() ? "none" : fmt::format("{}", fmt::join(ids, ", "))));
}

MethodOptions MethodRegistry::resolve(const std::string& id, const std::string& preset,
                                      const std::map<std::string, std::string>& overrides) const {
  const MethodEntry& entry = find(id);
  std::set<std::string> presets;
  for (const auto& option : entry.options) {
    for (const auto& [name, value] : option.presets) presets.insert(name);
  }
  if (!preset.empty() && preset != "default" && !presets.count(preset)) {
    throw ConfigError(fmt::format("{} preset", id), fmt::format("unknown preset '{}' (known: default{}{})", preset,
                                                               presets.empty() ? "" : ", ", fmt::join(presets, ", ")));
  }
  std::map<std::string, std::string> values;
  for (const auto& option : entry.options) {
    const auto from_preset = option.presets.find(preset);
    values[option.name] = from_preset != option.presets.end() ? from_preset->second : option.default_value;
  }
  for (const auto& [override_name, value] : overrides) {
    const std::string& name = override_name;  // clang 14 cannot capture structured bindings
    const auto spec = std::find_if(entry.options.begin(), entry.options.end(), [&](const OptionSpec& o) { return o.name == name; });
    if (spec == entry.options.end()) {
      std::vector<std::string> names;
      for (const auto& o : entry.options) names.push_back(o.name);
      throw ConfigError(fmt::format("{} option {}", id, name), fmt::format("unknown option (valid: {})", fmt::join(names, ", ")));
    }
    if (const auto error = option_type_error(spec->type, value)) {
      throw ConfigError(fmt::format("{} option {}", id, name), fmt::format("{} ({} expected)", *error, option_type_name(spec->type)));
    }
    values[name] = value;
  }
  return MethodOptions(std::move(values));
}

std::unique_ptr<Method> MethodRegistry::create(const std::string& id, const MethodOptions& options) const {
  return find(id).factory(options);
}

void MethodRegistry::apply_environment(const CellEnvironment& environment) const {
  if (environment_) environment_(environment);
}

void MethodRegistry::check_device(const std::string& device) const {
  if (device_probe_.check) device_probe_.check(device);
}

void MethodRegistry::reset_device_peak(const std::string& device) const {
  if (device_probe_.reset) device_probe_.reset(device);
}

std::optional<std::int64_t> MethodRegistry::device_peak(const std::string& device) const {
  return device_probe_.peak ? device_probe_.peak(device) : std::nullopt;
}

void MethodRegistry::synchronize_device(const std::string& device) const {
  if (device_probe_.synchronize) device_probe_.synchronize(device);
}

std::string MethodRegistry::describe_device(const std::string& device) const {
  return device_probe_.describe ? device_probe_.describe(device) : std::string();
}

std::optional<SpeedCalibration> MethodRegistry::measure_speed_calibration(const std::string& device, int threads) const {
  if (!calibration_) return std::nullopt;
  return calibration_(device, threads);
}

}  // namespace kdad::methods
