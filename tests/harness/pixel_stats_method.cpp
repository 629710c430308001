// A test-only method for the runner's tests.
#include "pixel_stats_method.h"

#include "core/error.h"
#include "core/rng.h"
#include "datasets/preprocess.h"

#include <fmt/format.h>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <chrono>
#include <fstream>
#include <cstdlib>
#include <thread>

namespace kdad::test {
namespace {

class PixelStats final : public methods::Method {
 public:
  explicit PixelStats(methods::MethodOptions options)
      : options_(std::move(options)), size_(static_cast<int>(options_.integer("size"))) {}

  methods::MethodInfo info() const override { return {"pixel_stats", options_.canonical(), 1, "none"}; }

  // "stretch": the whole image squeezed to size×size (as RD); "crop": the shorter side to size,
  // then a centre crop of size×size (as MRKD), so the map covers only the crop of a non-square image.
  datasets::PreprocessSpec input_transform() const override {
    datasets::PreprocessSpec spec;
    if (options_.text("frame") == "crop") {
      spec.size_rule = datasets::PreprocessSpec::SizeRule::shorter_side;
      spec.shorter = size_;
      spec.crop = {size_, size_};
      spec.mask_rule = datasets::MaskResize::nearest;
    } else {
      spec.size = {size_, size_};
      spec.mask_rule = datasets::MaskResize::bilinear_threshold;
    }
    return spec;
  }

  void fit(const methods::TrainingData& data, const methods::FitContext& context) override {
    if (data.category == options_.text("fail_category")) throw DataError(data.category, "pixel_stats was told to fail here");
    // Outside the options, so the cell key stays the same: a resumed run must retry such a cell.
    if (const char* transient = std::getenv("KDAD_TEST_FAIL_CATEGORY"); transient && data.category == transient) {
      throw DataError(data.category, "pixel_stats failed transiently (KDAD_TEST_FAIL_CATEGORY)");
    }
    seed_ = context.seed;
    cv::Mat sum = cv::Mat::zeros(size_, size_, CV_64F), sum_sq = sum.clone();
    for (std::size_t i = 0; i < data.samples.size(); ++i) {
      const cv::Mat x = grey(data.dataset.load(data.samples[i]).image);
      sum += x;
      sum_sq += x.mul(x);
      std::this_thread::sleep_for(std::chrono::milliseconds(options_.integer("sleep_ms")));
      if (context.progress) {
        context.progress->report({"fit", 1, 1, static_cast<std::int64_t>(i + 1), static_cast<std::int64_t>(data.samples.size()),
                                  0.0, 0.0});
      }
    }
    const double n = static_cast<double>(data.samples.size());
    mean_ = sum / n;
    cv::Mat variance = sum_sq / n - mean_.mul(mean_);
    cv::sqrt(cv::max(variance, 0.0), std_);
  }

  std::vector<Prediction> predict(const std::vector<Sample>& batch) override {
    std::vector<Prediction> out;
    for (const auto& sample : batch) {
      cv::Mat z = cv::abs(grey(sample.image) - mean_) / (std_ + 0.05);
      if (options_.real("jitter") > 0) {
        Rng rng = Rng(seed_).derive(sample.id);
        for (int y = 0; y < z.rows; ++y) {
          for (int x = 0; x < z.cols; ++x) z.at<double>(y, x) += options_.real("jitter") * rng.uniform();
        }
      }
      Prediction p;
      z.convertTo(p.anomaly_map, CV_32F);
      double max_value = 0;
      cv::minMaxLoc(p.anomaly_map, nullptr, &max_value);
      p.score = static_cast<float>(max_value);
      out.push_back(std::move(p));
    }
    return out;
  }

  void save(const std::filesystem::path& folder) const override {
    std::filesystem::create_directories(folder);
    cv::FileStorage file((folder / "state.yml").string(), cv::FileStorage::WRITE);
    file << "version" << 1 << "options" << options_.canonical() << "seed" << static_cast<int>(seed_) << "mean" << mean_ << "std" << std_;
  }

  void load(const std::filesystem::path& folder, const std::string&) override {  // CPU only
    cv::FileStorage file((folder / "state.yml").string(), cv::FileStorage::READ);
    if (!file.isOpened()) throw ConfigError((folder / "state.yml").string(), "checkpoint not found");
    std::string options;
    file["options"] >> options;
    if (options != options_.canonical()) throw ConfigError((folder / "state.yml").string(), "checkpoint was saved with other options");
    int seed = 0;
    file["seed"] >> seed;
    seed_ = static_cast<std::uint64_t>(seed);
    file["mean"] >> mean_;
    file["std"] >> std_;
  }

 private:
  cv::Mat grey(const cv::Mat& image) const {
    const bool crop = options_.text("frame") == "crop";
    cv::Mat g = crop ? datasets::prepare_image(image, input_transform()) : image;
    if (g.channels() == 3) cv::cvtColor(g, g, cv::COLOR_BGR2GRAY);
    if (!crop) cv::resize(g, g, {size_, size_}, 0, 0, cv::INTER_AREA);
    g.convertTo(g, CV_64F, 1.0 / 255.0);
    return g;
  }

  methods::MethodOptions options_;
  int size_;
  std::uint64_t seed_ = 0;
  cv::Mat mean_, std_;
};

}  // namespace

void register_test_methods(methods::MethodRegistry& registry, std::vector<methods::CellEnvironment>* environments) {
  registry.add({"pixel_stats",
                "test-only: per-pixel mean/std of grey training images",
                {{"size", methods::OptionType::integer, "32", "working side in pixels", {{"tiny", "16"}}},
                 {"sleep_ms", methods::OptionType::integer, "0", "pause per training image (kill tests)", {}},
                 {"fail_category", methods::OptionType::text, "", "fit fails for this category", {}},
                 {"jitter", methods::OptionType::real, "0", "seeded noise added to maps", {}},
                 {"frame", methods::OptionType::text, "stretch", "stretch (resize to size x size) or crop (shorter side, centre crop)", {}}},
                [](const methods::MethodOptions& options) { return std::make_unique<PixelStats>(options); }});
  registry.add_library_version("pixel_stats", "test-1");
  if (environments) {
    registry.set_environment_setup([environments](const methods::CellEnvironment& env) { environments->push_back(env); });
  }
}

}  // namespace kdad::test
