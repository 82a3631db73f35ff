// An archive's nodes with what a report looks up: parameters, inputs, products, paper names.
#include "report/archive_index.hpp"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "graph/experiment.hpp"

namespace blindspot::host {

namespace {

/// A penalty as the paper writes it: 1e-4, 1e-2, 1; other values as %g.
std::string lambda_text(double lambda) {
  const double exponent = std::log10(lambda);
  if (lambda > 0 && exponent == std::round(exponent) && exponent <= 0)
    return exponent == 0 ? "1" : fmt::format("1e{}", static_cast<int>(exponent));
  return fmt::format("{:g}", lambda);
}

std::vector<std::string> ints_text(const YAML::Node& list) {
  std::vector<std::string> out;
  if (list && list.IsSequence())
    for (const YAML::Node& item : list) out.push_back(item.as<std::string>());
  return out;
}

}  // namespace

std::string kind_of(const Record& record) {
  const auto it = record.attributes.find("kind");
  return it == record.attributes.end() ? "" : it->second;
}

SetFacts set_facts(const Record& record) {
  SetFacts facts;
  const at::Tensor success = record.tensors.at("success").to(at::kBool);
  facts.samples = success.size(0);
  facts.successes = success.sum().item<std::int64_t>();
  facts.misclassified_before = record.tensors.at("original_prediction")
                                   .ne(record.tensors.at("labels"))
                                   .sum()
                                   .item<std::int64_t>();
  facts.mean_distortion =
      facts.successes == 0
          ? NAN
          : record.tensors.at("distortion").index({success}).to(at::kDouble).mean().item<double>();
  return facts;
}

std::string IndexedNode::input(const std::string& port) const {
  const auto it = inputs.find(port);
  return it == inputs.end() || it->second.empty() ? "" : it->second.front();
}

double IndexedNode::number(const std::string& key, double fallback) const {
  const YAML::Node value = parameters[key];
  if (!value || !value.IsScalar()) return fallback;
  try {
    return value.as<double>();
  } catch (const YAML::Exception&) {
    return fallback;
  }
}

std::string IndexedNode::text(const std::string& key, const std::string& fallback) const {
  const YAML::Node value = parameters[key];
  return value && value.IsScalar() ? value.as<std::string>() : fallback;
}

ArchiveIndex::ArchiveIndex(const ArchiveReader& reader) : experiment_(reader.experiment()) {
  // The stored YAML gives the inputs; archives are written only from experiments that parsed.
  Problems ignored;
  const Experiment declared = parse_experiment(experiment_.yaml, experiment_.name, ignored);
  reproduces_ = declared.reproduces;
  for (const NodeInfo& info : reader.nodes()) {
    IndexedNode node{info, {}, {}, reader.products(info.name)};
    try {
      node.parameters = YAML::Load(info.parameters);
    } catch (const YAML::Exception&) {
      node.parameters = YAML::Node();  // unreadable parameters: look-ups give their fallbacks
    }
    for (const NodeDecl& decl : declared.nodes)
      if (decl.name == info.name)
        for (const auto& [port, refs] : decl.inputs)
          for (const InputRef& ref : refs) node.inputs[port].push_back(ref.node);
    nodes_.push_back(std::move(node));
  }
}

const IndexedNode* ArchiveIndex::find(const std::string& name) const {
  for (const IndexedNode& node : nodes_)
    if (node.info.name == name) return &node;
  return nullptr;
}

std::vector<const IndexedNode*> ArchiveIndex::readers_of(const std::string& node,
                                                         const std::string& port) const {
  std::vector<const IndexedNode*> out;
  for (const IndexedNode& reader : nodes_) {
    const auto it = reader.inputs.find(port);
    if (it != reader.inputs.end() &&
        std::find(it->second.begin(), it->second.end(), node) != it->second.end())
      out.push_back(&reader);
  }
  return out;
}

std::string ArchiveIndex::model_name(const std::string& name) const {
  const IndexedNode* node = find(name);
  if (!node) return name;
  const std::string& plugin = node->info.plugin;
  if (plugin == "softmax") return fmt::format("FC10({})", lambda_text(node->number("lambda", 0)));
  if (plugin == "mlp" && node->text("activation", "sigmoid") == "sigmoid") {
    const std::vector<std::string> hidden = ints_text(node->parameters["hidden"]);
    return fmt::format("FC{}-10{}", fmt::join(hidden, "-"),
                       node->text("split", "train") == "p2" ? "'" : "");
  }
  if (plugin == "autoencoder")
    return fmt::format("AE{}-10", static_cast<long long>(node->number("code", 400)));
  if (plugin == "alexnet") return "AlexNet";
  return name;
}

std::vector<std::string> ArchiveIndex::data_sources() const {
  std::vector<std::string> out;
  for (const IndexedNode& node : nodes_)
    if (node.info.plugin == "dataset") {
      const std::string source = node.text("source", "?");
      if (std::find(out.begin(), out.end(), source) == out.end()) out.push_back(source);
    }
  return out;
}

}  // namespace blindspot::host
