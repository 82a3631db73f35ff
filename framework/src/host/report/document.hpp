// A report as data: sections of formatted tables and PNG figures, rendered as Markdown or HTML.
#pragma once

#include <string>
#include <vector>

#include "blindspot/report.hpp"

namespace blindspot::host {

using blindspot::Figure;
using blindspot::Section;
using blindspot::TextTable;

/// A whole report: a title, paragraphs under it, and its sections in order.
struct Document {
  std::string title;
  std::vector<std::string> paragraphs;
  std::vector<Section> sections;
};

/// Markdown text; figures become links into `figure_folder`, or are left out when it is empty.
std::string to_markdown(const Document& document, const std::string& figure_folder);
/// A self-contained HTML page: styles inline, figures embedded as base64 data URIs.
std::string to_html(const Document& document);

}  // namespace blindspot::host
