// What a plugin implements: a node that reads typed inputs and writes typed outputs.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "blindspot/error.hpp"
#include "blindspot/export.hpp"
#include "blindspot/products.hpp"
#include "blindspot/ranks.hpp"

namespace blindspot {

class Node;

/// A progress bar for one piece of work; the host decides whether and how it is shown.
class BLINDSPOT_API Progress {
 public:
  virtual ~Progress();
  /// `steps` more units done.
  virtual void advance(std::int64_t steps = 1) = 0;
  /// Short text shown after the bar ("loss 0.31 err 4.2%").
  virtual void status(const std::string& text) = 0;
};

/// What the host gives a running node besides its inputs.
class BLINDSPOT_API RunContext {
 public:
  virtual ~RunContext();
  /// The node's seed: derived from the experiment seed and the node's name.
  virtual std::uint64_t seed() const = 0;
  /// A generator seeded with seed(); LibTorch's global generator is seeded with it as well.
  virtual std::mt19937_64& rng() = 0;
  /// Threads LibTorch may use.
  virtual int threads() const = 0;
  /// A progress bar over `total` units of `what`; shown when the work lasts over a second.
  virtual std::unique_ptr<Progress> progress(const std::string& what, std::int64_t total) = 0;
  /// One line of information for the user.
  virtual void log(const std::string& line) = 0;
  /// Creates the plugin a component parameter names ({plugin: NAME, ...}, already validated
  /// by the host against that plugin's schema); `kind` is the kind the parameter declared.
  virtual std::unique_ptr<Node> component(const Value& spec, PluginKind kind) = 0;
  /// The ranks the node shares its work with: those of an MPI run for a node whose schema
  /// declares `.across_ranks()`, otherwise (and by default) single_rank().
  virtual const Ranks& ranks() const;
};

/// The products connected to a node's input ports, checked by the host before the node runs.
class BLINDSPOT_API Inputs {
 public:
  /// One connected product and the node it came from.
  struct Entry {
    std::string node;
    std::shared_ptr<const Product> product;
  };

  /// The product on a single-node port.
  template <class T>
  const T& get(const std::string& port) const {
    const Entry& entry = one(port, T::product_kind());
    return static_cast<const T&>(*entry.product);
  }
  /// The products on a many-node port, in the order the experiment lists them.
  template <class T>
  std::vector<std::pair<std::string, const T*>> get_all(const std::string& port) const {
    std::vector<std::pair<std::string, const T*>> out;
    for (const Entry& entry : all(port, T::product_kind()))
      out.emplace_back(entry.node, static_cast<const T*>(entry.product.get()));
    return out;
  }
  /// The product on a single-node port declared as a Port<T>.
  template <class T>
  const T& get(const Port<T>& port) const {
    return get<T>(port.name);
  }
  /// The products on a many-node port declared as a Port<T>.
  template <class T>
  std::vector<std::pair<std::string, const T*>> get_all(const Port<T>& port) const {
    return get_all<T>(port.name);
  }
  /// Whether the experiment connected `port` (false only for an optional input left out).
  bool has(const std::string& port) const;
  /// Name of the node connected to a single-node port.
  const std::string& source(const std::string& port) const;
  /// Used by the host to connect a product.
  void add(const std::string& port, Entry entry);
  /// Used by the host for a list port the experiment connects to no node (`port: []`).
  void add_empty(const std::string& port);

 private:
  const Entry& one(const std::string& port, ProductKind kind) const;
  const std::vector<Entry>& all(const std::string& port, ProductKind kind) const;
  std::map<std::string, std::vector<Entry>> ports_;
};

/// The products a node writes, by output port.
class BLINDSPOT_API Outputs {
 public:
  template <class T>
  void put(const std::string& port, T product) {
    set(port, std::make_shared<const T>(std::move(product)));
  }
  /// Writes the product of an output port declared as a Port<T>.
  template <class T>
  void put(const Port<T>& port, T product) {
    put<T>(port.name, std::move(product));
  }
  void set(const std::string& port, std::shared_ptr<const Product> product);
  /// The product on a port, or null.
  std::shared_ptr<const Product> find(const std::string& port) const;
  const std::map<std::string, std::shared_ptr<const Product>>& all() const { return products_; }

 private:
  std::map<std::string, std::shared_ptr<const Product>> products_;
};

/// Archived products of a node, by output port.
using StoredProducts = std::map<std::string, Record>;

/// Base of every plugin's node. The host calls execute(); a plugin overrides run().
class BLINDSPOT_API Node {
 public:
  virtual ~Node();
  /// Runs the node; an exception leaves it naming the node (Error stays Error, anything else
  /// becomes std::runtime_error: a failed run rather than bad input).
  void execute(const std::string& node_name, const Inputs& in, Outputs& out, RunContext& ctx);
  /// Rebuilds the outputs from the archive instead of recomputing them (`run --resume`).
  /// The default loads every product whose kind can be loaded alone (ProductType::load);
  /// model plugins override it to rebuild their network.
  virtual void restore(const StoredProducts& stored, const Inputs& in, Outputs& out,
                       RunContext& ctx);

 private:
  virtual void run(const Inputs& in, Outputs& out, RunContext& ctx) = 0;
};

/// The component a parameter names, as its plugin type T (T::plugin_kind says which kind). The
/// host creates only a plugin of that kind, and BLINDSPOT_PLUGIN checks when a plugin is
/// compiled that its class derives from its kind's base, so the cast is sound.
template <class T>
std::unique_ptr<T> make_component(RunContext& ctx, const Value& spec) {
  return std::unique_ptr<T>(static_cast<T*>(ctx.component(spec, T::plugin_kind).release()));
}

/// Base of model plugins: the host can rebuild the architecture to load archived weights.
class BLINDSPOT_API ModelNode : public Node {
 public:
  static constexpr PluginKind plugin_kind = PluginKind::model;
  /// Builds the untrained architecture and loads the archived weights of port "model".
  void restore(const StoredProducts& stored, const Inputs& in, Outputs& out,
               RunContext& ctx) override;

 private:
  /// The model's architecture with fresh weights, as run() builds it before training.
  virtual std::shared_ptr<Classifier> build(const Inputs& in) const = 0;
};

}  // namespace blindspot
