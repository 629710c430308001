// Tiny directory trees laid out exactly like each published dataset.
#include "layout_fixtures.h"

#include "core/rng.h"

#include <fmt/format.h>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <zlib.h>

#include <algorithm>
#include <fstream>
#include <stdexcept>

namespace kdad::test {
namespace fs = std::filesystem;
namespace {

// A distinct image per (seed): a gradient with a seed-dependent offset, so no two are equal.
cv::Mat image(int rows, int cols, int channels, int seed) {
  cv::Mat out(rows, cols, CV_8UC(channels));
  for (int y = 0; y < rows; ++y) {
    for (int x = 0; x < cols; ++x) {
      for (int c = 0; c < channels; ++c) out.ptr<uchar>(y)[x * channels + c] = static_cast<uchar>((x * 3 + y * 5 + c * 40 + seed * 17) % 256);
    }
  }
  return out;
}

// A defect rectangle derived from the sample id (position and size), so that masks differ from
// sample to sample and a reader that paired a mask with another image would load the wrong one.
cv::Rect distinct_defect(int rows, int cols, const std::string& id) {
  const std::uint64_t k = stable_hash(id);
  const int half = std::min(rows, cols) / 2;
  return {1 + static_cast<int>(k % static_cast<std::uint64_t>(half)), 1 + static_cast<int>((k >> 16) % static_cast<std::uint64_t>(half)),
          2 + static_cast<int>((k >> 32) % 4), 2 + static_cast<int>((k >> 40) % 4)};
}

// Writes a mask with `value` in a distinct rectangle and records the expected binary mask (0/1)
// under the sample id (the image path relative to the root, without extension).
cv::Mat mask(int rows, int cols, int value, WrittenMasks* written = nullptr, const std::string& id = "") {
  cv::Mat out = cv::Mat::zeros(rows, cols, CV_8UC1);
  if (value > 0) {
    const cv::Rect defect = distinct_defect(rows, cols, id);
    out(defect) = value;
    if (written) {
      cv::Mat binary = cv::Mat::zeros(rows, cols, CV_8UC1);
      binary(defect) = 1;
      (*written)[id] = binary;
    }
  }
  return out;
}

void write(const fs::path& file, const cv::Mat& mat) {
  fs::create_directories(file.parent_path());
  if (!cv::imwrite(file.string(), mat)) throw std::runtime_error("cannot write " + file.string());
}

void write_bytes(const fs::path& file, const std::string& bytes, bool gzip) {
  fs::create_directories(file.parent_path());
  if (gzip) {
    gzFile out = gzopen(file.string().c_str(), "wb");
    gzwrite(out, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(out);
  } else {
    std::ofstream(file, std::ios::binary) << bytes;
  }
}

std::string big_endian(std::uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}

}  // namespace

WrittenMasks write_visa(const fs::path& root) {
  WrittenMasks written;
  std::ofstream csv;
  fs::create_directories(root / "split_csv");
  csv.open(root / "split_csv" / "1cls.csv");
  csv << "object,split,label,image,mask\n";
  int seed = 0;
  auto add = [&](const std::string& object, int train, int test_normal, int test_anomaly) {
    for (int i = 0; i < train + test_normal; ++i) {
      const std::string rel = fmt::format("{}/Data/Images/Normal/{:04d}.JPG", object, i);
      write(root / rel, image(40, 48, 3, seed++));
      csv << object << "," << (i < train ? "train" : "test") << ",normal," << rel << ",\n";
    }
    for (int i = 0; i < test_anomaly; ++i) {
      const std::string rel = fmt::format("{}/Data/Images/Anomaly/{:03d}.JPG", object, i);
      const std::string mask_rel = fmt::format("{}/Data/Masks/Anomaly/{:03d}.png", object, i);
      write(root / rel, image(40, 48, 3, seed++));
      // values 1, 2: per-defect classes
      write(root / mask_rel, mask(40, 48, 1 + i % 2, &written, rel.substr(0, rel.size() - 4)));
      csv << object << ",test,anomaly," << rel << "," << mask_rel << "\n";
    }
  };
  add("candle", 4, 2, 2);
  add("pcb1", 3, 1, 1);
  return written;
}

WrittenMasks write_visa_prepared(const fs::path& root) {
  WrittenMasks written;
  int seed = 50;
  for (const std::string object : {"candle", "pcb1"}) {
    for (int i = 0; i < 3; ++i) write(root / object / "train" / "good" / fmt::format("{:04d}.JPG", i), image(40, 48, 3, seed++));
    for (int i = 0; i < 2; ++i) write(root / object / "test" / "good" / fmt::format("{:04d}.JPG", 10 + i), image(40, 48, 3, seed++));
    for (int i = 0; i < 3; ++i) {
      const std::string stem = fmt::format("{:03d}", i);
      write(root / object / "test" / "bad" / (stem + ".JPG"), image(40, 48, 3, seed++));
      write(root / object / "ground_truth" / "bad" / (stem + ".png"), mask(40, 48, 255, &written, object + "/test/bad/" + stem));
    }
  }
  return written;
}

WrittenMasks write_ksdd2(const fs::path& root) {
  WrittenMasks written;
  int seed = 100;
  auto add = [&](const char* split, int count, int defective) {
    for (int i = 0; i < count; ++i) {
      const std::string stem = fmt::format("{}", 10000 + seed);
      write(root / split / (stem + ".png"), image(63, 23, 3, seed));
      write(root / split / (stem + "_GT.png"), mask(63, 23, i < defective ? 255 : 0, &written, std::string(split) + "/" + stem));
      ++seed;
    }
  };
  add("train", 6, 2);
  add("test", 4, 1);
  return written;
}

WrittenMasks write_btad(const fs::path& root) {
  WrittenMasks written;
  int seed = 200;
  for (const std::string product : {"01", "03"}) {
    const std::string mask_ext = product == "03" ? ".bmp" : ".png";
    for (int i = 0; i < 3; ++i) write(root / product / "train" / "ok" / fmt::format("{:04d}.bmp", i), image(32, 32, 3, seed++));
    for (int i = 0; i < 2; ++i) write(root / product / "test" / "ok" / fmt::format("{:04d}.bmp", i), image(32, 32, 3, seed++));
    for (int i = 0; i < 2; ++i) {
      write(root / product / "test" / "ko" / fmt::format("{:04d}.bmp", i), image(32, 32, 3, seed++));
      write(root / product / "ground_truth" / "ko" / (fmt::format("{:04d}", i) + mask_ext),
            mask(32, 32, 255, &written, fmt::format("{}/test/ko/{:04d}", product, i)));
    }
  }
  return written;
}

WrittenMasks write_mpdd(const fs::path& root) {
  WrittenMasks written;
  int seed = 300;
  const fs::path base = root / "tubes";
  for (int i = 0; i < 3; ++i) write(base / "train" / "good" / fmt::format("{:03d}.png", i), image(30, 30, 3, seed++));
  write(base / "test" / "good" / "000.png", image(30, 30, 3, seed++));
  write(base / "test" / "anomalous" / "000.png", image(30, 30, 3, seed++));
  write(base / "test" / "anomalous" / "001.png", image(30, 30, 3, seed++));
  write(base / "ground_truth" / "anomalous" / "000_mask.png", mask(30, 30, 255, &written, "tubes/test/anomalous/000"));
  write(base / "ground_truth" / "anomalous" / "001.png", mask(30, 30, 255, &written, "tubes/test/anomalous/001"));
  return written;
}

WrittenMasks write_mvtec_ad2(const fs::path& root) {
  WrittenMasks written;
  int seed = 400;
  const fs::path base = root / "can";
  for (int i = 0; i < 3; ++i) write(base / "train" / "good" / fmt::format("{:03d}_regular.png", i), image(24, 36, 3, seed++));
  for (int i = 0; i < 2; ++i) write(base / "validation" / "good" / fmt::format("{:03d}_regular.png", i), image(24, 36, 3, seed++));
  for (int i = 0; i < 2; ++i) {
    const std::string stem = fmt::format("{:03d}_regular", i);  // the same stems in good/ and bad/
    write(base / "test_public" / "good" / (stem + ".png"), image(24, 36, 3, seed++));
    write(base / "test_public" / "bad" / (stem + ".png"), image(24, 36, 3, seed++));
    write(base / "test_public" / "ground_truth" / "bad" / (stem + "_mask.png"),
          mask(24, 36, 255, &written, "can/test_public/bad/" + stem));
  }
  write(base / "test_private" / "000_regular.png", image(24, 36, 3, seed++));
  write(base / "test_private" / "001_overexposed.png", image(24, 36, 3, seed++));
  write(base / "test_private_mixed" / "000_mixed.png", image(24, 36, 3, seed++));
  return written;
}

void write_idx(const fs::path& root, bool gzip) {
  auto write_split = [&](const std::string& prefix, int count) {
    std::string images = big_endian(0x00000803) + big_endian(static_cast<std::uint32_t>(count)) + big_endian(28) + big_endian(28);
    std::string labels = big_endian(0x00000801) + big_endian(static_cast<std::uint32_t>(count));
    for (int i = 0; i < count; ++i) {
      for (int p = 0; p < 28 * 28; ++p) images.push_back(static_cast<char>((p + i * 7) % 256));
      labels.push_back(static_cast<char>(i % 10));
    }
    const std::string ext = gzip ? ".gz" : "";
    write_bytes(root / (prefix + "-images-idx3-ubyte" + ext), images, gzip);
    write_bytes(root / (prefix + "-labels-idx1-ubyte" + ext), labels, gzip);
  };
  write_split("train", 30);
  write_split("t10k", 20);
}

void write_cifar10(const fs::path& root) {
  auto batch = [&](const std::string& name, int count, int offset) {
    std::string bytes;
    for (int i = 0; i < count; ++i) {
      bytes.push_back(static_cast<char>((i + offset) % 10));
      for (int p = 0; p < 3072; ++p) bytes.push_back(static_cast<char>((p / 1024) * 80 + (i + offset) % 50));
    }
    write_bytes(root / "cifar-10-batches-bin" / name, bytes, false);
  };
  for (int b = 1; b <= 5; ++b) batch(fmt::format("data_batch_{}.bin", b), 4, b * 4);
  batch("test_batch.bin", 10, 0);
}

WrittenMasks write_folder_layout(const fs::path& root) {
  WrittenMasks written;
  int seed = 500;
  for (int i = 0; i < 10; ++i) write(root / "widget" / "normal" / fmt::format("w{:02d}.png", i), image(20, 20, 3, seed++));
  for (int i = 0; i < 2; ++i) {
    write(root / "widget" / "anomalous" / fmt::format("a{:02d}.png", i), image(20, 20, 3, seed++));
    write(root / "widget" / "masks" / fmt::format("a{:02d}{}.png", i, i == 0 ? "" : "_mask"),
          mask(20, 20, 255, &written, fmt::format("widget/anomalous/a{:02d}", i)));
  }
  for (int i = 0; i < 5; ++i) write(root / "gadget" / "normal" / fmt::format("g{:02d}.png", i), image(20, 20, 1, seed++));
  for (int i = 0; i < 2; ++i) write(root / "gadget" / "normal_test" / fmt::format("t{:02d}.png", i), image(20, 20, 1, seed++));
  write(root / "gadget" / "anomalous" / "x.png", image(20, 20, 1, seed++));
  return written;
}

}  // namespace kdad::test
