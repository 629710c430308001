// The Dataset interface every reader implements, the sample descriptors it hands out, and the
// problem sink that lets `datasets verify` collect every layout problem instead of stopping.
#pragma once

#include "core/sample.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace kdad::datasets {

/// Where one sample lives; loading is separate so listing a dataset stays cheap.
struct SampleRef {
  std::filesystem::path image;  ///< image file, or the container file of an indexed record
  std::filesystem::path mask;   ///< ground-truth mask file; empty = no defect pixel (or no pixel GT)
  std::int64_t record = -1;     ///< index inside a container file (MNIST idx, CIFAR batch); -1 = file
  Label label = Label::normal;
  bool labelled = true;         ///< false for private test sets without ground truth (MVTec AD 2)
  std::string defect_type;      ///< "good" for normal images; the class name for one-class sets
  std::string category;
  std::string id;               ///< stable id, unique in the dataset: path relative to the root
                                ///< without extension, or "<category>/<split>/<index>" for records
};

/// The samples of one category, each list in a stable order.
struct CategorySplit {
  std::string category;
  std::vector<SampleRef> train;       ///< normal training images only
  std::vector<SampleRef> validation;  ///< normal validation images (MVTec AD 2), may be empty
  std::vector<SampleRef> test;        ///< labelled test images
  std::vector<SampleRef> unlabelled;  ///< test images without ground truth: predicted, not scored
  std::vector<SampleRef> excluded;    ///< in the layout but unused by the one-class protocol
                                      ///< (KolektorSDD2's defective training images)
};

/// One problem found in a layout: the file or folder, and what is wrong with it.
struct LayoutProblem {
  std::string subject;
  std::string problem;
};

/// Receives layout problems. Readers given a sink record the problem, skip the sample and go on;
/// without a sink they throw DataError at the first problem.
class ProblemSink {
 public:
  void add(std::string subject, std::string problem) { problems_.push_back({std::move(subject), std::move(problem)}); }
  /// Something worth knowing that is not wrong (an optional folder absent).
  void note(std::string subject, std::string text) { notes_.push_back({std::move(subject), std::move(text)}); }
  /// A file already reported by a problem (an image skipped for its missing mask), so that
  /// verification does not report it a second time as belonging to no sample.
  void account_for(std::filesystem::path file) { accounted_.push_back(std::move(file)); }
  const std::vector<LayoutProblem>& problems() const { return problems_; }
  const std::vector<LayoutProblem>& notes() const { return notes_; }
  const std::vector<std::filesystem::path>& accounted() const { return accounted_; }

 private:
  std::vector<LayoutProblem> problems_;
  std::vector<LayoutProblem> notes_;
  std::vector<std::filesystem::path> accounted_;
};

/// Throws DataError(subject, problem) without a sink, records it otherwise; `skipped` (when
/// given) is the file the problem makes the reader skip, recorded with account_for().
void report_problem(ProblemSink* sink, const std::string& subject, const std::string& problem,
                    const std::filesystem::path& skipped = {});

/// Records a note in the sink, if any (readers without a sink are silent about notes).
void report_note(ProblemSink* sink, const std::string& subject, const std::string& text);

/// Reports "<folder>: missing folder" unless `folder` is a folder (links followed); returns whether it is.
bool require_folder(ProblemSink* sink, const std::filesystem::path& folder);

/// A dataset in one published layout.
class Dataset {
 public:
  virtual ~Dataset() = default;
  /// Format id, e.g. "mvtec_ad" (see DatasetFormat).
  virtual std::string format() const = 0;
  virtual std::filesystem::path root() const = 0;
  /// Category names in sorted order.
  virtual std::vector<std::string> categories() const = 0;
  /// Lists one category. Throws DataError naming the file or folder at fault, or records the
  /// problems in `sink` and skips the samples concerned.
  virtual CategorySplit split(const std::string& category, ProblemSink* sink = nullptr) const = 0;
  /// Loads the image (and binarised mask) of a sample. Safe to call from several threads.
  virtual Sample load(const SampleRef& ref) const;
  /// False for image-level datasets (one-class MNIST, CIFAR-10): no pixel ground truth at all.
  virtual bool has_pixel_ground_truth() const { return true; }
  /// Folder holding a category's files, for finding files the layout does not account for;
  /// empty when the category is not a folder (container files).
  virtual std::filesystem::path category_folder(const std::string& category) const;
  /// The category `name` refers to, as categories() spells it (one-class sets also take a class
  /// index, "0".."9"); nullopt when it names none.
  virtual std::optional<std::string> resolve_category(const std::string& name) const;
};

/// Each of `names` resolved by Dataset::resolve_category; an unknown one is a DataError naming it,
/// the root and the known categories.
std::vector<std::string> resolve_categories(const Dataset& dataset, const std::vector<std::string>& names);

/// Loads a file-based sample: image and binarised mask; throws DataError when the image is
/// unreadable, the mask is missing, or their sizes differ.
Sample load_sample(const SampleRef& ref);

/// Lists `folder`'s subfolders (sorted); throws DataError when it cannot be listed.
std::vector<std::filesystem::path> sorted_subfolders(const std::filesystem::path& folder);

/// Throws DataError "<root>: dataset root is not a folder" unless `root` is a folder.
void require_root_folder(const std::filesystem::path& root);

/// Throws DataError naming `category`, `where` and the known categories unless it is one of them.
void require_category(const std::string& category, const std::vector<std::string>& known, const std::string& where);

/// Names of the subfolders of `root` (sorted, links followed) holding at least one of the folders
/// in `markers`, e.g. the categories of an MVTec-style layout (train/ or test/). A category that
/// lacks one of its required folders is listed, so that split() reports "<cat>/train: missing
/// folder" instead of the category silently disappearing.
std::vector<std::string> category_folders(const std::filesystem::path& root, const std::vector<std::string>& markers);

/// True for files and folders operating systems leave behind, which no reader, maps folder or
/// verification takes as data: hidden names (a leading '.', which covers macOS's AppleDouble "._*"
/// and ".DS_Store"), and Windows's "Thumbs.db" and "desktop.ini" (any case).
bool is_os_junk(const std::filesystem::path& path);

/// Image files of a folder (png, jpg, jpeg, bmp, tif, tiff; any case; OS junk skipped; links
/// followed), sorted by file name. Throws DataError naming the entry when an image name is a
/// folder, a dangling link or a link loop, or when two images share a stem (000.png, 000.jpg).
std::vector<std::filesystem::path> list_image_files(const std::filesystem::path& folder);

/// True for the image extensions above (with the dot, any case).
bool is_image_extension(const std::string& extension);

/// `file` relative to `root` without extension, with '/' separators.
std::string relative_id(const std::filesystem::path& root, const std::filesystem::path& file);

}  // namespace kdad::datasets
