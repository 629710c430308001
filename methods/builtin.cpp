// The methods kdad ships, registered explicitly.
#include "methods/builtin.h"

#include "methods/common/calibration.h"
#include "methods/common/environment.h"
#include "methods/library_version.h"
#include "methods/adps/adps.h"
#include "methods/mkd/mkd.h"
#include "methods/rd/reverse_distillation.h"

namespace kdad::methods {

void register_builtin_methods(MethodRegistry& registry) {
  registry.add({"rd", "Reverse Distillation (Deng & Li, CVPR 2022; hq-deng/RD4AD)", reverse_distillation_options(false),
                [](const MethodOptions& options) {
                  return std::make_unique<ReverseDistillation>(reverse_distillation_config(false, options));
                }});
  registry.add({"mrkd", "Masked Reverse Knowledge Distillation (Jiang et al., KBS 2023; yuxin-jiang/MRKD)",
                reverse_distillation_options(true), [](const MethodOptions& options) {
                  return std::make_unique<ReverseDistillation>(reverse_distillation_config(true, options));
                }});
  registry.add({"mkd", "Multiresolution Knowledge Distillation (Salehi et al., CVPR 2021; rohban-lab/Knowledge_Distillation_AD)",
                mkd_options(), [](const MethodOptions& options) { return std::make_unique<Mkd>(mkd_config(options)); }});
  registry.add({"adps", "Asymmetric Distillation Post-Segmentation (TNNLS; no official code: defaults marked guess are kdad's)",
                adps_options(), [](const MethodOptions& options) { return std::make_unique<Adps>(adps_config(options)); }});
  registry.set_environment_setup(apply_torch_environment);
  registry.set_device_probe(torch_device_probe());
  registry.set_speed_calibration(measure_conv_calibration);
  registry.add_library_version("libtorch", libtorch_version());
}

}  // namespace kdad::methods
