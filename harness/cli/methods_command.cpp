// `kdad methods`.
#include "harness/cli/methods_command.h"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <algorithm>
#include <set>

namespace kdad::harness {

int print_methods(const methods::MethodRegistry& registry, std::ostream& out) {
  if (registry.entries().empty()) fmt::print(out, "no methods are registered in this build\n");
  for (const auto& entry : registry.entries()) {
    std::set<std::string> presets;
    for (const auto& option : entry.options) {
      for (const auto& [name, value] : option.presets) presets.insert(name);
    }
    fmt::print(out, "{}: {}\n", entry.id, entry.summary);
    fmt::print(out, "  {:<22} {:<8} {:<24}", "option", "type", "default");
    for (const auto& preset : presets) fmt::print(out, " {:<16}", preset);
    fmt::print(out, " doc\n");
    for (const auto& option : entry.options) {
      fmt::print(out, "  {:<22} {:<8} {:<24}", option.name, methods::option_type_name(option.type),
                 option.guessed ? option.default_value + " (guess)" : option.default_value);
      for (const auto& preset : presets) {
        const auto value = option.presets.find(preset);
        fmt::print(out, " {:<16}", value != option.presets.end() ? value->second : "=");
      }
      fmt::print(out, " {}\n", option.doc);
    }
    if (std::any_of(entry.options.begin(), entry.options.end(), [](const methods::OptionSpec& o) { return o.guessed; })) {
      fmt::print(out, "  (guess): a default the paper and code leave open, chosen by kdad; change it to study its effect\n");
    }
    fmt::print(out, "\n");
  }
  return 0;
}

}  // namespace kdad::harness
