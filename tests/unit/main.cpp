// doctest's runner for the unit tests; the same binary is built natively and as wasm.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
