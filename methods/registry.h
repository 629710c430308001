// The method registry: ids, option tables with presets, factories, and the one function that sets
// process-wide state at the start of every cell. An ordinary object filled explicitly.
#pragma once

#include "methods/method.h"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace kdad::methods {

enum class OptionType { integer, real, boolean, text };

/// One option of a method.
struct OptionSpec {
  std::string name;
  OptionType type = OptionType::text;
  std::string default_value;
  std::string doc;
  /// Preset name ("paper", "tiny", ...) → value; a preset without an entry keeps the default.
  std::map<std::string, std::string> presets;
  /// The default is our choice where the method's paper and code say nothing (`kdad methods`
  /// marks it "guess").
  bool guessed = false;
};

/// Option values with every default filled in, checked against the option table.
class MethodOptions {
 public:
  MethodOptions() = default;
  explicit MethodOptions(std::map<std::string, std::string> values) : values_(std::move(values)) {}
  const std::string& text(const std::string& name) const;
  std::int64_t integer(const std::string& name) const;
  double real(const std::string& name) const;
  bool boolean(const std::string& name) const;
  /// "name=value;name=value" in name order: the identity of a configuration.
  std::string canonical() const;
  const std::map<std::string, std::string>& values() const { return values_; }

 private:
  std::map<std::string, std::string> values_;
};

/// Process-wide settings for a cell (seeds, threads, deterministic algorithms, CPU allocator).
struct CellEnvironment {
  std::uint64_t seed = 0;
  int threads = 1;
  std::string device = "cpu";
  bool deterministic = true;
  bool caching_host_allocator = true;  ///< reuse large CPU tensor blocks (off: KDAD_ALLOCATOR=system)
};

/// What the harness asks of an accelerator, torch-free (each function may be empty: a CPU build).
struct DeviceProbe {
  /// Throws ConfigError naming `device` when it cannot be used here (CUDA asked of a LibTorch
  /// without it, a GPU index this machine does not have).
  std::function<void(const std::string& device)> check;
  /// Peak memory, reset before a cell and read after it (bytes); nullopt on CPU.
  std::function<void(const std::string& device)> reset;
  std::function<std::optional<std::int64_t>(const std::string& device)> peak;
  /// Waits for the device's queued work, so that a timing read after it covers that work.
  std::function<void(const std::string& device)> synchronize;
  /// JSON describing the device (GPU name and memory, CUDA and cuDNN versions, the cuDNN
  /// determinism and benchmark flags in force); empty on CPU.
  std::function<std::string(const std::string& device)> describe;
};

/// A fixed workload timed on this machine, so that speeds measured on different machines (or at
/// different moments of a noisy one) can be compared as ratios to it.
struct SpeedCalibration {
  std::string benchmark;  ///< what was timed, e.g. "conv3x3-64ch-4x64x64-fwd-bwd"
  double seconds = 0;     ///< median of the repeats, one repeat
  int repeats = 0;
  int threads = 1;
  std::string device;
};

struct MethodEntry {
  std::string id;
  std::string summary;
  std::vector<OptionSpec> options;
  std::function<std::unique_ptr<Method>(const MethodOptions&)> factory;
};

class MethodRegistry {
 public:
  /// Adds a method; throws InternalError on a duplicate id.
  void add(MethodEntry entry);
  /// The entry of `id`; throws ConfigError listing the registered ids.
  const MethodEntry& find(const std::string& id) const;
  bool contains(const std::string& id) const;
  const std::vector<MethodEntry>& entries() const { return entries_; }

  /// Defaults, then the preset's values, then `overrides`. Throws ConfigError naming an unknown
  /// preset, an unknown option (listing the valid ones) or a value of the wrong type.
  MethodOptions resolve(const std::string& id, const std::string& preset,
                        const std::map<std::string, std::string>& overrides) const;

  /// Creates a method from resolved options.
  std::unique_ptr<Method> create(const std::string& id, const MethodOptions& options) const;

  /// The function that sets process-wide state at the start of each cell (torch seeds, thread
  /// counts, deterministic algorithms). Set by whoever registers methods that need it.
  void set_environment_setup(std::function<void(const CellEnvironment&)> setup) { environment_ = std::move(setup); }
  void apply_environment(const CellEnvironment& environment) const;

  void set_device_probe(DeviceProbe probe) { device_probe_ = std::move(probe); }
  /// DeviceProbe::check: throws ConfigError when `device` cannot be used (nothing without a probe).
  void check_device(const std::string& device) const;

  /// Libraries the registered methods run on (e.g. "libtorch" → "1.13.1"), for run provenance.
  void add_library_version(const std::string& library, const std::string& version) { libraries_[library] = version; }
  const std::map<std::string, std::string>& library_versions() const { return libraries_; }
  void reset_device_peak(const std::string& device) const;

  void set_speed_calibration(std::function<SpeedCalibration(const std::string& device, int threads)> calibration) {
    calibration_ = std::move(calibration);
  }
  /// Times the registered calibration workload; empty when none is registered.
  std::optional<SpeedCalibration> measure_speed_calibration(const std::string& device, int threads) const;
  std::optional<std::int64_t> device_peak(const std::string& device) const;
  /// DeviceProbe::synchronize (nothing without one).
  void synchronize_device(const std::string& device) const;
  /// DeviceProbe::describe; empty without one or on CPU.
  std::string describe_device(const std::string& device) const;

 private:
  std::vector<MethodEntry> entries_;
  std::function<void(const CellEnvironment&)> environment_;
  DeviceProbe device_probe_;
  std::function<SpeedCalibration(const std::string&, int)> calibration_;
  std::map<std::string, std::string> libraries_;
};

/// Checks that `value` parses as `type`; returns an explanation when it does not.
std::optional<std::string> option_type_error(OptionType type, const std::string& value);

std::string option_type_name(OptionType type);

}  // namespace kdad::methods
