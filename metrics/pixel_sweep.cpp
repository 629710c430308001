// Pixel-level metrics: bucket scatter on the top 16 key bits, in-place radix sort of each bucket on
// the low 16 bits, then one sequential sweep over the tie groups.
//
// Each pixel becomes one 64-bit record: bits 32..47 hold the low 16 bits of its descending score
// key (the high 16 bits are its bucket), bits 0..31 the area of the ground-truth region it belongs
// to, 0 for a defect-free pixel. The sweep needs a region's area only (PRO adds 1/|R| per covered
// pixel), never its identity, so no global region numbering is needed.
#include "metrics/pixel_sweep.h"

#include "core/error.h"
#include "core/huge_buffer.h"
#include "core/parallel.h"
#include "metrics/compensated_sum.h"
#include "metrics/pro_sweep.h"
#include "metrics/ranking_sweep.h"
#include "metrics/regions.h"
#include "metrics/score_key.h"

#include <fmt/format.h>
#include <opencv2/core.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

namespace kdad::metrics {
namespace {

constexpr std::size_t kBuckets = std::size_t{1} << 16;
constexpr std::size_t kSmallSort = 64;

struct ImageRange {
  std::size_t begin = 0;
  std::size_t end = 0;
};

// Contiguous image ranges with about equal pixel counts, one per worker.
std::vector<ImageRange> split_by_pixels(std::span<const ScoredImage> images, std::size_t parts) {
  std::uint64_t total = 0;
  for (const auto& image : images) total += image.map.total();
  std::vector<ImageRange> ranges;
  std::size_t begin = 0;
  std::uint64_t done = 0;
  for (std::size_t part = 1; part <= parts && begin < images.size(); ++part) {
    const std::uint64_t target = total * part / parts;
    std::size_t end = begin;
    while (end < images.size() && (done < target || end == begin)) done += images[end++].map.total();
    if (part == parts) end = images.size();
    ranges.push_back({begin, end});
    begin = end;
  }
  return ranges;
}

[[noreturn]] void throw_non_finite(const ScoredImage& image, int x, int y, float value) {
  throw MetricError(image.id, fmt::format("anomaly map holds {} at pixel (x={}, y={}); maps must be "
                                          "finite", std::isnan(value) ? "NaN" : "an infinite value",
                                          x, y));
}

std::uint32_t low_key(std::uint64_t record) { return static_cast<std::uint32_t>(record >> 32); }

void insertion_sort(std::uint64_t* a, std::size_t n) {
  for (std::size_t i = 1; i < n; ++i) {
    const std::uint64_t value = a[i];
    const std::uint32_t key = low_key(value);
    std::size_t j = i;
    for (; j > 0 && low_key(a[j - 1]) > key; --j) a[j] = a[j - 1];
    a[j] = value;
  }
}

// One in-place American-flag pass on the byte at `shift`; sub-buckets are then sorted on the
// byte below (shift 40 → 32) or, at shift 32, already hold a single key each.
void flag_sort(std::uint64_t* a, std::size_t n, int shift) {
  if (n < kSmallSort) {
    insertion_sort(a, n);
    return;
  }
  std::size_t count[256] = {};
  for (std::size_t i = 0; i < n; ++i) ++count[(a[i] >> shift) & 0xFF];
  std::size_t next[256];
  std::size_t end[256];
  std::size_t sum = 0;
  for (int b = 0; b < 256; ++b) {
    next[b] = sum;
    sum += count[b];
    end[b] = sum;
  }
  for (int b = 0; b < 256; ++b) {
    while (next[b] < end[b]) {
      std::uint64_t value = a[next[b]];
      auto digit = static_cast<int>((value >> shift) & 0xFF);
      if (digit == b) {
        ++next[b];
        continue;
      }
      do {  // follow the cycle until an element for bucket b comes back
        std::swap(value, a[next[digit]++]);
        digit = static_cast<int>((value >> shift) & 0xFF);
      } while (digit != b);
      a[next[b]++] = value;
    }
  }
  if (shift == 32) return;
  std::size_t start = 0;
  for (int b = 0; b < 256; ++b) {
    if (count[b] > 1) flag_sort(a + start, count[b], shift - 8);
    start += count[b];
  }
}

}  // namespace

PixelMetrics sweep_pixels(std::span<const ScoredImage> images, const PixelSweepOptions& options) {
  const std::vector<ImageRange> ranges =
      split_by_pixels(images, static_cast<std::size_t>(std::max(1, options.threads)));
  const std::size_t parts = ranges.size();

  // Pass 1: validate and histogram the top 16 key bits, per worker.
  std::vector<std::vector<std::uint64_t>> histogram(parts, std::vector<std::uint64_t>(kBuckets, 0));
  parallel_for(parts, static_cast<int>(parts), [&](std::size_t part, int) {
    std::uint64_t* hist = histogram[part].data();
    for (std::size_t i = ranges[part].begin; i < ranges[part].end; ++i) {
      const cv::Mat& map = images[i].map;
      for (int y = 0; y < map.rows; ++y) {
        const float* row = map.ptr<float>(y);
        for (int x = 0; x < map.cols; ++x) {
          if (!std::isfinite(row[x])) throw_non_finite(images[i], x, y, row[x]);
          ++hist[descending_key(row[x]) >> 16];
        }
      }
    }
  });

  // Bucket boundaries, and each worker's write position inside every bucket.
  std::vector<std::uint64_t> bucket_begin(kBuckets + 1, 0);
  for (std::size_t b = 0; b < kBuckets; ++b) {
    std::uint64_t in_bucket = 0;
    for (std::size_t part = 0; part < parts; ++part) {
      const std::uint64_t n = histogram[part][b];
      histogram[part][b] = bucket_begin[b] + in_bucket;  // becomes the write cursor
      in_bucket += n;
    }
    bucket_begin[b + 1] = bucket_begin[b] + in_bucket;
  }
  const std::uint64_t total_pixels = bucket_begin[kBuckets];

  // Pass 2: label each mask and scatter the records into their buckets.
  HugeBuffer<std::uint64_t> records(total_pixels);
  std::vector<std::uint64_t> regions(parts, 0);
  std::vector<std::uint64_t> defect_pixels(parts, 0);
  parallel_for(parts, static_cast<int>(parts), [&](std::size_t part, int) {
    std::uint64_t* cursor = histogram[part].data();
    RegionLabels labels;
    for (std::size_t i = ranges[part].begin; i < ranges[part].end; ++i) {
      const cv::Mat& map = images[i].map;
      const bool has_mask = !images[i].mask.empty() && cv::countNonZero(images[i].mask) > 0;
      if (has_mask) {
        label_regions(images[i].mask, labels);
        regions[part] += static_cast<std::uint64_t>(labels.count);
        defect_pixels[part] += map.total() - labels.areas[0];
      }
      for (int y = 0; y < map.rows; ++y) {
        const float* row = map.ptr<float>(y);
        const int* label_row = has_mask ? labels.labels.ptr<int>(y) : nullptr;
        for (int x = 0; x < map.cols; ++x) {
          const std::uint32_t key = descending_key(row[x]);
          const std::uint32_t area =
              (label_row && label_row[x] != 0) ? labels.areas[static_cast<std::size_t>(label_row[x])] : 0;
          records[cursor[key >> 16]++] = (static_cast<std::uint64_t>(key & 0xFFFF) << 32) | area;
        }
      }
    }
  });

  // Pass 3: sort each bucket on its low 16 key bits, in place.
  std::vector<std::size_t> busy;
  for (std::size_t b = 0; b < kBuckets; ++b) {
    if (bucket_begin[b + 1] - bucket_begin[b] > 1) busy.push_back(b);
  }
  parallel_for(busy.size(), options.threads, [&](std::size_t i, int) {
    const std::size_t b = busy[i];
    flag_sort(records.data() + bucket_begin[b], bucket_begin[b + 1] - bucket_begin[b], 40);
  });

  // Pass 4: one sweep over the tie groups, highest score first.
  std::uint64_t total_regions = 0;
  std::uint64_t total_defects = 0;
  for (std::size_t part = 0; part < parts; ++part) {
    total_regions += regions[part];
    total_defects += defect_pixels[part];
  }
  const std::uint64_t total_normal = total_pixels - total_defects;
  RankingSweep ranking(total_normal, total_defects, options.curve_step);
  std::vector<double> limits = {options.pro_limit};
  limits.insert(limits.end(), options.extra_pro_limits.begin(), options.extra_pro_limits.end());
  ProSweep pro(total_normal, total_regions, std::move(limits), options.curve_step);
  for (std::size_t b = 0; b < kBuckets; ++b) {
    const std::uint64_t* p = records.data() + bucket_begin[b];
    const std::uint64_t* const end = records.data() + bucket_begin[b + 1];
    while (p < end) {
      const std::uint32_t low = low_key(*p);
      std::uint64_t negatives = 0;
      std::uint64_t positives = 0;
      CompensatedSum gain;
      do {
        const auto area = static_cast<std::uint32_t>(*p);
        if (area == 0) {
          ++negatives;
        } else {
          ++positives;
          gain.add(1.0 / static_cast<double>(area));
        }
        ++p;
      } while (p < end && low_key(*p) == low);
      const float score = score_from_descending_key(static_cast<std::uint32_t>(b << 16) | low);
      ranking.add(score, negatives, positives);
      pro.add(negatives, gain.value());
    }
  }
  return {ranking.finish(), pro.finish()};
}

}  // namespace kdad::metrics
