// Every reader on a fixture laid out like the published dataset: counts, pairing, labels, loading.
#include "core/error.h"
#include "datasets/format.h"
#include "datasets/one_class.h"
#include "layout_fixtures.h"
#include "test_support.h"

#include <catch2/catch.hpp>
#include <opencv2/core.hpp>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <set>

using namespace kdad;
using namespace kdad::datasets;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

std::size_t count(const std::vector<SampleRef>& refs, Label label) {
  return static_cast<std::size_t>(std::count_if(refs.begin(), refs.end(), [&](const SampleRef& r) { return r.label == label; }));
}

// Every test sample loads, anomalous ones with a non-empty 0/1 mask of their image's size.
void check_loads(const Dataset& dataset, const CategorySplit& split) {
  std::set<std::string> ids;
  for (const auto* list : {&split.train, &split.validation, &split.test, &split.unlabelled}) {
    for (const auto& ref : *list) {
      INFO(ref.id);
      CHECK(ids.insert(ref.id).second);  // ids are unique
      const Sample sample = dataset.load(ref);
      CHECK_FALSE(sample.image.empty());
      if (ref.label == Label::anomalous && dataset.has_pixel_ground_truth() && !ref.mask.empty()) {
        REQUIRE(sample.mask.size() == sample.image.size());
        CHECK(cv::countNonZero(sample.mask) > 0);
        double max_value = 0;
        cv::minMaxLoc(sample.mask, nullptr, &max_value);
        CHECK(max_value == 1.0);
      }
    }
  }
}

}  // namespace

TEST_CASE("VisA: the split CSV decides every sample and per-defect mask values are binarised", "[datasets][readers]") {
  test::TempDir dir;
  test::write_visa(dir.path());
  const auto dataset = open_dataset(DatasetFormat::visa, dir.path());
  CHECK(dataset->categories() == std::vector<std::string>{"candle", "pcb1"});
  const auto candle = dataset->split("candle");
  CHECK(candle.train.size() == 4);
  CHECK(count(candle.test, Label::normal) == 2);
  CHECK(count(candle.test, Label::anomalous) == 2);
  CHECK(candle.test.front().id == "candle/Data/Images/Anomaly/000");
  CHECK(candle.test.front().mask.filename() == "000.png");
  check_loads(*dataset, candle);
  CHECK_THROWS_WITH(dataset->split("pcb9"), Contains("pcb9") && Contains("candle, pcb1"));
}

TEST_CASE("VisA: a malformed split CSV is an error naming the line", "[datasets][readers]") {
  test::TempDir dir;
  test::write_visa(dir.path());
  std::ofstream(dir / "split_csv" / "1cls.csv", std::ios::app) << "candle,test,broken,candle/x.JPG,\n";
  CHECK_THROWS_WITH(open_dataset(DatasetFormat::visa, dir.path()), Contains("1cls.csv:15") && Contains("broken"));
  std::ofstream(dir / "bad.csv") << "object,split,label,image\ncandle,train,normal,a.JPG\n";
  DatasetOptions options;
  options.visa_split_csv = dir / "bad.csv";
  CHECK_THROWS_WITH(open_dataset(DatasetFormat::visa, dir.path(), options), Contains("no column 'mask'"));
}

TEST_CASE("KolektorSDD2: labels come from the masks and defective train images are left out", "[datasets][readers]") {
  test::TempDir dir;
  test::write_ksdd2(dir.path());
  const auto dataset = open_dataset(DatasetFormat::ksdd2, dir.path());
  const auto split = dataset->split("ksdd2");
  CHECK(split.train.size() == 4);
  CHECK(split.excluded.size() == 2);
  CHECK(split.test.size() == 4);
  CHECK(count(split.test, Label::anomalous) == 1);
  check_loads(*dataset, split);
  fs::remove(dir / "test" / "10106_GT.png");
  CHECK_THROWS_WITH(dataset->split("ksdd2"), Contains("10106_GT.png") && Contains("missing"));
}

TEST_CASE("BTAD: ok/ko folders with bmp images and png or bmp masks", "[datasets][readers]") {
  test::TempDir dir;
  test::write_btad(dir.path());
  const auto dataset = open_dataset(DatasetFormat::btad, dir.path());
  CHECK(dataset->categories() == std::vector<std::string>{"01", "03"});
  for (const auto& category : dataset->categories()) {
    const auto split = dataset->split(category);
    CHECK(split.train.size() == 3);
    CHECK(count(split.test, Label::normal) == 2);
    CHECK(count(split.test, Label::anomalous) == 2);
    check_loads(*dataset, split);
  }
  CHECK(dataset->split("03").test.front().mask.extension() == ".bmp");
}

TEST_CASE("MPDD: masks named <id>_mask.png and <id>.png are both paired", "[datasets][readers]") {
  test::TempDir dir;
  test::write_mpdd(dir.path());
  const auto dataset = open_dataset(DatasetFormat::mpdd, dir.path());
  const auto split = dataset->split("tubes");
  REQUIRE(count(split.test, Label::anomalous) == 2);
  CHECK(split.test[0].mask.filename() == "000_mask.png");
  CHECK(split.test[1].mask.filename() == "001.png");
  check_loads(*dataset, split);
  CHECK_THROWS_AS(open_dataset(DatasetFormat::mvtec_ad, dir.path())->split("tubes"), DataError);  // strict MVTec naming
}

TEST_CASE("MVTec AD 2: validation and the private test sets are kept apart from the scored split", "[datasets][readers]") {
  test::TempDir dir;
  test::write_mvtec_ad2(dir.path());
  const auto dataset = open_dataset(DatasetFormat::mvtec_ad2, dir.path());
  CHECK(dataset->categories() == std::vector<std::string>{"can"});
  const auto split = dataset->split("can");
  CHECK(split.train.size() == 3);
  CHECK(split.validation.size() == 2);
  CHECK(split.test.size() == 4);
  CHECK(count(split.test, Label::anomalous) == 2);
  CHECK(split.unlabelled.size() == 3);
  for (const auto& ref : split.unlabelled) CHECK_FALSE(ref.labelled);
  check_loads(*dataset, split);  // includes unique ids although good/ and bad/ share stems
}

TEST_CASE("MNIST IDX files work gzip-compressed and plain under the one-class protocol", "[datasets][readers]") {
  for (const bool gzip : {true, false}) {
    test::TempDir dir;
    test::write_idx(dir.path(), gzip);
    const auto dataset = open_dataset(DatasetFormat::mnist, dir.path());
    CHECK_FALSE(dataset->has_pixel_ground_truth());
    const auto split = dataset->split("3");
    CHECK(split.train.size() == 3);  // labels cycle 0..9 over 30 images
    CHECK(split.test.size() == 20);
    CHECK(count(split.test, Label::normal) == 2);
    CHECK(count(split.test, Label::anomalous) == 18);
    const Sample sample = dataset->load(split.train.front());
    CHECK(sample.image.size() == cv::Size(28, 28));
    CHECK(sample.image.at<uchar>(0, 1) == static_cast<uchar>((1 + 3 * 7) % 256));  // image index 3
  }
}

TEST_CASE("a one-class class is named alike by its name or index everywhere", "[datasets][readers]") {
  test::TempDir dir;
  test::write_idx(dir.path(), false);
  const auto dataset = open_dataset(DatasetFormat::fashion_mnist, dir.path());
  CHECK(dataset->resolve_category("3") == std::optional<std::string>("dress"));
  CHECK(dataset->resolve_category("dress") == std::optional<std::string>("dress"));
  CHECK_FALSE(dataset->resolve_category("12").has_value());
  CHECK(resolve_categories(*dataset, {"1", "bag"}) == std::vector<std::string>{"trouser", "bag"});
  try {
    resolve_categories(*dataset, {"widget"});
    FAIL("an unknown class was accepted");
  } catch (const DataError& e) {
    CHECK(e.subject() == "widget");  // named once, with the root it was looked for in
    CHECK_THAT(e.problem(), Contains(dir.path().string()) && Contains("tshirt_top, trouser"));
  }
}

TEST_CASE("IDX files named the Kaggle way are found and a corrupt gzip file gets a readable message", "[datasets][readers]") {
  test::TempDir dir;
  test::write_idx(dir.path(), false);
  for (const std::string stem : {"train-images", "train-labels", "t10k-images", "t10k-labels"}) {
    const std::string kind = stem.find("images") != std::string::npos ? "idx3" : "idx1";
    fs::rename(dir / (stem + "-" + kind + "-ubyte"), dir / (stem + "." + kind + "-ubyte"));  // train-images.idx3-ubyte
  }
  CHECK(open_dataset(DatasetFormat::mnist, dir.path())->split("3").test.size() == 20);

  test::TempDir zipped;
  test::write_idx(zipped.path(), true);
  const fs::path file = zipped / "t10k-labels-idx1-ubyte.gz";
  std::ifstream in(file, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  in.close();
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x5a);  // flip bits mid-stream
  bytes.resize(bytes.size() - 6);                                              // and cut the trailer
  std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
  try {
    open_dataset(DatasetFormat::mnist, zipped.path());
    FAIL("a corrupt gzip file was read");
  } catch (const DataError& e) {
    const std::string message = e.what();
    INFO(message);
    CHECK_THAT(message, Contains("t10k-labels-idx1-ubyte.gz: corrupt or truncated file ("));
    // Every character of zlib's text is printable: it was copied before gzclose freed it.
    CHECK(std::all_of(message.begin(), message.end(), [](unsigned char c) { return c >= 0x20 && c < 0x7f; }));
  }
}

TEST_CASE("IDX files with a bad header or size are errors naming the file", "[datasets][readers]") {
  test::TempDir dir;
  test::write_idx(dir.path(), false);
  std::ofstream(dir / "t10k-labels-idx1-ubyte", std::ios::binary) << std::string("\x00\x00\x08\x01\x00\x00\x00\x05", 8) << "abc";
  CHECK_THROWS_WITH(open_dataset(DatasetFormat::mnist, dir.path()), Contains("t10k-labels-idx1-ubyte") && Contains("header promises"));
  std::ofstream(dir / "t10k-labels-idx1-ubyte", std::ios::binary) << "GIF89a";
  CHECK_THROWS_WITH(open_dataset(DatasetFormat::mnist, dir.path()), Contains("magic"));
  fs::remove(dir / "train-images-idx3-ubyte");
  CHECK_THROWS_WITH(open_dataset(DatasetFormat::mnist, dir.path()), Contains("train-images-idx3-ubyte") && Contains("not found"));
}

TEST_CASE("CIFAR-10 binary batches: planes become BGR images and classes are named", "[datasets][readers]") {
  test::TempDir dir;
  test::write_cifar10(dir.path());
  const auto dataset = open_dataset(DatasetFormat::cifar10, dir.path());
  CHECK(dataset->categories().front() == "airplane");
  const auto split = dataset->split("bird");
  CHECK(split.train.size() == 2);  // labels (4..23) % 10 == 2 twice
  CHECK(split.test.size() == 10);
  const Sample sample = dataset->load(split.test[2]);  // label 2, offset 2
  REQUIRE(sample.image.type() == CV_8UC3);
  const cv::Vec3b pixel = sample.image.at<cv::Vec3b>(0, 0);
  CHECK(pixel == cv::Vec3b(160 + 2, 80 + 2, 0 + 2));  // B from the third plane, R from the first
  std::ofstream(dir / "cifar-10-batches-bin" / "test_batch.bin", std::ios::binary) << "short";
  CHECK_THROWS_WITH(open_dataset(DatasetFormat::cifar10, dir.path()), Contains("test_batch.bin") && Contains("3073"));
}

TEST_CASE("the folder layout: categories, a stable 20 percent test split and optional masks", "[datasets][readers]") {
  test::TempDir dir;
  test::write_folder_layout(dir.path());
  const auto dataset = open_dataset(DatasetFormat::folder, dir.path());
  CHECK(dataset->categories() == std::vector<std::string>{"gadget", "widget"});
  const auto widget = dataset->split("widget");
  CHECK(widget.train.size() + count(widget.test, Label::normal) == 10);
  CHECK(count(widget.test, Label::anomalous) == 2);
  for (const auto& ref : widget.test) {
    if (ref.label == Label::anomalous) CHECK_FALSE(ref.mask.empty());
  }
  check_loads(*dataset, widget);
  const auto gadget = dataset->split("gadget");
  CHECK(gadget.train.size() == 5);
  CHECK(count(gadget.test, Label::normal) == 2);
  CHECK(gadget.test.back().mask.empty());  // anomalous without a mask: image level only
  const auto single = open_dataset(DatasetFormat::folder, dir / "widget");
  CHECK(single->categories() == std::vector<std::string>{"widget"});
  CHECK(single->split("widget").test.size() == widget.test.size());
}

TEST_CASE("Debian's Fashion-MNIST package works out of the box: 6000 train and 10000 test per class", "[datasets][readers]") {
  if (!fs::exists(kDebianFashionMnistRoot)) {
    test::skip_test("dataset-fashion-mnist is not installed (run ci/setup.sh)");
    return;
  }
  const auto dataset = open_dataset(DatasetFormat::fashion_mnist, "");
  CHECK(dataset->categories().size() == 10);
  for (const std::string category : {"tshirt_top", "ankle_boot", "3"}) {
    const auto split = dataset->split(category);
    CHECK(split.train.size() == 6000);
    CHECK(split.test.size() == 10000);
    CHECK(count(split.test, Label::normal) == 1000);
  }
  CHECK(dataset->load(dataset->split("bag").train.front()).image.size() == cv::Size(28, 28));
}

TEST_CASE("unknown formats are usage errors listing the known ones", "[datasets][readers]") {
  CHECK_THROWS_WITH(parse_dataset_format("imagenet"), Contains("imagenet") && Contains("mvtec_ad") && Contains("ksdd2"));
  CHECK(parse_dataset_format("visa") == DatasetFormat::visa);
  CHECK_THROWS_AS(open_dataset(DatasetFormat::mvtec_ad, ""), UsageError);
  CHECK_THROWS_AS(parse_dataset_format("imagenet"), ConfigError);
}

TEST_CASE("every reader pairs each image with its own mask", "[datasets][readers][pairing]") {
  struct Layout {
    DatasetFormat format;
    test::WrittenMasks (*write)(const fs::path&);
  };
  const Layout layouts[] = {{DatasetFormat::visa, test::write_visa},         {DatasetFormat::visa_prepared, test::write_visa_prepared},
                            {DatasetFormat::ksdd2, test::write_ksdd2},       {DatasetFormat::btad, test::write_btad},
                            {DatasetFormat::mpdd, test::write_mpdd},         {DatasetFormat::mvtec_ad2, test::write_mvtec_ad2},
                            {DatasetFormat::folder, test::write_folder_layout}};
  for (const auto& layout : layouts) {
    INFO(format_name(layout.format));
    test::TempDir dir;
    const test::WrittenMasks written = layout.write(dir.path());
    // The masks themselves differ from sample to sample, or the check below would prove nothing.
    for (auto a = written.begin(); a != written.end(); ++a) {
      for (auto b = std::next(a); b != written.end(); ++b) {
        if (a->second.size() == b->second.size()) CHECK(cv::countNonZero(a->second != b->second) > 0);
      }
    }
    const auto dataset = open_dataset(layout.format, dir.path());
    std::size_t checked = 0, normal = 0;
    for (const auto& category : dataset->categories()) {
      for (const auto& ref : dataset->split(category).test) {
        INFO(ref.id);
        const Sample sample = dataset->load(ref);
        const auto expected = written.find(ref.id);
        if (expected == written.end()) {
          CHECK((sample.mask.empty() || cv::countNonZero(sample.mask) == 0));
          ++normal;
          continue;
        }
        REQUIRE_FALSE(sample.mask.empty());
        REQUIRE(sample.mask.size() == expected->second.size());
        CHECK(cv::countNonZero(sample.mask != expected->second) == 0);
        ++checked;
      }
    }
    // Every mask written for a test image was loaded for exactly that image (KSDD2's defective
    // training images are not test samples).
    std::size_t expected_checked = 0;
    for (const auto& [id, mask] : written) expected_checked += id.rfind("train/", 0) == 0 ? 0 : 1;
    CHECK(checked == expected_checked);
    CHECK(normal > 0);
  }
}
