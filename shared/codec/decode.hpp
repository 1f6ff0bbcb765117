// Decoding JSON into core types with errors that name the bad field ("tiers[2].threshold")
// and say why. Decoders never throw; they return a DecodeError.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "codec/utf8.hpp"  // has_control_character: what the text readers refuse

namespace kopilka::codec {

using Json = nlohmann::json;

struct DecodeError {
    std::string
        code;  // "missing_field", "wrong_type", "out_of_range", "invalid_value", "malformed_json"
    std::string field;    // JSON path of the offending value, "" for the whole document
    std::string message;  // a sentence naming the field
};

template <class T>
struct Decoded {
    std::optional<T> value;
    DecodeError error;
    bool ok() const { return value.has_value(); }
};

// Parses text without throwing; on failure error.code is "malformed_json". A key repeated
// in one object, at any depth, is refused too ("duplicate_key", the field is the key's path):
// parsers disagree on which of the two wins, so a body could mean one thing to a proxy or a
// log reader and another to us. So is a key with a control character ("invalid_value").
// Every request body and every document we read goes through here.
std::optional<Json> parse_json(std::string_view text, DecodeError* error);


// Field readers: each checks presence and type and fills *error naming path + "." + key.
// They return false on a problem; optional readers return true when the key is absent.
// A text (an id, a name, a word) with a control character is refused ("invalid_value"): no
// field of ours is multi-line free text. ObjectReader's text readers are read_text.
bool read_text(const Json& obj, std::string_view path, const char* key, std::string* out,
               DecodeError* error, std::size_t bytes_max = 1024);
// The string as sent, control characters included: only for raw input that a parser of its
// own checks character by character (a scanned card code comes with the scanner's CR/LF).
bool read_string(const Json& obj, std::string_view path, const char* key, std::string* out,
                 DecodeError* error, std::size_t bytes_max = 1024);
bool read_int(const Json& obj, std::string_view path, const char* key, std::int64_t* out,
              DecodeError* error, std::int64_t min, std::int64_t max);
bool read_optional_string(const Json& obj, std::string_view path, const char* key, std::string* out,
                          DecodeError* error, std::size_t bytes_max = 1024);

std::string join_path(std::string_view path, std::string_view key);
std::string index_path(std::string_view path, std::size_t index);

// {"error":{"code":…,"message":…,"field":…}} — the one error shape of the REST API.
Json error_json(std::string_view code, std::string_view message, std::string_view field = {});
Json error_json(const DecodeError& e);

}  // namespace kopilka::codec
