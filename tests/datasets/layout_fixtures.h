// Tiny directory trees laid out exactly like each published dataset, written at test time.
#pragma once

#include <opencv2/core/mat.hpp>

#include <filesystem>
#include <map>
#include <string>

namespace kdad::test {

/// The masks a fixture wrote, by sample id (image path relative to the root, no extension), as
/// binary 0/1 matrices. Every mask has its own defect rectangle, so pairing can be checked.
using WrittenMasks = std::map<std::string, cv::Mat>;

/// VisA raw release: candle and pcb1, Data/Images/{Normal,Anomaly}/*.JPG, Data/Masks/Anomaly/*.png
/// with per-defect values 0/1/2, split_csv/1cls.csv. candle: 4 train, 2+2 test; pcb1: 3, 1+1.
WrittenMasks write_visa(const std::filesystem::path& root);

/// VisA after prepare_data.py: candle and pcb1 in the MVTec layout (test/good, test/bad,
/// ground_truth/bad/<id>.png); 3 train, 2 good and 3 bad test images each.
WrittenMasks write_visa_prepared(const std::filesystem::path& root);

/// KolektorSDD2: train/ 6 images (2 defective), test/ 4 images (1 defective), <id>_GT.png masks.
WrittenMasks write_ksdd2(const std::filesystem::path& root);

/// BTAD: 01 (bmp images, png masks) and 03 (bmp masks): 3 train/ok, 2 test/ok, 2 test/ko each.
WrittenMasks write_btad(const std::filesystem::path& root);

/// MPDD: tubes with masks named both <id>_mask.png and <id>.png: 3 train, 1 good + 2 anomalous test.
WrittenMasks write_mpdd(const std::filesystem::path& root);

/// MVTec AD 2: scene "can": 3 train, 2 validation, 2 test_public/good, 2 test_public/bad (same stems
/// as good), 2 test_private, 1 test_private_mixed.
WrittenMasks write_mvtec_ad2(const std::filesystem::path& root);

/// MNIST-style IDX files (28×28): 30 train and 20 test images, labels cycling 0..9; gzip or plain.
void write_idx(const std::filesystem::path& root, bool gzip);

/// CIFAR-10 binary batches: 5 train batches of 4 records and a test batch of 10 (labels cycle).
void write_cifar10(const std::filesystem::path& root);

/// Folder layout, two categories: widget (normal 10, anomalous 2 with masks) and gadget (normal 5,
/// normal_test 2, anomalous 1 without a mask).
WrittenMasks write_folder_layout(const std::filesystem::path& root);

}  // namespace kdad::test
