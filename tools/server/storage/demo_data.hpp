// Demo data for tools/run.sh and tests: a merchant "DEMO" (RUB) with a tiered points
// program and three members with some history. Seeded only into an empty database.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "storage/store.hpp"

namespace kopilka::server {

struct DemoMember {
    std::string member_id;
    std::string card_number;
};

// Returns the members it created (nothing if the database already had a merchant).
std::vector<DemoMember> seed_demo(Store& store, std::int64_t now_ms);

// A fresh 128-bit random id as 32 lowercase hex digits.
std::string random_id();
// A random secret for HMAC keys (32 bytes, hex).
std::string random_secret();

}  // namespace kopilka::server
