// The methods kdad ships, registered explicitly.
#include "methods/builtin.h"

namespace kdad::methods {

void register_builtin_methods(MethodRegistry& registry) {
  (void)registry;  // RD, MRKD, MKD and ADPS register here as they land (issue 6 onwards).
}

}  // namespace kdad::methods
