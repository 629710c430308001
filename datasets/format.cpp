// Dataset formats by name, and the factory over the readers.
#include "datasets/format.h"

#include "core/error.h"
#include "datasets/folder_layout.h"
#include "datasets/ksdd2.h"
#include "datasets/mvtec_ad.h"
#include "datasets/mvtec_ad2.h"
#include "datasets/one_class.h"
#include "datasets/visa.h"

#include <fmt/format.h>

namespace kdad::datasets {

const std::vector<FormatInfo>& dataset_formats() {
  static const std::vector<FormatInfo> kFormats = {
      {DatasetFormat::mvtec_ad, "mvtec_ad", "MVTec AD: <cat>/train/good, test/<defect>, ground_truth/<defect>/<id>_mask.png"},
      {DatasetFormat::mpdd, "mpdd", "MPDD: MVTec-style, masks <id>_mask.png or <id>.png"},
      {DatasetFormat::btad, "btad", "BTAD: <01|02|03>/train/ok, test/{ok,ko}, ground_truth/ko (bmp or png)"},
      {DatasetFormat::visa, "visa", "VisA raw release with split_csv/1cls.csv (object,split,label,image,mask)"},
      {DatasetFormat::visa_prepared, "visa_prepared", "VisA after prepare_data.py (MVTec-style, masks <id>.png)"},
      {DatasetFormat::ksdd2, "ksdd2", "KolektorSDD2: train/ and test/ with <id>.png and <id>_GT.png"},
      {DatasetFormat::mvtec_ad2, "mvtec_ad2", "MVTec AD 2: train, validation, test_public, test_private(_mixed)"},
      {DatasetFormat::mnist, "mnist", "MNIST IDX files (gzip or not), one-class protocol"},
      {DatasetFormat::fashion_mnist, "fashion_mnist", "Fashion-MNIST IDX files, one-class protocol (default: Debian package)"},
      {DatasetFormat::cifar10, "cifar10", "CIFAR-10 binary batches, one-class protocol"},
      {DatasetFormat::folder, "folder", "your own data: normal/, anomalous/, optional masks/ (per category)"},
  };
  return kFormats;
}

DatasetFormat parse_dataset_format(const std::string& name) {
  std::string names;
  for (const auto& info : dataset_formats()) {
    if (name == info.name) return info.format;
    names += (names.empty() ? "" : ", ") + std::string(info.name);
  }
  throw ConfigError(name, fmt::format("unknown dataset format (known: {})", names));
}

std::string format_name(DatasetFormat format) {
  for (const auto& info : dataset_formats()) {
    if (info.format == format) return info.name;
  }
  return "unknown";
}

std::filesystem::path default_dataset_root(DatasetFormat format) {
  return format == DatasetFormat::fashion_mnist ? std::filesystem::path(kDebianFashionMnistRoot) : std::filesystem::path();
}

std::unique_ptr<Dataset> open_dataset(DatasetFormat format, const std::filesystem::path& root,
                                      const DatasetOptions& options) {
  if (root.empty() && format != DatasetFormat::fashion_mnist) {
    throw UsageError("dataset root", fmt::format("format {} needs a dataset root", format_name(format)));
  }
  switch (format) {
    case DatasetFormat::mvtec_ad: return std::make_unique<MvtecAd>(root, mvtec_ad_layout());
    case DatasetFormat::mpdd: return std::make_unique<MvtecAd>(root, mpdd_layout());
    case DatasetFormat::btad: return std::make_unique<MvtecAd>(root, btad_layout());
    case DatasetFormat::visa_prepared: return std::make_unique<MvtecAd>(root, MvtecLayout{"visa_prepared", "good", {"", "_mask"}});
    case DatasetFormat::visa: return std::make_unique<Visa>(root, options.visa_split_csv);
    case DatasetFormat::ksdd2: return std::make_unique<Ksdd2>(root, options.threads);
    case DatasetFormat::mvtec_ad2: return std::make_unique<MvtecAd2>(root);
    case DatasetFormat::mnist: return open_idx_dataset("mnist", root);
    case DatasetFormat::fashion_mnist: {
      std::error_code ec;
      if ((root.empty() || root == default_dataset_root(format)) && !std::filesystem::is_directory(kDebianFashionMnistRoot, ec)) {
        throw DataError(kDebianFashionMnistRoot, "not found; install Debian's dataset-fashion-mnist package or give "
                                                 "the folder holding the IDX files");
      }
      return open_idx_dataset("fashion_mnist", root.empty() ? default_dataset_root(format) : root);
    }
    case DatasetFormat::cifar10: return open_cifar10(root);
    case DatasetFormat::folder: return std::make_unique<FolderLayout>(root);
  }
  throw InternalError("open_dataset", "unhandled format");
}

}  // namespace kdad::datasets
