// The test runner of kopilka_storage_tests: doctest's own main().
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
