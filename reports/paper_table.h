// `kdad table`: paper tables from stored results in LaTeX (booktabs), Markdown or CSV. Rows are
// categories (grouped by dataset) or datasets, columns are methods (one sub-column per metric);
// best value per row and metric in bold, second underlined (only when a third value ranks below it),
// ties share the mark; a mean row under the rule of reports/summary.h.
#pragma once

#include "reports/selection.h"

#include <string>
#include <vector>

namespace kdad::reports {

enum class TableFormat { latex, markdown, csv };
enum class TableRows { category, dataset };

struct TableOptions {
  TableFormat format = TableFormat::latex;
  std::vector<std::string> metrics = {"image_auroc", "pixel_auroc", "au_pro"};  ///< stored metric names
  TableRows rows = TableRows::category;
  bool with_std = false;  ///< append ± the standard deviation over seeds (when there are several)
  bool percent = true;    ///< values × 100
  int decimals = 1;       ///< in 0..6
};

/// The table of `selected`. Marks (best, second) compare the values as displayed, so values that
/// print alike tie. Throws UsageError when the cells hold several protocols (tables never mix
/// them; choose one with --protocol), when a metric is unknown, or when nothing is selected.
std::string render_table(const SelectedCells& selected, const TableOptions& options);

/// Escapes LaTeX's special characters in text (# $ % & _ { } ~ ^ \).
std::string escape_latex(const std::string& text);

}  // namespace kdad::reports
