// Text helpers for the self-contained HTML report: escaping, base64 data URIs, JSON inside <script>.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace kdad::reports {

/// Escapes &, <, >, " and ' for HTML text and attribute values.
std::string escape_html(std::string_view text);

/// Standard base64 (RFC 4648, with padding).
std::string base64(std::string_view bytes);

/// A data: URI holding a file (image/png, image/jpeg by extension); empty when it cannot be read.
std::optional<std::string> data_uri_of_file(const std::filesystem::path& file);

/// JSON text safe inside <script type="application/json">: "</" is written as "<\/".
std::string json_for_script(const std::string& json);

/// A metric value for people: ×100 with `decimals` decimals ("97.3"), or "n/a".
std::string percent(const std::optional<double>& value, int decimals = 1);

/// Bytes as "512 MiB", "1.4 GiB".
std::string human_bytes(double bytes);

}  // namespace kdad::reports
