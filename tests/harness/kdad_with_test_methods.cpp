// The kdad command line with the test-only method registered, for tests that run the real binary.
// KDAD_TEST_INTERNAL_ERROR=1 registers a speed calibration that throws a non-kdad exception, so
// `run --calibrate` exercises the internal-error path (exit 3).
#include "harness/cli/app.h"
#include "pixel_stats_method.h"

#include <cstdlib>
#include <stdexcept>

int main(int argc, char** argv) {
  return kdad::harness::kdad_main(argc, argv, [](kdad::methods::MethodRegistry& registry) {
    kdad::test::register_test_methods(registry);
    if (std::getenv("KDAD_TEST_INTERNAL_ERROR")) {
      registry.set_speed_calibration([](const std::string&, int) -> kdad::methods::SpeedCalibration {
        throw std::logic_error("test calibration bug");
      });
    }
  });
}
