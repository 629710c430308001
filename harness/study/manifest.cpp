// Study manifests: TOML → a checked Manifest, collecting every problem with its line.
#include "harness/study/manifest.h"

#include "core/sha256.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>
#include <toml++/toml.h>

#include <algorithm>
#include <regex>
#include <set>

namespace kdad::harness {
namespace fs = std::filesystem;
namespace {

class Problems {
 public:
  explicit Problems(fs::path file) : file_(std::move(file)) {}
  /// `fallback` names the enclosing node for values that carry no position (array items).
  void add(const toml::node* node, const std::string& problem, const toml::node* fallback = nullptr) {
    int line = node ? static_cast<int>(node->source().begin.line) : 0;
    if (line == 0 && fallback) line = static_cast<int>(fallback->source().begin.line);
    items_.push_back(line > 0 ? fmt::format("{}:{}: {}", file_.string(), line, problem) : fmt::format("{}: {}", file_.string(), problem));
  }
  void add_at(int line, const std::string& problem) { items_.push_back(fmt::format("{}:{}: {}", file_.string(), line, problem)); }
  const std::vector<std::string>& items() const { return items_; }

 private:
  fs::path file_;
  std::vector<std::string> items_;
};

int line_of(const toml::node& node) { return static_cast<int>(node.source().begin.line); }

void check_keys(const toml::table& table, const std::set<std::string>& allowed, const std::string& where, Problems& problems) {
  for (const auto& [key, node] : table) {
    if (!allowed.count(std::string(key.str()))) {
      problems.add(&node, fmt::format("unknown key '{}' in {} (valid: {})", key.str(), where, fmt::join(allowed, ", ")));
    }
  }
}

template <class T>
std::optional<T> read(const toml::table& table, const char* key, const char* type_name, Problems& problems) {
  const toml::node* node = table.get(key);
  if (!node) return std::nullopt;
  if (auto value = node->value<T>()) return *value;
  problems.add(node, fmt::format("'{}' must be {}", key, type_name));
  return std::nullopt;
}

std::string scalar_text(const toml::node& node) {
  if (auto v = node.value<std::string>()) return *v;
  if (node.is_boolean()) return *node.value<bool>() ? "true" : "false";
  if (node.is_integer()) return std::to_string(*node.value<std::int64_t>());
  if (node.is_floating_point()) return fmt::format("{}", *node.value<double>());
  return {};
}

fs::path resolve(const fs::path& base, const std::string& path) {
  const fs::path p(path);
  return (p.is_absolute() ? p : base / p).lexically_normal();
}

void read_protocol(const toml::table& table, EvalProtocol& protocol, Problems& problems) {
  check_keys(table, {"pro_limit", "rd4ad_policy", "resolution", "extra_pro_limits", "seg_f1", "validation_fraction"}, "[protocol]",
             problems);
  protocol.seg_f1 = read<bool>(table, "seg_f1", "true or false", problems).value_or(false);
  if (auto fraction = read<double>(table, "validation_fraction", "a number", problems)) {
    if (*fraction > 0.0 && *fraction <= 0.5) {
      protocol.validation_fraction = *fraction;
    } else {
      problems.add(table.get("validation_fraction"), fmt::format("validation_fraction {} is outside (0, 0.5]", *fraction));
    }
  }
  if (const toml::node* extra = table.get("extra_pro_limits")) {
    const toml::array* list = extra->as_array();
    std::vector<double> limits;
    bool numbers = list != nullptr;
    if (list) {
      for (const auto& item : *list) {
        if (auto v = item.value<double>()) limits.push_back(*v);
        else numbers = false;
      }
    }
    if (!numbers) {
      problems.add(extra, "extra_pro_limits must be a list of numbers, e.g. [0.05]");
    } else {
      try {
        check_extra_pro_limits(limits, table["pro_limit"].value<double>().value_or(protocol.pro_limit), "extra_pro_limits");
        protocol.extra_pro_limits = limits;
      } catch (const ConfigError& e) {
        problems.add(extra, e.what());
      }
    }
  }
  if (auto resolution = read<std::string>(table, "resolution", "a string", problems)) {
    try {
      protocol.resolution = parse_map_resolution(*resolution, "resolution");
    } catch (const ConfigError&) {
      problems.add(table.get("resolution"), fmt::format("resolution '{}' is not native or method", *resolution));
    }
  }
  if (auto limit = read<double>(table, "pro_limit", "a number", problems)) {
    if (*limit > 0.0 && *limit <= 1.0) {
      protocol.pro_limit = *limit;
    } else {
      problems.add(table.get("pro_limit"), fmt::format("pro_limit {} is outside (0, 1]", *limit));
    }
  }
  if (auto policy = read<std::string>(table, "rd4ad_policy", "a string", problems)) {
    if (*policy == "skip") protocol.rd4ad_policy = metrics::Rd4adPolicy::skip;
    else if (*policy == "zero") protocol.rd4ad_policy = metrics::Rd4adPolicy::zero;
    else if (*policy == "nan") protocol.rd4ad_policy = metrics::Rd4adPolicy::nan;
    else problems.add(table.get("rd4ad_policy"), fmt::format("rd4ad_policy '{}' is not skip, zero or nan", *policy));
  }
}

void read_method(const toml::table& table, const methods::MethodRegistry& registry,
                 const std::map<std::string, std::string>& forced, const std::string& forced_checkpoint,
                 const fs::path& base, Manifest& m, Problems& problems) {
  check_keys(table, {"id", "preset", "options", "label", "checkpoint"}, "[[method]]", problems);
  ManifestMethod method;
  method.line = line_of(table);
  const auto id = read<std::string>(table, "id", "a string", problems);
  if (!id) {
    if (!table.get("id")) problems.add_at(method.line, "[[method]] needs an 'id'");
    return;
  }
  method.id = *id;
  method.preset = read<std::string>(table, "preset", "a string", problems).value_or("default");
  if (const toml::node* options = table.get("options")) {
    if (const toml::table* t = options->as_table()) {
      for (const auto& [key, node] : *t) {
        const std::string text = scalar_text(node);
        if (text.empty() && !node.is_string()) {
          problems.add(&node, fmt::format("option '{}' must be a string, number or boolean", key.str()));
        } else {
          method.overrides[std::string(key.str())] = text;
        }
      }
    } else {
      problems.add(options, "'options' must be a table, e.g. options = { epochs = 2 }");
    }
  }
  method.label = read<std::string>(table, "label", "a string", problems)
                     .value_or(method.preset == "default" ? method.id : fmt::format("{}[{}]", method.id, method.preset));
  const std::string checkpoint =
      forced_checkpoint.empty() ? read<std::string>(table, "checkpoint", "a string", problems).value_or("") : forced_checkpoint;
  if (!checkpoint.empty()) method.checkpoint = resolve(base, checkpoint).string();
  try {
    for (const auto& [name, value] : forced) {
      for (const auto& spec : registry.find(method.id).options) {
        if (spec.name == name) method.overrides[name] = value;
      }
    }
    method.options = registry.resolve(method.id, method.preset, method.overrides);
  } catch (const Error& e) {
    problems.add_at(method.line, e.what());
    return;
  }
  m.methods.push_back(std::move(method));
}

void read_dataset(const toml::table& table, const fs::path& base, Manifest& m, Problems& problems) {
  check_keys(table, {"format", "root", "categories", "visa_split", "max_train_images"}, "[[dataset]]", problems);
  ManifestDataset dataset;
  dataset.line = line_of(table);
  const auto format = read<std::string>(table, "format", "a string", problems);
  if (!format) {
    if (!table.get("format")) problems.add_at(dataset.line, "[[dataset]] needs a 'format'");
    return;
  }
  try {
    dataset.format = datasets::parse_dataset_format(*format);
  } catch (const Error& e) {
    problems.add(table.get("format"), e.what());
    return;
  }
  if (auto root = read<std::string>(table, "root", "a string", problems)) dataset.root = resolve(base, *root);
  else dataset.root = datasets::default_dataset_root(dataset.format);  // recorded with each cell as given
  if (auto split = read<std::string>(table, "visa_split", "a string", problems)) dataset.options.visa_split_csv = *split;
  if (auto cap = read<std::int64_t>(table, "max_train_images", "an integer", problems)) {
    if (*cap < 0) problems.add(table.get("max_train_images"), "max_train_images must be 0 (all) or positive");
    else dataset.max_train_images = static_cast<std::size_t>(*cap);
  }
  std::unique_ptr<datasets::Dataset> opened;
  try {
    opened = datasets::open_dataset(dataset.format, dataset.root, dataset.options);
  } catch (const Error& e) {
    problems.add(table.get("root") ? table.get("root") : &table, e.what());
    return;
  }
  const std::vector<std::string> available = opened->categories();
  const toml::node* categories = table.get("categories");
  if (!categories || categories->value<std::string>() == std::optional<std::string>("all")) {
    dataset.categories = available;
  } else if (const toml::array* list = categories->as_array()) {
    for (const auto& item : *list) {
      const auto name = item.value<std::string>();
      if (!name) {
        problems.add(&item, "categories must be strings", categories);
      } else if (const auto category = opened->resolve_category(*name)) {
        dataset.categories.push_back(*category);
      } else {
        problems.add(&item, fmt::format("no category '{}' in {} (available: {})", *name, opened->root().string(), fmt::join(available, ", ")),
                     categories);
      }
    }
  } else {
    problems.add(categories, "categories must be \"all\" or a list of names");
  }
  if (dataset.categories.empty() && problems.items().empty()) problems.add_at(dataset.line, "no categories to run");
  m.datasets.push_back(std::move(dataset));
}

std::string canonical_json(const Manifest& m) {
  nlohmann::json doc;
  doc["name"] = m.name;
  doc["device"] = m.device;
  doc["threads"] = m.threads;
  doc["seeds"] = m.seeds;
  doc["export_maps"] = m.export_maps;
  doc["save_checkpoints"] = m.save_checkpoints;
  doc["gallery"] = m.gallery;
  doc["calibrate"] = m.calibrate;
  doc["predict_batch"] = m.predict_batch;
  doc["protocol"] = nlohmann::json::parse(harness::canonical_json(m.protocol));
  for (const auto& method : m.methods) {
    doc["methods"].push_back({{"id", method.id}, {"preset", method.preset}, {"label", method.label},
                              {"options", method.options.values()}, {"checkpoint", method.checkpoint}});
  }
  for (const auto& dataset : m.datasets) {
    doc["datasets"].push_back({{"format", datasets::format_name(dataset.format)}, {"root", dataset.root.string()},
                               {"categories", dataset.categories}, {"max_train_images", dataset.max_train_images}});
  }
  return doc.dump();
}

}  // namespace

fs::path checkpoint_path(const ManifestMethod& method, const std::string& category, std::uint64_t seed) {
  std::string path = method.checkpoint;
  for (const auto& [placeholder, value] : {std::pair<std::string, std::string>{"{category}", category},
                                           std::pair<std::string, std::string>{"{seed}", std::to_string(seed)}}) {
    for (auto at = path.find(placeholder); at != std::string::npos; at = path.find(placeholder, at + value.size())) {
      path.replace(at, placeholder.size(), value);
    }
  }
  return path;
}

ManifestError::ManifestError(std::vector<std::string> problems)
    : ConfigError(problems.size() == 1 ? problems.front() : fmt::format("{} problems in the manifest", problems.size())),
      problems_(std::move(problems)) {}

bool is_device_name(const std::string& device) { return std::regex_match(device, std::regex("cpu|cuda(:[0-9]+)?")); }

Manifest read_manifest(const fs::path& file, const methods::MethodRegistry& registry,
                       const std::map<std::string, std::string>& forced, const std::string& forced_checkpoint,
                       const std::string& forced_device) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) throw ConfigError(file.string(), "manifest not found");
  toml::table root;
  try {
    root = toml::parse_file(file.string());
  } catch (const toml::parse_error& e) {
    throw ManifestError({fmt::format("{}:{}: {}", file.string(), e.source().begin.line, e.description())});
  }
  Problems problems(file);
  const fs::path base = file.parent_path().empty() ? fs::path(".") : file.parent_path();
  Manifest m;
  m.file = file;
  check_keys(root, {"name", "requires", "database", "artifacts", "device", "threads", "seeds", "export_maps",
                    "save_checkpoints", "gallery", "calibrate", "predict_batch", "protocol", "method", "dataset"},
             "the manifest", problems);
  m.name = read<std::string>(root, "name", "a string", problems).value_or(file.stem().string());
  m.requires_note = read<std::string>(root, "requires", "a string", problems).value_or("");
  m.database = resolve(base, read<std::string>(root, "database", "a string", problems).value_or("results/kdad.sqlite"));
  m.artifacts = resolve(base, read<std::string>(root, "artifacts", "a string", problems).value_or("results/artifacts"));
  if (auto device = read<std::string>(root, "device", "a string", problems)) {
    if (is_device_name(*device)) {
      m.device = *device;
    } else {
      problems.add(root.get("device"), fmt::format("device '{}' is not cpu, cuda or cuda:N", *device));
    }
  }
  if (!forced_device.empty()) m.device = forced_device;  // checked by the command line
  if (auto threads = read<std::int64_t>(root, "threads", "an integer", problems)) {
    if (*threads < 0 || *threads > 1024) problems.add(root.get("threads"), "threads must be in 0..1024 (0 = all cores)");
    else m.threads = static_cast<int>(*threads);
  }
  if (auto batch = read<std::int64_t>(root, "predict_batch", "an integer", problems)) {
    if (*batch < 1 || *batch > 4096) problems.add(root.get("predict_batch"), "predict_batch must be in 1..4096");
    else m.predict_batch = static_cast<int>(*batch);
  }
  m.export_maps = read<bool>(root, "export_maps", "true or false", problems).value_or(false);
  m.save_checkpoints = read<bool>(root, "save_checkpoints", "true or false", problems).value_or(true);
  m.gallery = read<bool>(root, "gallery", "true or false", problems).value_or(m.gallery);
  m.calibrate = read<bool>(root, "calibrate", "true or false", problems).value_or(m.calibrate);
  if (const toml::node* seeds = root.get("seeds")) {
    m.seeds.clear();
    const toml::array* list = seeds->as_array();
    if (!list || list->empty()) problems.add(seeds, "seeds must be a non-empty list of integers, e.g. [0, 1, 2]");
    for (const auto& item : list ? *list : toml::array{}) {
      const auto seed = item.value<std::int64_t>();
      if (!seed || *seed < 0) {
        problems.add(&item, "seeds must be non-negative integers", seeds);
      } else if (std::find(m.seeds.begin(), m.seeds.end(), static_cast<std::uint64_t>(*seed)) != m.seeds.end()) {
        problems.add(&item, fmt::format("seed {} is listed twice", *seed), seeds);
      } else {
        m.seeds.push_back(static_cast<std::uint64_t>(*seed));
      }
    }
  }
  if (const toml::node* protocol = root.get("protocol")) {
    if (const toml::table* t = protocol->as_table()) read_protocol(*t, m.protocol, problems);
    else problems.add(protocol, "[protocol] must be a table");
  }
  auto tables = [&](const char* key, auto&& each) {
    const toml::node* node = root.get(key);
    if (!node) {
      problems.add_at(1, fmt::format("no [[{}]] entry: a study needs at least one", key));
      return;
    }
    const toml::array* list = node->as_array();
    if (!list || !list->is_array_of_tables()) {
      problems.add(node, fmt::format("'{}' must be written as [[{}]] tables", key, key));
      return;
    }
    for (const auto& item : *list) each(*item.as_table());
  };
  tables("method", [&](const toml::table& t) { read_method(t, registry, forced, forced_checkpoint, base, m, problems); });
  tables("dataset", [&](const toml::table& t) { read_dataset(t, base, m, problems); });
  std::set<std::string> labels;
  for (const auto& method : m.methods) {
    if (!labels.insert(method.label).second) {
      problems.add_at(method.line, fmt::format("two methods share the label '{}'; give one a different label", method.label));
    }
  }
  for (const auto& method : m.methods) {
    if (method.checkpoint.empty()) continue;
    std::set<std::string> missing;
    for (const auto& dataset : m.datasets) {
      for (const auto& category : dataset.categories) {
        for (const std::uint64_t seed : m.seeds) {
          const fs::path path = checkpoint_path(method, category, seed);
          if (!fs::exists(path, ec)) missing.insert(path.string());
        }
      }
    }
    for (const auto& path : missing) problems.add_at(method.line, fmt::format("checkpoint '{}' not found", path));
  }
  if (!problems.items().empty()) throw ManifestError(problems.items());
  m.canonical = canonical_json(m);
  m.sha256 = sha256_hex(m.canonical);
  return m;
}

}  // namespace kdad::harness
