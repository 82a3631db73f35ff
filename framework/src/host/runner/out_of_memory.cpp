// Recognising allocation failures: std::bad_alloc, and LibTorch's CPU allocator, whose c10::Error
// Node::execute has already turned into a std::runtime_error carrying its text.
#include "runner/out_of_memory.hpp"

#include <c10/util/Exception.h>
#include <fmt/format.h>

#include <new>
#include <regex>
#include <stdexcept>

#include "blindspot/error.hpp"

namespace blindspot::host {

namespace {

/// LibTorch 1.13's DefaultCPUAllocator says "can't allocate memory: you tried to allocate N
/// bytes" (other versions "not enough memory: ...").
bool allocation_failed(const std::string& text) {
  return text.find("can't allocate memory") != std::string::npos ||
         text.find("not enough memory") != std::string::npos ||
         text.find("std::bad_alloc") != std::string::npos;
}

std::runtime_error out_of_memory(const GraphNode& node, const std::string& text) {
  std::smatch m;
  std::string asked;
  if (std::regex_search(text, m, std::regex("allocate (\\d+) bytes")))
    asked = fmt::format(" (one tensor of {:.1f} GB was asked for)", std::stod(m[1].str()) / 1e9);
  return std::runtime_error(
      fmt::format("node '{}' ({}): out of memory{}; make the sizes in its "
                  "parameters or inputs smaller",
                  node.decl->name, node.decl->plugin, asked));
}

}  // namespace

void guard_memory(const GraphNode& node, const std::function<void()>& step) {
  try {
    step();
  } catch (const std::bad_alloc&) {
    throw out_of_memory(node, "");
  } catch (const c10::Error& e) {
    if (allocation_failed(e.what_without_backtrace()))
      throw out_of_memory(node, e.what_without_backtrace());
    throw;
  } catch (const Error&) {
    throw;  // the user's input, already located
  } catch (const std::runtime_error& e) {
    if (allocation_failed(e.what())) throw out_of_memory(node, e.what());
    throw;
  }
}

}  // namespace blindspot::host
