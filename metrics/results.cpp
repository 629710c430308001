// Stable names of the metric values and curves.
#include "metrics/results.h"

#include <fmt/format.h>

namespace kdad::metrics {

std::string au_pro_name(double limit) { return fmt::format("au_pro_{:g}", limit); }

std::vector<NamedValue> named_values(const CategoryMetrics& m) {
  std::vector<NamedValue> values = {
      {"image_auroc", m.image.auroc},
      {"image_ap", m.image.ap},
      {"image_f1_max", m.image.f1_max},
      {"image_f1_threshold_oracle", m.image.f1_threshold},
      {"pixel_auroc", m.pixel.auroc},
      {"pixel_ap", m.pixel.ap},
      {"pixel_f1_max", m.pixel.f1_max},
      {"pixel_f1_threshold_oracle", m.pixel.f1_threshold},
      {"au_pro", m.pro.au_pro},
  };
  for (const auto& limited : m.pro.also) values.push_back({au_pro_name(limited.limit), limited.au_pro});
  values.push_back({"au_pro_rd4ad", m.pro_rd4ad.value});
  if (m.seg_f1) {
    values.push_back({"seg_f1", m.seg_f1->value});
    values.push_back({"seg_f1_threshold", m.seg_f1->threshold});
  }
  return values;
}

std::vector<NamedCurve> named_curves(const CategoryMetrics& m) {
  return {
      {"image_roc", &m.image.roc},
      {"image_pr", &m.image.pr},
      {"pixel_roc", &m.pixel.roc},
      {"pixel_pr", &m.pixel.pr},
      {"pro", &m.pro.curve},
  };
}

}  // namespace kdad::metrics
