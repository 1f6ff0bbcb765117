#include "auth/password.hpp"

#include <sodium.h>

#include <cstdlib>
#include <stdexcept>

namespace kopilka::server::auth {

namespace {
void sodium_ready() {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

std::size_t code_points(std::string_view s) {
    std::size_t n = 0;
    for (const char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    return n;
}
}  // namespace

PasswordLimits password_limits_from_env() {
    const char* v = std::getenv("KOPILKA_PASSWORD_HASH");
    return v && std::string_view(v) == "min" ? PasswordLimits::minimum
                                             : PasswordLimits::interactive;
}

std::string password_problem(std::string_view password) {
    if (password.size() > password_bytes_max)
        return "password must be at most " + std::to_string(password_bytes_max) + " bytes";
    if (code_points(password) < password_chars_min)
        return "password must be at least " + std::to_string(password_chars_min) + " characters";
    return "";
}

std::string hash_password(std::string_view password, PasswordLimits limits) {
    sodium_ready();
    const bool min = limits == PasswordLimits::minimum;
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(out, password.data(), password.size(),
                              min ? crypto_pwhash_OPSLIMIT_MIN : crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              min ? crypto_pwhash_MEMLIMIT_MIN : crypto_pwhash_MEMLIMIT_INTERACTIVE,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        throw std::runtime_error("password hashing failed (out of memory)");
    return out;
}

bool verify_password(const std::string& hash, std::string_view password) {
    sodium_ready();
    if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
    return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

}  // namespace kopilka::server::auth
