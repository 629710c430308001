// Quoting for a POSIX shell: command lines recorded for provenance and written into job scripts.
#pragma once

#include <string>

namespace kdad {

/// `arg` as one shell word: unchanged when it holds only characters no shell treats specially,
/// else in single quotes (an embedded ' written as '\'').
std::string shell_quote(const std::string& arg);

}  // namespace kdad
