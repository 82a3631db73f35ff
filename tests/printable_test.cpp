// Messages built from user text stay one printable line: control bytes and bad UTF-8 escaped.
#include <doctest/doctest.h>

#include "graph/printable.hpp"
#include "graph/problem.hpp"

using blindspot::host::printable;

TEST_CASE("printable escapes what a terminal would act on and keeps the rest") {
  CHECK(printable("fc10-1e-4 (softmax): ok") == "fc10-1e-4 (softmax): ok");
  CHECK(printable("a\nb\tc\rd") == "a\\nb\\tc\\rd");
  CHECK(printable("\x1b[2J\x07\x7f") == "\\x1b[2J\\x07\\x7f");
  CHECK(printable(std::string("a\0b", 3)) == "a\\x00b");
  CHECK(printable("caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x99\x82") ==
        "caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x99\x82");
  CHECK(printable("\xc2\x9b"
                  "31m") == "\\u009b31m");  // C1 CSI, as UTF-8
  CHECK(printable("\x9b"
                  "31m \xff \xc3") == "\\x9b31m \\xff \\xc3");  // not UTF-8
}

TEST_CASE("a problem's text is one line whatever its message holds") {
  blindspot::host::Problem p{"exp.yaml", {3, 5}, "node 'a\nb': unknown plugin '\x1b]0;x\x07'"};
  CHECK(p.text() == "exp.yaml:3:5: node 'a\\nb': unknown plugin '\\x1b]0;x\\x07'");
}
