// The built-in products and their archive forms.
#include "blindspot/products.hpp"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <initializer_list>

#include "blindspot/error.hpp"

namespace blindspot {

Product::~Product() = default;

namespace {

// "float32 [3, 1, 28, 28]", for messages about a tensor that has the wrong form.
std::string form(const at::Tensor& tensor) {
  std::string sizes;
  for (std::int64_t size : tensor.sizes())
    sizes += (sizes.empty() ? "" : ", ") + std::to_string(size);
  return fmt::format("{} [{}]", at::toString(tensor.scalar_type()), sizes);
}

// Throws unless `tensor` is one of `types` with `rank` dimensions (at least `rank` if
// `at_least`), the first of them `rows`.
void check_form(const std::string& name, const at::Tensor& tensor,
                std::initializer_list<at::ScalarType> types, std::int64_t rank, std::int64_t rows,
                bool at_least = false) {
  const bool typed = tensor.defined() &&
                     std::find(types.begin(), types.end(), tensor.scalar_type()) != types.end();
  const bool shaped = tensor.defined() &&
                      (at_least ? tensor.dim() >= rank : tensor.dim() == rank) &&
                      tensor.dim() > 0 && tensor.size(0) == rows;
  if (typed && shaped) return;
  throw Error("", fmt::format("adversarial set field '{}' is {}; expected {} [{}{}]", name,
                              tensor.defined() ? form(tensor) : "missing",
                              at::toString(*types.begin()), rows, rank > 1 ? ", ..." : ""));
}

// Throws unless every field of `set` has its type and one entry per sample.
void check_set(const AdversarialSet& set) {
  if (!set.original.defined() || set.original.dim() < 2)
    throw Error("", fmt::format("adversarial set field 'original' is {}; expected Float [N, ...]",
                                set.original.defined() ? form(set.original) : "missing"));
  const std::int64_t n = set.original.size(0);
  check_form("original", set.original, {at::kFloat, at::kDouble}, 2, n, true);
  if (!set.adversarial.defined() || set.adversarial.sizes() != set.original.sizes() ||
      set.adversarial.scalar_type() != set.original.scalar_type())
    throw Error("", fmt::format("adversarial set field 'adversarial' is {} but 'original' is {}",
                                set.adversarial.defined() ? form(set.adversarial) : "missing",
                                form(set.original)));
  for (const auto& [name, tensor] :
       {std::pair{"labels", &set.labels}, std::pair{"indices", &set.indices},
        std::pair{"target", &set.target},
        std::pair{"original_prediction", &set.original_prediction},
        std::pair{"prediction", &set.prediction}})
    check_form(name, *tensor, {at::kLong}, 1, n);
  check_form("success", set.success, {at::kByte, at::kBool}, 1, n);
  check_form("distortion", set.distortion, {at::kFloat, at::kDouble}, 1, n);
  for (const auto& [name, tensor] : set.extra)
    check_form("extra/" + name, tensor, {at::kFloat, at::kDouble, at::kLong, at::kByte}, 1, n,
               true);
}

}  // namespace

std::int64_t LabelledImages::size() const {
  return labels.defined() ? labels.size(0) : 0;
}

LabelledImages LabelledImages::slice(std::int64_t offset, std::int64_t count) const {
  if (offset < 0 || count < 0 || offset + count > size())
    throw Error("", fmt::format("cannot take {} samples from offset {} of a split of {}", count,
                                offset, size()));
  return {images.narrow(0, offset, count), labels.narrow(0, offset, count),
          indices.narrow(0, offset, count)};
}

const LabelledImages& Dataset::split(const std::string& name) const {
  auto it = splits.find(name);
  if (it != splits.end()) return it->second;
  std::string names;
  for (const auto& [key, value] : splits) names += (names.empty() ? "" : ", ") + key;
  throw Error("", fmt::format("dataset has no split '{}'; it has: {}", name, names));
}

Record Dataset::save() const {
  Record record;
  record.attributes["source"] = source;
  record.attributes["num_classes"] = std::int64_t{num_classes};
  for (const auto& [name, split] : splits) {
    record.tensors[name + "/labels"] = split.labels;
    record.tensors[name + "/indices"] = split.indices;
    record.dimensions[name + "/labels"] = record.dimensions[name + "/indices"] = {"N"};
  }
  return record;
}

Record Model::save() const {
  Record record;
  record.tensors = net->state();
  record.attributes["num_classes"] = std::int64_t{net->num_classes()};
  return record;
}

Table::Table(std::string title_, std::vector<std::string> rows_, std::vector<std::string> columns_)
    : title(std::move(title_)),
      rows(std::move(rows_)),
      columns(std::move(columns_)),
      formats(columns.size(), CellFormat::plain),
      values(at::zeros(
          {static_cast<std::int64_t>(rows.size()), static_cast<std::int64_t>(columns.size())},
          at::kDouble)) {}

double Table::at(std::size_t row, std::size_t column) const {
  return values.accessor<double, 2>()[row][column];
}

void Table::set(std::size_t row, std::size_t column, double value) {
  values.accessor<double, 2>()[row][column] = value;
}

Table& Table::format(const std::string& column, CellFormat format) {
  const auto it = std::find(columns.begin(), columns.end(), column);
  if (it == columns.end())
    throw Error("", fmt::format("table '{}' has no column '{}' to format", title, column));
  formats.resize(columns.size(), CellFormat::plain);
  formats[static_cast<std::size_t>(it - columns.begin())] = format;
  return *this;
}

Table& Table::refer(const std::string& row, const std::string& column, const std::string& value,
                    const std::string& source) {
  const auto r = std::find(rows.begin(), rows.end(), row);
  const auto c = std::find(columns.begin(), columns.end(), column);
  if (r == rows.end() || c == columns.end())
    throw Error("", fmt::format("table '{}' has no cell '{}' / '{}' to give a reference value",
                                title, row, column));
  references.resize(rows.size() * columns.size());
  references[static_cast<std::size_t>(r - rows.begin()) * columns.size() +
             static_cast<std::size_t>(c - columns.begin())] = value;
  reference_source = source;
  return *this;
}

std::string Table::text(std::size_t row, std::size_t column) const {
  const std::string ours = number_text(row, column);
  const std::size_t cell = row * columns.size() + column;
  return cell < references.size() && !references[cell].empty()
             ? fmt::format("{} ({})", ours, references[cell])
             : ours;
}

std::string Table::number_text(std::size_t row, std::size_t column) const {
  const double v = at(row, column);
  if (!std::isfinite(v)) return fmt::format("{}", v);  // nan, inf: "does not apply"
  const CellFormat f = column < formats.size() ? formats[column] : CellFormat::plain;
  const bool whole = std::abs(v) < 1e15 && v == std::trunc(v);
  switch (f) {
    case CellFormat::percent:
      return fmt::format("{:.2f}%", 100.0 * v);
    case CellFormat::count:
      return whole ? fmt::format("{}", static_cast<long long>(v)) : fmt::format("{:.4g}", v);
    case CellFormat::distortion:
      return fmt::format("{:.4g}", v);
    case CellFormat::plain:
      break;
  }
  return whole ? fmt::format("{}", static_cast<long long>(v)) : fmt::format("{:.4g}", v);
}

namespace {

const std::vector<std::pair<CellFormat, std::string>> kFormatNames = {
    {CellFormat::plain, "plain"},
    {CellFormat::percent, "percent"},
    {CellFormat::count, "count"},
    {CellFormat::distortion, "distortion"}};

}  // namespace

Record Table::save() const {
  Record record;
  record.attributes["title"] = title;
  record.tensors["values"] = values;
  record.strings["rows"] = rows;
  record.strings["columns"] = columns;
  record.dimensions = {{"values", {"rows", "columns"}},
                       {"rows", {"rows"}},
                       {"columns", {"columns"}},
                       {"formats", {"columns"}}};
  std::vector<std::string>& names = record.strings["formats"];
  for (std::size_t c = 0; c < columns.size(); ++c) {
    const CellFormat f = c < formats.size() ? formats[c] : CellFormat::plain;
    for (const auto& [format, name] : kFormatNames)
      if (format == f) names.push_back(name);
  }
  if (!references.empty()) {
    record.strings["references"] = references;
    record.dimensions["references"] = {"cells"};  // row-major, rows x columns
    record.attributes["reference_source"] = reference_source;
  }
  return record;
}

Table Table::load(const Record& record) {
  Table table;
  try {
    table.title = std::get<std::string>(record.attributes.at("title"));
    table.rows = record.strings.at("rows");
    table.columns = record.strings.at("columns");
    table.values = record.tensors.at("values").to(at::kDouble).contiguous();
  } catch (const std::out_of_range&) {
    throw Error("", "table record lacks title, rows, columns or values");
  } catch (const std::bad_variant_access&) {
    throw Error("", "table record's title is a number, not text");
  }
  if (table.values.dim() != 2 || table.values.size(0) != std::int64_t(table.rows.size()) ||
      table.values.size(1) != std::int64_t(table.columns.size()))
    throw Error("", fmt::format("table values are {}; its {} rows and {} columns need [{}, {}]",
                                form(table.values), table.rows.size(), table.columns.size(),
                                table.rows.size(), table.columns.size()));
  if (const auto refs = record.strings.find("references"); refs != record.strings.end()) {
    if (refs->second.size() != table.rows.size() * table.columns.size())
      throw Error("", fmt::format("table has {} reference values for {} cells", refs->second.size(),
                                  table.rows.size() * table.columns.size()));
    table.references = refs->second;
    const std::string* source = text_attribute(record, "reference_source");
    table.reference_source = source ? *source : "";
  }
  table.formats.assign(table.columns.size(), CellFormat::plain);  // archives before formats
  const auto names = record.strings.find("formats");
  if (names == record.strings.end()) return table;
  if (names->second.size() != table.columns.size())
    throw Error("", fmt::format("table has {} column formats for {} columns", names->second.size(),
                                table.columns.size()));
  for (std::size_t c = 0; c < names->second.size(); ++c) {
    const auto known =
        std::find_if(kFormatNames.begin(), kFormatNames.end(),
                     [&](const auto& entry) { return entry.second == names->second[c]; });
    if (known == kFormatNames.end())
      throw Error("", fmt::format("table column '{}' has an unknown format '{}'; expected plain, "
                                  "percent, count or distortion",
                                  table.columns[c], names->second[c]));
    table.formats[c] = known->first;
  }
  return table;
}

std::int64_t AdversarialSet::successes() const {
  return success.defined() ? success.to(at::kBool).sum().item<std::int64_t>() : 0;
}

double AdversarialSet::mean_success_distortion() const {
  if (successes() == 0) return NAN;
  return distortion.index({success.to(at::kBool)}).to(at::kDouble).mean().item<double>();
}

std::int64_t AdversarialSet::misclassified_before() const {
  return original_prediction.defined() ? original_prediction.ne(labels).sum().item<std::int64_t>()
                                       : 0;
}

at::Tensor AdversarialSet::perturbation() const {
  return adversarial - original;
}

at::Tensor AdversarialSet::rms_distortion(const at::Tensor& original,
                                          const at::Tensor& adversarial) {
  return (adversarial - original).flatten(1).pow(2).mean(1).sqrt().to(at::kFloat);
}

std::vector<std::pair<const char*, at::Tensor*>> AdversarialSet::fields() {
  return {{"original", &original},     {"adversarial", &adversarial},
          {"labels", &labels},         {"indices", &indices},
          {"target", &target},         {"original_prediction", &original_prediction},
          {"prediction", &prediction}, {"success", &success},
          {"distortion", &distortion}};
}

Record AdversarialSet::save() const {
  Record record;
  for (const auto& [name, tensor] : const_cast<AdversarialSet*>(this)->fields())
    record.tensors[name] = *tensor;
  for (const auto& [name, tensor] : extra) record.tensors["extra/" + name] = tensor;
  // r = x' - x, archived for readers of the file; load() derives it again.
  if (original.defined() && adversarial.defined()) record.tensors["perturbation"] = perturbation();
  // Samples are N, images [N, C, H, W]; extras of more than one dimension stay anonymous.
  for (const auto& [name, tensor] : record.tensors) {
    if (!tensor.defined()) continue;
    if (tensor.dim() == 4 && name.find('/') == std::string::npos)
      record.dimensions[name] = {"N", "C", "H", "W"};
    else if (tensor.dim() == 1)
      record.dimensions[name] = {"N"};
  }
  return record;
}

AdversarialSet AdversarialSet::load(const Record& record) {
  AdversarialSet set;
  for (const auto& [name, tensor] : set.fields()) {
    auto it = record.tensors.find(name);
    if (it == record.tensors.end())
      throw Error("", fmt::format("adversarial set record lacks '{}'", name));
    *tensor = it->second;
  }
  for (const auto& [name, tensor] : record.tensors)
    if (name.rfind("extra/", 0) == 0) set.extra[name.substr(6)] = tensor;
  check_set(set);
  return set;
}

const at::Tensor& Arrays::get(const std::string& name) const {
  auto it = values.find(name);
  if (it != values.end()) return it->second;
  std::string names;
  for (const auto& entry : values) names += (names.empty() ? "" : ", ") + entry.first;
  throw Error("", fmt::format("'{}' holds no array '{}' (it has: {})", title, name, names));
}

Record Arrays::save() const {
  Record record;
  record.attributes["title"] = title;
  record.tensors = values;
  return record;
}

Arrays Arrays::load(const Record& record) {
  Arrays arrays;
  const std::string* title = text_attribute(record, "title");
  if (!title) throw Error("", "arrays record lacks a title");
  arrays.title = *title;
  arrays.values = record.tensors;
  return arrays;
}

}  // namespace blindspot
