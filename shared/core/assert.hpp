// KOPILKA_ASSERT: an always-on check for programmer errors (never for user data, which gets
// a status code). It stays on in release builds, as Dear ImGui's asserts do.
#pragma once

#include <cstdio>
#include <cstdlib>

#define KOPILKA_ASSERT(cond)                                                              \
    do {                                                                                  \
        if (!(cond)) {                                                                    \
            std::fprintf(stderr, "%s:%d: assertion failed: %s\n", __FILE__, __LINE__, #cond); \
            std::abort();                                                                 \
        }                                                                                 \
    } while (0)
