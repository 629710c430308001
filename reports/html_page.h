// Internal to the HTML report: the page being built (markup and chart specifications) and the
// sections that fill it, one function per section.
#pragma once

#include "reports/selection.h"
#include "reports/summary.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace kdad::reports::html {

/// The page under construction: body markup, and the Chart.js configurations its canvases draw.
struct Page {
  std::string body;
  nlohmann::json charts = nlohmann::json::array();
  /// Appends a <canvas> for a Chart.js `config` ({type, data, options}) and returns nothing.
  void chart(nlohmann::json config, int width, int height, const std::string& caption);
};

/// One protocol's part of the report.
struct ProtocolView {
  std::string id;
  nlohmann::json protocol;                   ///< the stored protocol settings
  std::vector<const GroupSummary*> groups;   ///< every method × dataset under it
  std::vector<std::string> datasets;         ///< display names, in order
  std::vector<std::string> methods;          ///< display names, in order
  std::vector<std::string> metrics;          ///< metrics present
  std::size_t index = 0;                     ///< position among protocols (anchors)
};

/// The colour of the n-th method (a palette readable on white).
std::string method_colour(std::size_t n);
/// Anchor of a group ("group-<protocol index>-<group index>").
std::string group_anchor(const ProtocolView& view, const GroupSummary& group);
/// "<a href=#cell-ID title=...>text</a>".
std::string cell_link(const StoredCell& cell, const std::string& text, const std::string& title);

void leaderboard(Page& page, const ProtocolView& view);
void category_tables(Page& page, const ProtocolView& view);
void bar_charts(Page& page, const ProtocolView& view);
void curve_charts(Page& page, const ProtocolView& view);
void gallery(Page& page, const ProtocolView& view);
void speed(Page& page, const ProtocolView& view);
void failures(Page& page, const SelectedCells& selected);
void provenance(Page& page, const SelectedCells& selected, const std::vector<ProtocolView>& views);

}  // namespace kdad::reports::html
