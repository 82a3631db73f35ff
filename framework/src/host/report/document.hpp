// A report as data: sections of formatted tables and PNG figures, rendered as Markdown or HTML.
#pragma once

#include <string>
#include <vector>

namespace blindspot::host {

/// A table whose cells are already formatted text, with an optional note under it.
struct TextTable {
  std::string title;
  std::vector<std::string> columns;            // the first names the row labels
  std::vector<std::vector<std::string>> rows;  // each as long as `columns`
  std::string note;
};

/// A figure: the PNG's file name, a caption, and the encoded bytes.
struct Figure {
  std::string file;
  std::string caption;
  std::vector<unsigned char> png;
};

/// A heading with its paragraphs, tables and figures.
struct Section {
  std::string heading;
  std::vector<std::string> paragraphs;
  std::vector<TextTable> tables;
  std::vector<Figure> figures;
};

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
