// A report as data: sections of formatted tables and PNG figures, rendered as Markdown or HTML.
#include "report/document.hpp"

#include <fmt/format.h>

#include <boost/archive/iterators/base64_from_binary.hpp>
#include <boost/archive/iterators/transform_width.hpp>

namespace blindspot::host {

namespace {

std::string markdown_cell(std::string text) {
  for (std::size_t at = text.find('|'); at != std::string::npos; at = text.find('|', at + 2))
    text.replace(at, 1, "\\|");
  return text;
}

std::string markdown_table(const TextTable& table) {
  std::string out = table.title.empty() ? "" : fmt::format("**{}**\n\n", table.title);
  out += "|";
  for (const std::string& column : table.columns) out += " " + markdown_cell(column) + " |";
  out += "\n|";
  for (std::size_t c = 0; c < table.columns.size(); ++c) out += "---|";
  out += "\n";
  for (const std::vector<std::string>& row : table.rows) {
    out += "|";
    for (const std::string& cell : row) out += " " + markdown_cell(cell) + " |";
    out += "\n";
  }
  if (!table.note.empty()) out += "\n" + table.note + "\n";
  return out + "\n";
}

std::string escape_html(const std::string& text) {
  std::string out;
  for (char c : text) switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  return out;
}

std::string base64(const std::vector<unsigned char>& bytes) {
  using namespace boost::archive::iterators;
  using Encoder =
      base64_from_binary<transform_width<std::vector<unsigned char>::const_iterator, 6, 8>>;
  std::string out(Encoder(bytes.begin()), Encoder(bytes.end()));
  return out.append((3 - bytes.size() % 3) % 3, '=');
}

std::string html_table(const TextTable& table) {
  std::string out = "<table>\n";
  if (!table.title.empty()) out += fmt::format("<caption>{}</caption>\n", escape_html(table.title));
  out += "<tr>";
  for (const std::string& column : table.columns) out += "<th>" + escape_html(column) + "</th>";
  out += "</tr>\n";
  for (const std::vector<std::string>& row : table.rows) {
    out += "<tr>";
    for (std::size_t c = 0; c < row.size(); ++c)
      out += fmt::format(c == 0 ? "<th>{}</th>" : "<td>{}</td>", escape_html(row[c]));
    out += "</tr>\n";
  }
  out += "</table>\n";
  if (!table.note.empty()) out += "<p class=\"note\">" + escape_html(table.note) + "</p>\n";
  return out;
}

constexpr const char* kStyle =
    "body{font-family:sans-serif;max-width:72em;margin:2em auto;padding:0 1em;color:#222}"
    "table{border-collapse:collapse;margin:1em 0}caption{font-weight:bold;text-align:left;"
    "padding:.3em 0}th,td{border:1px solid #bbb;padding:.25em .6em;text-align:right}"
    "tr>th:first-child{text-align:left}th{background:#f2f2f2}.note{color:#555;font-size:90%}"
    "figure{margin:1em 0}figcaption{color:#555;font-size:90%}img{image-rendering:pixelated}";

}  // namespace

std::string to_markdown(const Document& document, const std::string& figure_folder) {
  std::string out = fmt::format("# {}\n\n", document.title);
  for (const std::string& paragraph : document.paragraphs) out += paragraph + "\n\n";
  for (const Section& section : document.sections) {
    out += fmt::format("## {}\n\n", section.heading);
    for (const std::string& paragraph : section.paragraphs) out += paragraph + "\n\n";
    for (const TextTable& table : section.tables) out += markdown_table(table);
    if (figure_folder.empty()) continue;
    for (const Figure& figure : section.figures)
      out += fmt::format("![{}]({}/{})\n\n{}\n\n", figure.caption, figure_folder, figure.file,
                         figure.caption);
  }
  return out;
}

std::string to_html(const Document& document) {
  std::string out = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<title>{0}</title>\n<style>{1}</style>\n</head>\n<body>\n<h1>{0}</h1>\n",
      escape_html(document.title), kStyle);
  for (const std::string& paragraph : document.paragraphs)
    out += "<p>" + escape_html(paragraph) + "</p>\n";
  for (const Section& section : document.sections) {
    out += fmt::format("<h2>{}</h2>\n", escape_html(section.heading));
    for (const std::string& paragraph : section.paragraphs)
      out += "<p>" + escape_html(paragraph) + "</p>\n";
    for (const TextTable& table : section.tables) out += html_table(table);
    for (const Figure& figure : section.figures)
      out += fmt::format(
          "<figure><img src=\"data:image/png;base64,{}\" alt=\"{}\"><figcaption>{}</figcaption>"
          "</figure>\n",
          base64(figure.png), escape_html(figure.caption), escape_html(figure.caption));
  }
  return out + "</body>\n</html>\n";
}

}  // namespace blindspot::host
