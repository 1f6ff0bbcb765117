// The test runner of kopilka_ops_tests: doctest's own main().
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
