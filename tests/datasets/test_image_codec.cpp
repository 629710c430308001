// kdad's own image decoding (libpng, libjpeg, libtiff, BMP) against OpenCV's, and its refusals:
// truncated files of every format, forged sizes, folders, links and wrong extensions.
#include "core/error.h"
#include "datasets/image_codec.h"
#include "datasets/image_io.h"
#include "test_support.h"

#include <catch2/catch.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <fstream>

namespace kdad {
namespace {
namespace fs = std::filesystem;

cv::Mat pattern(int type, int rows = 37, int cols = 53) {
  cv::Mat image(rows, cols, type);
  cv::RNG rng(7);
  rng.fill(image, cv::RNG::UNIFORM, 0, CV_MAT_DEPTH(type) == CV_16U ? 65535 : CV_MAT_DEPTH(type) >= CV_32F ? 1 : 255);
  return image;
}

bool identical(const cv::Mat& a, const cv::Mat& b) {
  if (a.size() != b.size() || a.type() != b.type()) return false;
  cv::Mat diff = a.reshape(1) != b.reshape(1);
  return cv::countNonZero(diff) == 0;
}

void truncate_to(const fs::path& file, double fraction) {
  const auto size = fs::file_size(file);
  fs::resize_file(file, static_cast<std::uintmax_t>(static_cast<double>(size) * fraction));
}

// The DataError's subject is the file: the message names it.
void require_refused(const fs::path& file, const std::string& words) {
  try {
    (void)datasets::decode_image_file(file);
    FAIL("decoded " << file);
  } catch (const DataError& e) {
    CHECK(e.subject() == file.string());
    CHECK(std::string(e.problem()).find(words) != std::string::npos);
  }
}

}  // namespace

TEST_CASE("kdad's decoders give OpenCV's pixels for every format and depth kdad reads", "[datasets][codec]") {
  test::TempDir dir;
  struct Case {
    const char* name;
    int type;
    std::vector<int> params;
  };
  const std::vector<Case> cases = {
      {"gray8.png", CV_8UC1, {}},       {"bgr8.png", CV_8UC3, {}},         {"bgra8.png", CV_8UC4, {}},
      {"gray16.png", CV_16UC1, {}},     {"bgr16.png", CV_16UC3, {}},       {"gray.jpg", CV_8UC1, {cv::IMWRITE_JPEG_QUALITY, 90}},
      {"bgr.jpg", CV_8UC3, {cv::IMWRITE_JPEG_QUALITY, 90}},                {"prog.jpg", CV_8UC3, {cv::IMWRITE_JPEG_PROGRESSIVE, 1}},
      {"map32.tiff", CV_32FC1, {}},     {"map64.tif", CV_64FC1, {}},       {"gray8.tiff", CV_8UC1, {}},
      {"gray16.tiff", CV_16UC1, {}},    {"bgr8.tiff", CV_8UC3, {}},        {"gray8.bmp", CV_8UC1, {}},
      {"bgr8.bmp", CV_8UC3, {}},        {"bgra8.bmp", CV_8UC4, {}},
  };
  for (const auto& c : cases) {
    const fs::path file = dir / c.name;
    REQUIRE(cv::imwrite(file.string(), pattern(c.type), c.params));
    const cv::Mat expected = cv::imread(file.string(), cv::IMREAD_UNCHANGED);
    INFO(c.name);
    CHECK(identical(datasets::decode_image_file(file), expected));
  }
}

TEST_CASE("PNGs and float32 TIFFs kdad writes read back exactly in OpenCV", "[datasets][codec]") {
  test::TempDir dir;
  for (int type : {CV_8UC1, CV_8UC3, CV_8UC4, CV_16UC1}) {
    const cv::Mat image = pattern(type);
    datasets::encode_png(dir / "out.png", image);
    CHECK(identical(cv::imread((dir / "out.png").string(), cv::IMREAD_UNCHANGED), image));
  }
  const cv::Mat map = pattern(CV_32FC1, 300, 301);
  datasets::encode_float32_tiff(dir / "map.tiff", map);
  CHECK(identical(cv::imread((dir / "map.tiff").string(), cv::IMREAD_UNCHANGED), map));
  CHECK(identical(datasets::read_anomaly_map(dir / "map.tiff"), map));
}

TEST_CASE("Truncated images of every format are errors naming the file", "[datasets][codec]") {
  test::TempDir dir;
  const cv::Mat image = pattern(CV_8UC3, 120, 160);
  for (const char* name : {"cut.png", "cut.jpg", "cut.tiff", "cut.bmp"}) {
    const fs::path file = dir / name;
    REQUIRE(cv::imwrite(file.string(), image));
    REQUIRE_NOTHROW(datasets::decode_image_file(file));
    truncate_to(file, 0.6);
    INFO(name);
    // OpenCV fills a cut JPEG with grey and prints a warning; kdad refuses it.
    require_refused(file, "truncated or corrupt");
    CHECK_THROWS_AS(datasets::read_image(file), DataError);
  }
  // A PNG cut after its pixels but before its end chunk is refused too.
  const fs::path tail = dir / "tail.png";
  REQUIRE(cv::imwrite(tail.string(), image));
  truncate_to(tail, 1.0 - 6.0 / static_cast<double>(fs::file_size(tail)));
  require_refused(tail, "truncated or corrupt PNG");
}

TEST_CASE("A header claiming more pixels than the limit is refused before decoding", "[datasets][codec]") {
  test::TempDir dir;
  // A real 1x1 PNG whose header is patched to 100000 x 100000 (10^10 pixels).
  const fs::path forged = dir / "huge.png";
  REQUIRE(cv::imwrite(forged.string(), cv::Mat(1, 1, CV_8UC1, cv::Scalar(3))));
  {
    std::fstream f(forged, std::ios::in | std::ios::out | std::ios::binary);
    const unsigned char size[8] = {0, 1, 0x86, 0xA0, 0, 1, 0x86, 0xA0};
    f.seekp(16);
    f.write(reinterpret_cast<const char*>(size), 8);
  }
  require_refused(forged, "over the limit of 100000000");
  CHECK_THROWS_AS(datasets::image_size(forged), DataError);

  // A genuine 2000x1000 image is refused under a lower limit and read again once it is raised.
  const fs::path big = dir / "big.png";
  REQUIRE(cv::imwrite(big.string(), cv::Mat(1000, 2000, CV_8UC1, cv::Scalar(0))));
  datasets::set_max_image_pixels(1'000'000);
  require_refused(big, "--max-image-pixels");
  datasets::set_max_image_pixels(datasets::kDefaultMaxImagePixels);
  CHECK(datasets::decode_image_file(big).cols == 2000);
}

TEST_CASE("Folders, links, empty files and unknown content are refused by name", "[datasets][codec]") {
  test::TempDir dir;
  fs::create_directory(dir / "folder.png");
  require_refused(dir / "folder.png", "is a folder");
  std::ofstream(dir / "empty.png").close();
  require_refused(dir / "empty.png", "empty file");
  std::ofstream(dir / "text.png") << "not an image at all";
  require_refused(dir / "text.png", "unrecognised");
  fs::create_symlink(dir / "nowhere.png", dir / "dangling.png");
  require_refused(dir / "dangling.png", "dangling symbolic link");
  fs::create_symlink(dir / "loop_b.png", dir / "loop_a.png");
  fs::create_symlink(dir / "loop_a.png", dir / "loop_b.png");
  require_refused(dir / "loop_a.png", "symbolic link loop");
  // A link to a real image is followed.
  REQUIRE(cv::imwrite((dir / "real.png").string(), pattern(CV_8UC1)));
  fs::create_symlink(dir / "real.png", dir / "link.png");
  CHECK(identical(datasets::decode_image_file(dir / "link.png"), pattern(CV_8UC1)));
  // The content decides, not the name: a JPEG called .png decodes as the JPEG it is.
  REQUIRE(cv::imwrite((dir / "photo.jpg").string(), pattern(CV_8UC3)));
  fs::copy_file(dir / "photo.jpg", dir / "photo.png");
  CHECK(datasets::read_image_header(dir / "photo.png").format == datasets::ImageFileFormat::jpeg);
}

TEST_CASE("A mask that is not two-valued is refused unless accepted, then split at half its maximum", "[datasets][codec]") {
  test::TempDir dir;
  cv::Mat mask(64, 64, CV_8UC1, cv::Scalar(0));
  cv::rectangle(mask, {10, 12, 30, 20}, cv::Scalar(255), cv::FILLED);
  // A JPEG-coded mask under a .png name: compression noise around 0 and 255.
  REQUIRE(cv::imwrite((dir / "noisy.jpg").string(), mask, {cv::IMWRITE_JPEG_QUALITY, 75}));
  fs::rename(dir / "noisy.jpg", dir / "noisy.png");
  try {
    (void)datasets::read_mask(dir / "noisy.png");
    FAIL("accepted a JPEG-coded mask");
  } catch (const DataError& e) {
    CHECK(e.subject() == (dir / "noisy.png").string());
    CHECK(std::string(e.problem()).find("not two-valued") != std::string::npos);
    CHECK(std::string(e.problem()).find("JPEG") != std::string::npos);
  }
  datasets::set_accept_noisy_masks(true);
  const cv::Mat accepted = datasets::read_mask(dir / "noisy.png");
  datasets::set_accept_noisy_masks(false);
  CHECK(cv::countNonZero(accepted) > 550);
  CHECK(cv::countNonZero(accepted) < 650);  // the 600-pixel rectangle, not its noise
  // Clean masks: 0/255, and VisA's class indices.
  REQUIRE(cv::imwrite((dir / "clean.png").string(), mask));
  CHECK(cv::countNonZero(datasets::read_mask(dir / "clean.png")) == 600);
  cv::Mat classes = mask / 255 * 3;
  classes(cv::Rect(0, 0, 5, 5)) = 1;
  REQUIRE(cv::imwrite((dir / "classes.png").string(), classes));
  CHECK(cv::countNonZero(datasets::read_mask(dir / "classes.png")) == 625);
}

}  // namespace kdad
