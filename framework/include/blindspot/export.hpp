// Symbol visibility for the SDK: everything is built hidden, SDK types are exported explicitly.
#pragma once

#define BLINDSPOT_API __attribute__((visibility("default")))
