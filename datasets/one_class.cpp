// The one-class protocol on MNIST, Fashion-MNIST and CIFAR-10.
#include "datasets/one_class.h"

#include "core/error.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <opencv2/core.hpp>
#include <zlib.h>

#include <algorithm>
#include <fstream>

namespace kdad::datasets {
namespace fs = std::filesystem;
namespace {

const std::vector<std::string> kMnistClasses = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
const std::vector<std::string> kFashionClasses = {"tshirt_top", "trouser", "pullover", "dress", "coat",
                                                  "sandal",     "shirt",   "sneaker",  "bag",   "ankle_boot"};
const std::vector<std::string> kCifarClasses = {"airplane", "automobile", "bird", "cat",  "deer",
                                                "dog",      "frog",       "horse", "ship", "truck"};

// Reads a whole file through zlib, which passes plain (uncompressed) files through unchanged.
std::vector<std::uint8_t> read_maybe_gzip(const fs::path& file) {
  gzFile in = gzopen(file.string().c_str(), "rb");
  if (!in) throw DataError(file.string(), "cannot open file");
  std::vector<std::uint8_t> bytes;
  std::uint8_t chunk[1 << 16];
  int got = 0;
  while ((got = gzread(in, chunk, sizeof(chunk))) > 0) bytes.insert(bytes.end(), chunk, chunk + got);
  int error = Z_OK;
  const char* text = gzerror(in, &error);
  const std::string message = text && *text ? text : "zlib error";  // copied: gzclose frees it
  gzclose(in);
  if (got < 0 || (error != Z_OK && error != Z_STREAM_END)) {
    throw DataError(file.string(), fmt::format("corrupt or truncated file ({})", message));
  }
  return bytes;
}

fs::path find_idx(const fs::path& root, const std::string& stem) {
  std::error_code ec;
  std::string dotted = stem;  // Kaggle's mirror names them train-images.idx3-ubyte
  dotted[dotted.find("-idx")] = '.';
  for (const std::string& name : {stem, stem + ".gz", dotted, dotted + ".gz"}) {
    if (fs::is_regular_file(root / name, ec)) return root / name;
  }
  throw DataError((root / (stem + ".gz")).string(), "IDX file not found (plain or .gz)");
}

ImageRecords read_idx_split(const fs::path& root, const std::string& prefix) {
  ImageRecords records;
  records.file = find_idx(root, prefix + "-images-idx3-ubyte");
  const fs::path labels_file = find_idx(root, prefix + "-labels-idx1-ubyte");
  const auto image_dims = read_idx(records.file, records.pixels);
  const auto label_dims = read_idx(labels_file, records.labels);
  if (image_dims.size() != 3) throw DataError(records.file.string(), "expected a 3-dimensional IDX image file");
  if (label_dims.size() != 1) throw DataError(labels_file.string(), "expected a 1-dimensional IDX label file");
  if (image_dims[0] != label_dims[0]) {
    throw DataError(labels_file.string(), fmt::format("{} labels for {} images in {}", label_dims[0], image_dims[0],
                                                      records.file.string()));
  }
  records.rows = static_cast<int>(image_dims[1]);
  records.cols = static_cast<int>(image_dims[2]);
  for (std::uint8_t label : records.labels) {
    if (label > 9) throw DataError(labels_file.string(), fmt::format("label {} outside 0..9", label));
  }
  return records;
}

void append_cifar_batch(const fs::path& file, ImageRecords& records) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw DataError(file.string(), "CIFAR-10 batch file not found");
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  constexpr std::size_t kRecord = 1 + 3 * 1024;
  if (bytes.empty() || bytes.size() % kRecord != 0) {
    throw DataError(file.string(), fmt::format("size {} is not a multiple of the 3073-byte CIFAR-10 record", bytes.size()));
  }
  for (std::size_t offset = 0; offset < bytes.size(); offset += kRecord) {
    const auto label = static_cast<std::uint8_t>(bytes[offset]);
    if (label > 9) throw DataError(file.string(), fmt::format("label {} outside 0..9 at byte {}", label, offset));
    records.labels.push_back(label);
    for (int p = 0; p < 1024; ++p) {  // planes R, G, B → interleaved B, G, R
      for (int c = 2; c >= 0; --c) records.pixels.push_back(static_cast<std::uint8_t>(bytes[offset + 1 + c * 1024 + p]));
    }
  }
}

}  // namespace

std::vector<std::uint32_t> read_idx(const fs::path& file, std::vector<std::uint8_t>& data) {
  const std::vector<std::uint8_t> bytes = read_maybe_gzip(file);
  if (bytes.size() < 4 || bytes[0] != 0 || bytes[1] != 0 || bytes[2] != 0x08) {
    throw DataError(file.string(), "not an IDX file of unsigned bytes (bad magic number)");
  }
  const int rank = bytes[3];
  if (rank < 1 || rank > 4 || bytes.size() < 4 + 4 * static_cast<std::size_t>(rank)) {
    throw DataError(file.string(), "IDX header is truncated or has an invalid rank");
  }
  std::vector<std::uint32_t> dims(static_cast<std::size_t>(rank));
  std::size_t expected = 1;
  for (int d = 0; d < rank; ++d) {
    const std::uint8_t* p = bytes.data() + 4 + 4 * d;
    dims[static_cast<std::size_t>(d)] = (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
    expected *= dims[static_cast<std::size_t>(d)];
  }
  const std::size_t header = 4 + 4 * static_cast<std::size_t>(rank);
  if (bytes.size() - header != expected) {
    throw DataError(file.string(), fmt::format("holds {} data bytes, the header promises {}", bytes.size() - header, expected));
  }
  data.assign(bytes.begin() + static_cast<std::ptrdiff_t>(header), bytes.end());
  return dims;
}

OneClassDataset::OneClassDataset(std::string format, fs::path root, std::vector<std::string> class_names,
                                 ImageRecords train, ImageRecords test)
    : format_(std::move(format)), root_(std::move(root)), class_names_(std::move(class_names)),
      train_(std::move(train)), test_(std::move(test)) {}

std::vector<std::string> OneClassDataset::categories() const { return class_names_; }

std::optional<std::string> OneClassDataset::resolve_category(const std::string& name) const {
  if (std::find(class_names_.begin(), class_names_.end(), name) != class_names_.end()) return name;
  if (name.size() == 1 && name[0] >= '0' && name[0] <= '9' && static_cast<std::size_t>(name[0] - '0') < class_names_.size()) {
    return class_names_[static_cast<std::size_t>(name[0] - '0')];
  }
  return std::nullopt;
}

CategorySplit OneClassDataset::split(const std::string& category, ProblemSink* sink) const {
  const auto name = resolve_category(category);
  if (!name) {
    throw DataError(category, fmt::format("no such class in {} (classes: {})", root_.string(), fmt::join(class_names_, ", ")));
  }
  const auto found = std::find(class_names_.begin(), class_names_.end(), *name);
  const auto normal = static_cast<std::uint8_t>(found - class_names_.begin());
  CategorySplit split;
  split.category = *found;
  for (std::size_t i = 0; i < train_.count(); ++i) {
    if (train_.labels[i] != normal) continue;
    split.train.push_back({train_.file, {}, static_cast<std::int64_t>(i), Label::normal, true, "good", *found,
                           fmt::format("{}/train/{:05d}", *found, i)});
  }
  for (std::size_t i = 0; i < test_.count(); ++i) {
    const bool anomalous = test_.labels[i] != normal;
    split.test.push_back({test_.file, {}, static_cast<std::int64_t>(i), anomalous ? Label::anomalous : Label::normal,
                          true, anomalous ? class_names_[test_.labels[i]] : "good", *found,
                          fmt::format("{}/test/{:05d}", *found, i)});
  }
  if (split.train.empty()) {
    report_problem(sink, train_.file.string(), fmt::format("no training images of class {} (label {})", *found, normal));
  }
  if (std::none_of(split.test.begin(), split.test.end(), [](const SampleRef& r) { return r.label == Label::normal; })) {
    report_problem(sink, test_.file.string(), fmt::format("no test images of class {} (label {})", *found, normal));
  }
  return split;
}

Sample OneClassDataset::load(const SampleRef& ref) const {
  const ImageRecords& records = ref.image == train_.file ? train_ : test_;
  if (ref.record < 0 || static_cast<std::size_t>(ref.record) >= records.count()) {
    throw DataError(ref.image.string(), fmt::format("record {} out of range", ref.record));
  }
  const std::size_t bytes = static_cast<std::size_t>(records.rows * records.cols * records.channels);
  const cv::Mat view(records.rows, records.cols, CV_8UC(records.channels),
                     const_cast<std::uint8_t*>(records.pixels.data() + bytes * static_cast<std::size_t>(ref.record)));
  Sample sample;
  sample.image = view.clone();
  sample.label = ref.label;
  sample.defect_type = ref.defect_type;
  sample.category = ref.category;
  sample.id = ref.id;
  return sample;
}

std::unique_ptr<Dataset> open_idx_dataset(const std::string& format, const fs::path& root) {
  require_root_folder(root);
  const auto& names = format == "mnist" ? kMnistClasses : kFashionClasses;
  return std::make_unique<OneClassDataset>(format, root, names, read_idx_split(root, "train"), read_idx_split(root, "t10k"));
}

std::unique_ptr<Dataset> open_cifar10(const fs::path& root) {
  std::error_code ec;
  const fs::path folder = fs::is_directory(root / "cifar-10-batches-bin", ec) ? root / "cifar-10-batches-bin" : root;
  ImageRecords train, test;
  train.rows = test.rows = 32;
  train.cols = test.cols = 32;
  train.channels = test.channels = 3;
  train.file = folder / "data_batch_1.bin";
  for (int b = 1; b <= 5; ++b) append_cifar_batch(folder / fmt::format("data_batch_{}.bin", b), train);
  test.file = folder / "test_batch.bin";
  append_cifar_batch(test.file, test);
  return std::make_unique<OneClassDataset>("cifar10", root, kCifarClasses, std::move(train), std::move(test));
}

}  // namespace kdad::datasets
