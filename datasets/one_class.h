// The one-class protocol on classification sets: MNIST and Fashion-MNIST (IDX files, gzip or not)
// and CIFAR-10 (binary batches). One class is normal, every other class anomalous; image-level only.
#pragma once

#include "datasets/dataset.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace kdad::datasets {

/// Decoded images of one split, in file order: `count` images of rows×cols×channels bytes
/// (channels interleaved in BGR order, as cv::Mat expects).
struct ImageRecords {
  std::filesystem::path file;  ///< the image container file
  int rows = 0;
  int cols = 0;
  int channels = 1;
  std::vector<std::uint8_t> pixels;
  std::vector<std::uint8_t> labels;
  std::size_t count() const { return labels.size(); }
};

/// Where Debian's dataset-fashion-mnist package installs the Fashion-MNIST files.
inline constexpr const char* kDebianFashionMnistRoot = "/usr/share/datasets/fashion-mnist";

/// A classification set under the one-class protocol. Categories are the class names; for a
/// category, train = its training images, test = every test image (its class normal, others
/// anomalous, defect type = the true class name). Images are held in memory (Fashion-MNIST: 55 MB).
class OneClassDataset final : public Dataset {
 public:
  OneClassDataset(std::string format, std::filesystem::path root, std::vector<std::string> class_names,
                  ImageRecords train, ImageRecords test);

  std::string format() const override { return format_; }
  std::filesystem::path root() const override { return root_; }
  std::vector<std::string> categories() const override;
  /// Accepts the class name or its index ("3").
  CategorySplit split(const std::string& category, ProblemSink* sink = nullptr) const override;
  std::optional<std::string> resolve_category(const std::string& name) const override;
  Sample load(const SampleRef& ref) const override;
  bool has_pixel_ground_truth() const override { return false; }
  std::filesystem::path category_folder(const std::string&) const override { return {}; }

 private:
  std::string format_;
  std::filesystem::path root_;
  std::vector<std::string> class_names_;
  ImageRecords train_;
  ImageRecords test_;
};

/// MNIST ("mnist") or Fashion-MNIST ("fashion_mnist") from train-images-idx3-ubyte[.gz],
/// train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz].
/// Throws DataError naming a missing or malformed file.
std::unique_ptr<Dataset> open_idx_dataset(const std::string& format, const std::filesystem::path& root);

/// CIFAR-10 from data_batch_1..5.bin and test_batch.bin (in `root` or root/cifar-10-batches-bin).
std::unique_ptr<Dataset> open_cifar10(const std::filesystem::path& root);

/// Reads one IDX file (gzip-compressed or plain): magic, big-endian dimensions, unsigned bytes.
/// Returns the dimensions and fills `data`. Throws DataError naming the file.
std::vector<std::uint32_t> read_idx(const std::filesystem::path& file, std::vector<std::uint8_t>& data);

}  // namespace kdad::datasets
