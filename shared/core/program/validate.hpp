// Program validation: every contradiction a JSON schema can't see (rising thresholds,
// overlapping tiers, caps below rates, unknown reward ids …), named by field path.
#pragma once

#include <string>

#include "core/program/program.hpp"

namespace kopilka::program {

struct Problem {
    std::string field;    // "tiers.levels[2].threshold"
    std::string code;     // "out_of_range", "not_increasing", "unknown_reference", "duplicate",
                          // "contradiction"
    std::string message;  // a sentence naming the field and why
};

// The first problem found, or nullopt for a valid program.
std::optional<Problem> validate_program(const Program& p);

}  // namespace kopilka::program
