// Staff passwords (the console's sign-in): argon2id through libsodium's crypto_pwhash_str,
// whose output string carries the algorithm, its limits and a random salt, so a hash made
// under one setting verifies under any other.
//
// Implemented: hashing under interactive limits (production) or the minimum ones (tests, to
// keep the suite fast: kopilka-server --password-hash-min / KOPILKA_PASSWORD_HASH=min, the
// same for the CLI), verification (constant time inside libsodium), the length rules.
// Missing: rehashing a password stored under weaker limits at the next sign-in.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace kopilka::server::auth {

constexpr std::size_t password_chars_min = 10;   // UTF-8 code points
constexpr std::size_t password_bytes_max = 128;

enum class PasswordLimits : unsigned char {
    interactive,  // libsodium's OPSLIMIT/MEMLIMIT_INTERACTIVE: about 64 MiB and 0.1 s a try
    minimum,      // libsodium's minimum: for tests only
};

// KOPILKA_PASSWORD_HASH=min in the environment picks minimum, anything else interactive.
PasswordLimits password_limits_from_env();

// "" when the password is acceptable, else why not ("password must be …").
std::string password_problem(std::string_view password);
// The argon2id string to store; throws std::runtime_error when libsodium can't (out of memory).
std::string hash_password(std::string_view password, PasswordLimits limits);
// Whether password is the one hash was made from; false for a malformed hash.
bool verify_password(const std::string& hash, std::string_view password);

}  // namespace kopilka::server::auth
