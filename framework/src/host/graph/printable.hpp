// Making text built from user input safe to print as one line on a terminal.
#pragma once

#include <string>

namespace blindspot::host {

/// `text` with every byte a terminal would act on escaped: control characters as \n, \t, \r or
/// \xNN (so ESC is \x1b), C1 controls as \u0080..\u009f, and bytes that are not UTF-8 as \xNN.
/// Valid UTF-8 text is otherwise kept as it is.
std::string printable(const std::string& text);

}  // namespace blindspot::host
