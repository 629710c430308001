// The kdad error family: every failure a user can cause is one of these, with a one-line message
// that names the file, option or value at fault.
#pragma once

#include <stdexcept>
#include <string>

namespace kdad {

/// What went wrong, which decides the exit code (DESIGN.md §5: 2 = usage/config/data errors).
enum class ErrorKind {
  usage,     ///< bad command line
  config,    ///< bad manifest or option value
  data,      ///< dataset or input files malformed or missing
  io,        ///< a file could not be read or written
  store,     ///< the results database refused an operation
  metric,    ///< inputs a metric cannot be computed from (NaN in a map, size mismatch)
  internal,  ///< a bug in kdad
};

/// Base of every error kdad throws on purpose. what() is one line: "<subject>: <problem>".
class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message);
  /// `subject` is the file, option or value at fault; `problem` says what is wrong with it.
  Error(ErrorKind kind, const std::string& subject, const std::string& problem);

  ErrorKind kind() const noexcept { return kind_; }
  /// The file, option or value at fault; empty when the error was made from a whole message.
  const std::string& subject() const noexcept { return subject_; }
  /// What is wrong with the subject (the whole message when there is no subject).
  const std::string& problem() const noexcept { return problem_; }
  /// Process exit code for this error: 2 for everything a user can fix, 3 for internal errors.
  int exit_code() const noexcept;

 private:
  ErrorKind kind_;
  std::string subject_;
  std::string problem_;
};

#define KDAD_DEFINE_ERROR(Name, Kind)                                                   \
  class Name : public Error {                                                           \
   public:                                                                              \
    explicit Name(const std::string& message) : Error(Kind, message) {}                 \
    Name(const std::string& subject, const std::string& problem)                        \
        : Error(Kind, subject, problem) {}                                              \
  }

KDAD_DEFINE_ERROR(UsageError, ErrorKind::usage);
KDAD_DEFINE_ERROR(ConfigError, ErrorKind::config);
KDAD_DEFINE_ERROR(DataError, ErrorKind::data);
KDAD_DEFINE_ERROR(IoError, ErrorKind::io);
KDAD_DEFINE_ERROR(StoreError, ErrorKind::store);
KDAD_DEFINE_ERROR(MetricError, ErrorKind::metric);
KDAD_DEFINE_ERROR(InternalError, ErrorKind::internal);

#undef KDAD_DEFINE_ERROR

}  // namespace kdad
