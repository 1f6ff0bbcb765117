// Reading the server's JSON answers in the console's sections: a field of the type expected,
// or a fallback when it is missing or of another type (the answer's shape is the server's
// contract; a section shows what it can of a partial one rather than failing).
#pragma once

#include <cstdint>
#include <string>

#include "client/transport.hpp"
#include "codec/decode.hpp"

namespace kopilka::client {

// A 2xx answer arrived.
inline bool reply_ok(const TransportReply& r) {
    return r.delivered && r.status >= 200 && r.status < 300;
}

inline std::int64_t json_int(const codec::Json& j, const char* key, std::int64_t fallback = 0) {
    const auto it = j.find(key);
    return it != j.end() && it->is_number_integer() ? it->get<std::int64_t>() : fallback;
}

inline std::string json_text(const codec::Json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace kopilka::client
