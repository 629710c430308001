// kdad's entry point with the built-in methods.
#include "harness/app.h"
#include "methods/builtin.h"

int main(int argc, char** argv) { return kdad::harness::kdad_main(argc, argv, kdad::methods::register_builtin_methods); }
