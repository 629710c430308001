// The kdad error family: message formatting and exit codes.
#include "core/error.h"

#include <algorithm>

namespace kdad {
namespace {

// Messages must stay one line so logs and terminals show the whole cause.
std::string one_line(std::string text) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  std::replace(text.begin(), text.end(), '\r', ' ');
  return text;
}

}  // namespace

Error::Error(ErrorKind kind, const std::string& message)
    : std::runtime_error(one_line(message)), kind_(kind), problem_(one_line(message)) {}

Error::Error(ErrorKind kind, const std::string& subject, const std::string& problem)
    : std::runtime_error(one_line(subject + ": " + problem)), kind_(kind), subject_(one_line(subject)), problem_(one_line(problem)) {}

int Error::exit_code() const noexcept { return kind_ == ErrorKind::internal ? 3 : 2; }

}  // namespace kdad
