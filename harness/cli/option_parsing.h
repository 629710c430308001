// Helpers every subcommand's option parser shares (Boost.Program_options), and the parsers that
// live outside cli.cpp.
#pragma once

#include "datasets/image_io.h"
#include "harness/cli/commands.h"
#include "metrics/results.h"

#include <boost/program_options.hpp>

#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

namespace kdad::harness {

/// Parses `args`; a Boost error becomes a UsageError with its message.
boost::program_options::variables_map parse(const std::vector<std::string>& args,
                                            const boost::program_options::options_description& options,
                                            const boost::program_options::positional_options_description& positional);
/// The command's help when --help or -h is among `args`; otherwise parses them (as parse), bare
/// arguments filling `positional` in order, the last name taking all the rest when `rest` is true.
std::optional<HelpCommand> help_or_parse(const std::vector<std::string>& args,
                                         const boost::program_options::options_description& options,
                                         const std::string& usage, std::initializer_list<const char*> positional,
                                         bool rest = false);
/// "a,b,,c" → {"a", "b", "c"}.
std::vector<std::string> split_list(const std::string& text);
/// skip, zero or nan; a UsageError naming --rd4ad-policy otherwise.
metrics::Rd4adPolicy parse_policy(const std::string& text);
/// --threads in 0..1024; 0 becomes the number of cores.
int checked_threads(int threads);

/// The text of --max-image-pixels and --accept-noisy-masks, before checking.
struct ImageInputText {
  std::string max_pixels;
  bool accept_noisy_masks = false;
};
/// Adds --max-image-pixels and --accept-noisy-masks (the commands that decode dataset images).
void add_image_input_options(boost::program_options::options_description& options, ImageInputText& text);
/// The checked policy; a UsageError naming --max-image-pixels unless it is a whole number ≥ 1.
datasets::ImageInputPolicy to_image_input_policy(const ImageInputText& text);

/// `kdad eval` and `kdad reproduce` (harness/cli/scoring_options.cpp).
Command parse_eval(const std::vector<std::string>& args);
Command parse_reproduce(const std::vector<std::string>& args);
/// `kdad run`, `kdad plan`, `kdad run-cell` and `kdad merge` (harness/cli/study_options.cpp).
Command parse_run(const std::vector<std::string>& args);
Command parse_plan(const std::vector<std::string>& args);
Command parse_run_cell(const std::vector<std::string>& args);
Command parse_merge(const std::vector<std::string>& args);

}  // namespace kdad::harness
