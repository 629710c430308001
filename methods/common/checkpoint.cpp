// Versioned checkpoints.
#include "methods/common/checkpoint.h"

#include "core/build_info.h"
#include "core/error.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <torch/serialize.h>

#include <fstream>

namespace kdad::methods {
namespace fs = std::filesystem;

void write_checkpoint(const fs::path& folder, const CheckpointHeader& header,
                      const std::map<std::string, std::shared_ptr<torch::nn::Module>>& modules) {
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec) throw IoError(folder.string(), "cannot create checkpoint folder: " + ec.message());
  for (const auto& [name, module] : modules) {
    torch::serialize::OutputArchive archive;
    module->save(archive);
    archive.save_to((folder / (name + ".pt")).string());
  }
  std::ofstream out(folder / "checkpoint.json");
  out << nlohmann::json({{"method", header.method_id},
                         {"format_version", header.format_version},
                         {"options", header.options},
                         {"seed", header.seed},
                         {"weights", header.weights},
                         {"kdad_version", build_info().version}})
             .dump(2);
  if (!out) throw IoError((folder / "checkpoint.json").string(), "cannot write");
}

CheckpointHeader read_checkpoint(const fs::path& folder, const CheckpointHeader& expected,
                                 const std::map<std::string, std::shared_ptr<torch::nn::Module>>& modules) {
  const fs::path header_file = folder / "checkpoint.json";
  std::ifstream in(header_file);
  if (!in) throw DataError(header_file.string(), "checkpoint header not found");
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(in);
  } catch (const std::exception& e) {
    throw DataError(header_file.string(), fmt::format("unreadable checkpoint header: {}", e.what()));
  }
  CheckpointHeader stored;
  stored.method_id = json.value("method", "");
  stored.format_version = json.value("format_version", 0);
  stored.options = json.value("options", "");
  stored.seed = json.value("seed", std::uint64_t{0});
  stored.weights = json.value("weights", "");
  if (stored.method_id != expected.method_id) {
    throw ConfigError(header_file.string(), fmt::format("checkpoint of method '{}', not '{}'", stored.method_id, expected.method_id));
  }
  if (stored.format_version != expected.format_version) {
    throw ConfigError(header_file.string(), fmt::format("checkpoint format version {}; this kdad reads version {}",
                                                        stored.format_version, expected.format_version));
  }
  if (stored.options != expected.options) {
    throw ConfigError(header_file.string(), fmt::format("checkpoint options '{}' differ from '{}'", stored.options, expected.options));
  }
  for (const auto& [name, module] : modules) {
    const fs::path file = folder / (name + ".pt");
    std::error_code ec;
    if (!fs::is_regular_file(file, ec)) throw DataError(file.string(), "checkpoint module file missing");
    torch::serialize::InputArchive archive;
    archive.load_from(file.string());
    module->load(archive);
  }
  return stored;
}

}  // namespace kdad::methods
