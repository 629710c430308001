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

namespace {

void write_checkpoint_files(const fs::path& folder, const CheckpointHeader& header,
                            const std::map<std::string, std::shared_ptr<torch::nn::Module>>& modules) {
  for (const auto& [name, module] : modules) {
    const fs::path file = folder / (name + ".pt");
    try {
      torch::serialize::OutputArchive archive;
      module->save(archive);
      archive.save_to(file.string());
    } catch (const c10::Error& e) {
      throw IoError(file.string(), fmt::format("cannot write checkpoint module: {}", e.what_without_backtrace()));
    }
  }
  std::ofstream out(folder / "checkpoint.json");
  out << nlohmann::json({{"method", header.method_id},
                         {"format_version", header.format_version},
                         {"options", header.options},
                         {"seed", header.seed},
                         {"weights", header.weights},
                         {"kdad_version", build_info().version}})
             .dump(2);
  out.close();
  if (!out) throw IoError((folder / "checkpoint.json").string(), "cannot write");
}

}  // namespace

void write_checkpoint(const fs::path& folder, const CheckpointHeader& header,
                      const std::map<std::string, std::shared_ptr<torch::nn::Module>>& modules) {
  // Written beside the target first, then swapped in: a failed save leaves an older checkpoint whole.
  const fs::path staging = folder.string() + ".partial";
  const fs::path previous = folder.string() + ".previous";
  std::error_code ec;
  fs::remove_all(staging, ec);
  fs::create_directories(staging, ec);
  if (ec) throw IoError(staging.string(), "cannot create checkpoint folder: " + ec.message());
  try {
    write_checkpoint_files(staging, header, modules);
  } catch (...) {
    fs::remove_all(staging, ec);
    throw;
  }
  fs::remove_all(previous, ec);
  if (fs::exists(folder, ec)) {
    fs::rename(folder, previous, ec);
    if (ec) throw IoError(folder.string(), "cannot replace the existing checkpoint: " + ec.message());
  }
  fs::rename(staging, folder, ec);
  if (ec) throw IoError(folder.string(), "cannot move the new checkpoint in place: " + ec.message());
  fs::remove_all(previous, ec);
}

CheckpointHeader read_checkpoint(const fs::path& folder, const CheckpointHeader& expected,
                                 const std::map<std::string, std::shared_ptr<torch::nn::Module>>& modules) {
  const fs::path header_file = folder / "checkpoint.json";
  std::ifstream in(header_file);
  if (!in) throw DataError(header_file.string(), "checkpoint header not found");
  CheckpointHeader stored;
  try {
    const nlohmann::json json = nlohmann::json::parse(in);
    stored.method_id = json.value("method", "");
    stored.format_version = json.value("format_version", 0);
    stored.options = json.value("options", "");
    stored.seed = json.value("seed", std::uint64_t{0});
    stored.weights = json.value("weights", "");
  } catch (const nlohmann::json::exception& e) {
    throw DataError(header_file.string(), fmt::format("unreadable checkpoint header: {}", e.what()));
  }
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
    try {
      torch::serialize::InputArchive archive;
      archive.load_from(file.string());
      module->load(archive);
    } catch (const c10::Error& e) {
      throw DataError(file.string(), fmt::format("unreadable checkpoint module: {}", e.what_without_backtrace()));
    }
  }
  return stored;
}

}  // namespace kdad::methods
