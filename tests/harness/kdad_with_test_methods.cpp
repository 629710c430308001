// The kdad command line with the test-only method registered, for tests that kill a real run.
#include "harness/cli/app.h"
#include "pixel_stats_method.h"

int main(int argc, char** argv) {
  return kdad::harness::kdad_main(argc, argv, [](kdad::methods::MethodRegistry& registry) {
    kdad::test::register_test_methods(registry);
  });
}
