// Words for an evaluation protocol, the same in every renderer (terminal, HTML, tables).
#pragma once

#include <string>

namespace kdad::reports {

/// "native resolution" or "method resolution, masks by <rule>", from a cell's canonical protocol JSON.
std::string resolution_label(const std::string& protocol_json);

/// One sentence naming every setting of the protocol that changes a value: AU-PRO limit, where
/// maps and masks meet, the image score, the RD4AD variant's policy and the metrics version.
std::string protocol_description(const std::string& protocol_json);

}  // namespace kdad::reports
