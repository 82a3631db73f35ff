// Node execution with error context, typed ports, and restoring products from an archive.
#include "blindspot/node.hpp"

#include <c10/util/Exception.h>
#include <fmt/format.h>

namespace blindspot {

Progress::~Progress() = default;
RunContext::~RunContext() = default;
Node::~Node() = default;

const Ranks& RunContext::ranks() const {
  return single_rank();
}

bool Inputs::has(const std::string& port) const {
  return ports_.count(port) > 0;
}

const std::string& Inputs::source(const std::string& port) const {
  auto it = ports_.find(port);
  if (it == ports_.end() || it->second.size() != 1)
    throw Error("", fmt::format("input '{}' is not connected to exactly one node", port));
  return it->second.front().node;
}

void Inputs::add(const std::string& port, Entry entry) {
  ports_[port].push_back(std::move(entry));
}

void Inputs::add_empty(const std::string& port) {
  ports_[port];
}

const Inputs::Entry& Inputs::one(const std::string& port, ProductKind kind) const {
  const std::vector<Entry>& entries = all(port, kind);
  if (entries.size() != 1)
    throw Error("", fmt::format("input '{}' has {} products, expected one", port, entries.size()));
  return entries.front();
}

const std::vector<Inputs::Entry>& Inputs::all(const std::string& port, ProductKind kind) const {
  auto it = ports_.find(port);
  if (it == ports_.end()) throw Error("", fmt::format("input '{}' is not connected", port));
  for (const Entry& entry : it->second)
    if (entry.product->kind() != kind)
      throw Error("", fmt::format("input '{}' from node '{}' is a {}, expected a {}", port,
                                  entry.node, kind_name(entry.product->kind()), kind_name(kind)));
  return it->second;
}

void Outputs::set(const std::string& port, std::shared_ptr<const Product> product) {
  products_[port] = std::move(product);
}

std::shared_ptr<const Product> Outputs::find(const std::string& port) const {
  auto it = products_.find(port);
  return it == products_.end() ? nullptr : it->second;
}

void Node::execute(const std::string& node_name, const Inputs& in, Outputs& out, RunContext& ctx) {
  // blindspot::Error is the user's to fix (exit 2); anything else is a failed run (exit 1).
  try {
    run(in, out, ctx);
  } catch (const Error& e) {
    throw Error(e.where().empty() ? "node '" + node_name + "'" : e.where(), e.message());
  } catch (const c10::Error& e) {
    throw std::runtime_error("node '" + node_name + "': " + e.what_without_backtrace());
  } catch (const std::exception& e) {
    throw std::runtime_error("node '" + node_name + "': " + e.what());
  }
}

void Node::restore(const StoredProducts& stored, const Inputs&, Outputs& out, RunContext&) {
  for (const auto& [port, record] : stored) {
    const ProductKind kind = find_product_kind(record);
    std::shared_ptr<const Product> product = kind ? kind->load(record) : nullptr;
    if (!product)
      throw Error("", fmt::format("output '{}' ({}) cannot be restored from an archive", port,
                                  kind ? kind->name() : "of no known kind"));
    out.set(port, std::move(product));
  }
}

void ModelNode::restore(const StoredProducts& stored, const Inputs& in, Outputs& out,
                        RunContext& ctx) {
  StoredProducts rest = stored;
  auto model = rest.find("model");
  if (model == rest.end()) throw Error("", "archive holds no 'model' output to restore");
  std::shared_ptr<Classifier> net = build(in);
  net->load_state(model->second.tensors);
  out.put("model", Model(net));
  rest.erase(model);
  Node::restore(rest, in, out, ctx);
}

}  // namespace blindspot
