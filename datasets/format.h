// Dataset formats by name, and opening a dataset of a given format (the readers' one entry point).
#pragma once

#include "datasets/dataset.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kdad::datasets {

enum class DatasetFormat {
  mvtec_ad,
  mpdd,
  btad,
  visa,
  visa_prepared,  ///< VisA after prepare_data.py --split-type 1cls (MVTec-style, masks <stem>.png)
  ksdd2,
  mvtec_ad2,
  mnist,
  fashion_mnist,
  cifar10,
  folder,
};

/// Every format with its name and a one-line description, in a stable order.
struct FormatInfo {
  DatasetFormat format;
  const char* name;
  const char* description;
};
const std::vector<FormatInfo>& dataset_formats();

/// Parses a format name; throws ConfigError listing the valid names.
DatasetFormat parse_dataset_format(const std::string& name);
std::string format_name(DatasetFormat format);

/// Options some formats take.
struct DatasetOptions {
  std::filesystem::path visa_split_csv = "split_csv/1cls.csv";  ///< relative to the root unless absolute
  int threads = 1;                                               ///< for readers that decode while listing
};

/// Where `format` is found when no root is given (Fashion-MNIST: Debian's dataset-fashion-mnist
/// package); empty for formats without a default location.
std::filesystem::path default_dataset_root(DatasetFormat format);

/// Opens `root` as `format`. An empty root means the default location where one exists
/// (Fashion-MNIST: Debian's dataset-fashion-mnist package). Throws DataError when unreadable.
std::unique_ptr<Dataset> open_dataset(DatasetFormat format, const std::filesystem::path& root,
                                      const DatasetOptions& options = {});

}  // namespace kdad::datasets
