// Helpers shared by the subcommands' option parsers.
#include "harness/cli/option_parsing.h"

#include "core/error.h"
#include "core/parallel.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <sstream>

namespace kdad::harness {
namespace po = boost::program_options;

namespace {

// The usage line followed by the option table, for --help.
std::string describe(const po::options_description& options, const std::string& usage) {
  std::ostringstream text;
  text << usage << "\n" << options;
  return text.str();
}

bool wants_help(const std::vector<std::string>& args) {
  return std::find(args.begin(), args.end(), "--help") != args.end() || std::find(args.begin(), args.end(), "-h") != args.end();
}

}  // namespace

po::variables_map parse(const std::vector<std::string>& args, const po::options_description& options,
                        const po::positional_options_description& positional) {
  po::variables_map values;
  try {
    po::store(po::command_line_parser(args).options(options).positional(positional).run(), values);
    po::notify(values);
  } catch (const po::required_option& e) {
    // A missing positional argument reads as its internal option name ("--manifest") otherwise.
    const std::string name = e.get_option_name().substr(e.get_option_name().find_first_not_of('-'));
    const unsigned positions = std::min(positional.max_total_count(), 16U);
    for (unsigned i = 0; i < positions; ++i) {
      if (positional.name_for_position(i) != name) continue;
      std::string argument = name;
      std::transform(argument.begin(), argument.end(), argument.begin(), [](unsigned char c) { return std::toupper(c); });
      throw UsageError(fmt::format("missing the {} argument (see --help)", argument));
    }
    throw UsageError(e.what());
  } catch (const po::error& e) {
    throw UsageError(e.what());
  }
  return values;
}

std::optional<HelpCommand> help_or_parse(const std::vector<std::string>& args, const po::options_description& options,
                                         const std::string& usage, std::initializer_list<const char*> positional,
                                         bool rest) {
  if (wants_help(args)) return HelpCommand{describe(options, usage)};
  po::positional_options_description names;
  std::size_t index = 0;
  for (const char* name : positional) {
    const bool last = ++index == positional.size();
    names.add(name, rest && last ? -1 : 1);
  }
  parse(args, options, names);
  return std::nullopt;
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream stream(text);
  for (std::string item; std::getline(stream, item, ',');) {
    if (!item.empty()) items.push_back(item);
  }
  return items;
}

metrics::Rd4adPolicy parse_policy(const std::string& text) {
  if (text == "skip") return metrics::Rd4adPolicy::skip;
  if (text == "zero") return metrics::Rd4adPolicy::zero;
  if (text == "nan") return metrics::Rd4adPolicy::nan;
  throw UsageError("--rd4ad-policy", fmt::format("'{}' is not one of skip, zero, nan", text));
}

int checked_threads(int threads) {
  if (threads < 0 || threads > 1024) throw UsageError("--threads", fmt::format("{} is outside 0..1024", threads));
  return threads == 0 ? hardware_threads() : threads;
}

void add_image_input_options(po::options_description& options, ImageInputText& text) {
  options.add_options()
      ("max-image-pixels", po::value<std::string>(&text.max_pixels)->default_value(std::to_string(datasets::kDefaultMaxImagePixels)),
       "refuse image files whose header claims more pixels (width x height) than this, before decoding")
      ("accept-noisy-masks", po::bool_switch(&text.accept_noisy_masks),
       "take masks that are not two-valued (e.g. saved as JPEG): a defect is a value above half the maximum");
}

datasets::ImageInputPolicy to_image_input_policy(const ImageInputText& text) {
  datasets::ImageInputPolicy policy;
  policy.accept_noisy_masks = text.accept_noisy_masks;
  const bool digits = !text.max_pixels.empty() && text.max_pixels.size() <= 18 &&
                      text.max_pixels.find_first_not_of("0123456789") == std::string::npos;
  policy.max_pixels = digits ? std::stoull(text.max_pixels) : 0;
  if (policy.max_pixels == 0) {
    throw UsageError("--max-image-pixels", fmt::format("'{}' is not a whole number of pixels >= 1", text.max_pixels));
  }
  return policy;
}

}  // namespace kdad::harness
