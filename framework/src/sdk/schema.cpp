// Parameter validation against a plugin's schema, and its human-readable description.
#include "blindspot/schema.hpp"

#include "blindspot/suggest.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace blindspot {

const ParamSpec* Schema::find_param(const std::string& name) const {
  for (const ParamSpec& p : params_)
    if (p.name == name) return &p;
  return nullptr;
}

const PortSpec* Schema::find_input(const std::string& name) const {
  for (const PortSpec& p : inputs_)
    if (p.name == name) return &p;
  return nullptr;
}

std::string Schema::display_name(const ValidatedParams& values) const {
  return display_name_ ? display_name_(values) : "";
}

namespace {

std::string range_text(const ParamSpec& p) {
  auto bound = [](double v) {
    bool integral = std::floor(v) == v && std::abs(v) < 1e15;
    return integral ? fmt::format("{}", static_cast<long long>(v)) : fmt::format("{:g}", v);
  };
  if (p.min && p.max)
    return fmt::format("{}{}, {}]", p.min_exclusive ? "(" : "[", bound(*p.min), bound(*p.max));
  if (p.min) return fmt::format("{} {}", p.min_exclusive ? ">" : ">=", bound(*p.min));
  if (p.max) return fmt::format("<= {}", bound(*p.max));
  return "";
}

std::string choices_text(const std::vector<std::string>& choices) {
  std::string out;
  for (const std::string& c : choices) out += (out.empty() ? "" : ", ") + c;
  return out;
}

// Converts `given` to `type` if it can be read as one; returns false otherwise.
bool coerce(ValueType type, const Value& given, Value& out) {
  if (given.type == type) {
    out = given;
    return true;
  }
  if (type == ValueType::real && given.type == ValueType::integer) {
    out = Value::of(static_cast<double>(given.integer));
    return true;
  }
  if (type == ValueType::integer && given.type == ValueType::real &&
      std::floor(given.real) == given.real && std::abs(given.real) < 9.0e15) {
    out = Value::of(static_cast<std::int64_t>(given.real));
    return true;
  }
  return false;
}

// Checks a scalar (or list element) against type, range and choices.
void check_scalar(const ParamSpec& p, ValueType type, const Value& given, Value& out,
                  std::vector<ParamProblem>& problems) {
  if (!coerce(type, given, out)) {
    problems.push_back(
        {p.name, fmt::format("parameter '{}' expects {} {}, got {} {}", p.name,
                             type == ValueType::integer ? "an" : "a", type_name(type),
                             type_name(given.type), given.to_yaml())});
    return;
  }
  if (type == ValueType::integer || type == ValueType::real) {
    double v = type == ValueType::integer ? static_cast<double>(out.integer) : out.real;
    bool below = p.min && (p.min_exclusive ? v <= *p.min : v < *p.min);
    if (below || (p.max && v > *p.max) || std::isnan(v))
      problems.push_back({p.name, fmt::format("parameter '{}' = {} is out of range; expected {}",
                                              p.name, out.to_yaml(), range_text(p))});
  }
  if (type == ValueType::string && !p.choices.empty() &&
      std::find(p.choices.begin(), p.choices.end(), out.string) == p.choices.end())
    problems.push_back({p.name, fmt::format("parameter '{}' = '{}' is not allowed; expected one "
                                            "of: {}",
                                            p.name, out.string, choices_text(p.choices))});
}

}  // namespace

ValidatedParams Schema::validate(const std::map<std::string, Value>& given,
                                 std::vector<ParamProblem>& problems) const {
  ValidatedParams out;
  for (const auto& [key, value] : given) {
    if (find_param(key)) continue;
    std::vector<std::string> names;
    for (const ParamSpec& p : params_) names.push_back(p.name);
    std::string hint = suggestion(key, names, "; this plugin takes no parameters");
    problems.push_back({key, fmt::format("unknown parameter '{}'{}", key, hint)});
  }
  for (const ParamSpec& p : params_) {
    auto it = given.find(p.name);
    if (it == given.end()) {
      if (p.default_value.type == ValueType::null)
        problems.push_back(
            {p.name, fmt::format("missing required parameter '{}' ({})", p.name, p.doc)});
      else
        out[p.name] = p.default_value;
      continue;
    }
    const Value& v = it->second;
    Value checked;
    if (p.type == ValueType::list) {
      if (v.type != ValueType::list) {
        problems.push_back(
            {p.name, fmt::format("parameter '{}' expects a list of {}, got {} {}", p.name,
                                 type_name(p.element_type), type_name(v.type), v.to_yaml())});
        continue;
      }
      checked.type = ValueType::list;
      for (const Value& item : v.list) {
        Value element;
        check_scalar(p, p.element_type, item, element, problems);
        checked.list.push_back(element);
      }
    } else if (p.type == ValueType::map) {
      if (v.type != ValueType::map) {
        problems.push_back({p.name, fmt::format("parameter '{}' expects a map, got {} {}", p.name,
                                                type_name(v.type), v.to_yaml())});
        continue;
      }
      checked = v;
    } else {
      check_scalar(p, p.type, v, checked, problems);
    }
    out[p.name] = checked;
  }
  return out;
}

void Schema::assign(void* params, const ValidatedParams& values) const {
  for (const ParamSpec& p : params_) {
    auto it = values.find(p.name);
    p.assign(params, it != values.end() ? it->second : p.default_value);
  }
}

std::string Schema::tracked_text(const ValidatedParams& values) const {
  std::map<std::string, Value> tracked;
  for (const ParamSpec& p : params_) {
    auto it = values.find(p.name);
    if (p.affects_results && it != values.end()) tracked[p.name] = it->second;
  }
  return Value::of(tracked).to_yaml();
}

std::string Schema::describe() const {
  std::string out = doc_ + "\n";
  out += params_.empty() ? "\nparameters: none\n" : "\nparameters:\n";
  for (const ParamSpec& p : params_) {
    std::string type = p.type == ValueType::list
                           ? fmt::format("list of {}", type_name(p.element_type))
                           : type_name(p.type);
    std::string constraint =
        p.choices.empty() ? range_text(p) : "one of " + choices_text(p.choices);
    std::string default_text =
        p.default_value.type == ValueType::null ? "(required)" : p.default_value.to_yaml();
    std::string line =
        fmt::format("  {:<16} {:<16} default {:<12}  {}{}", p.name, type, default_text, constraint,
                    p.affects_results ? "" : "  (does not affect results)");
    if (p.names_file) line += "  (its contents are part of the cache key)";
    line.erase(line.find_last_not_of(' ') + 1);
    out += line + "\n      " + p.doc + "\n";
  }
  auto ports = [&out](const char* title, const std::vector<PortSpec>& list) {
    out += list.empty() ? fmt::format("\n{}: none\n", title) : fmt::format("\n{}:\n", title);
    for (const PortSpec& p : list)
      out += fmt::format("  {:<16} {:<16} {}\n", p.name,
                         p.many ? fmt::format("list of {}", kind_name(p.kind)) : kind_name(p.kind),
                         p.optional ? "(optional) " + p.doc : p.doc);
  };
  ports("inputs", inputs_);
  ports("outputs", outputs_);
  if (!provides_.empty()) out += "\nprovides (for an experiment's `reproduces:`):\n";
  for (const auto& [id, title] : provides_) out += fmt::format("  {:<16} {}\n", id, title);
  if (tolerance_ > 0) out += fmt::format("\nreproducible within {:g}\n", tolerance_);
  if (across_ranks_) out += "\nruns across the ranks of an MPI run, each doing a share\n";
  return out;
}

}  // namespace blindspot
