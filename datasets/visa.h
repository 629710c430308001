// The VisA reader: the raw release (<class>/Data/Images/{Normal,Anomaly}, <class>/Data/Masks/
// Anomaly) with its split CSV (object,split,label,image,mask).
#pragma once

#include "datasets/dataset.h"

#include <map>

namespace kdad::datasets {

/// VisA as published. The split CSV (default split_csv/1cls.csv: train = normal images,
/// test = normal + anomalous) decides every sample; masks hold 0/255 or small per-defect
/// integers and are binarised (non-zero = defect). Defect type is "bad" for anomalous images
/// (VisA has no per-image defect names), "good" otherwise.
class Visa final : public Dataset {
 public:
  /// Reads the CSV; throws DataError naming the file and line for a malformed CSV.
  Visa(std::filesystem::path root, std::filesystem::path split_csv = "split_csv/1cls.csv");

  std::string format() const override { return "visa"; }
  std::filesystem::path root() const override { return root_; }
  std::vector<std::string> categories() const override;
  CategorySplit split(const std::string& category, ProblemSink* sink = nullptr) const override;

 private:
  struct Row {
    int line;
    std::string split;
    bool anomalous;
    std::string image;
    std::string mask;
  };
  std::filesystem::path root_;
  std::filesystem::path csv_;
  std::map<std::string, std::vector<Row>> rows_;  ///< by object (category)
};

}  // namespace kdad::datasets
