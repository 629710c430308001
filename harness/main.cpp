// kdad's entry point: parse argv, run the command, map errors to one-line messages and exit codes.
#include "core/error.h"
#include "harness/app.h"
#include "harness/cli.h"

#include <exception>
#include <iostream>

int main(int argc, char** argv) {
  try {
    const kdad::harness::Invocation invocation = kdad::harness::parse_command_line(argc, argv);
    return kdad::harness::run_invocation(invocation, std::cout);
  } catch (const kdad::Error& error) {
    std::cerr << "kdad: error: " << error.what() << "\n";
    return error.exit_code();
  } catch (const std::exception& error) {
    std::cerr << "kdad: internal error: " << error.what() << "\n";
    return 3;
  }
}
