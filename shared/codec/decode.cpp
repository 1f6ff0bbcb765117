#include "codec/decode.hpp"

namespace kopilka::codec {

namespace {
void fail(DecodeError* e, const char* code, std::string field, std::string message) {
    e->code = code;
    e->field = std::move(field);
    e->message = std::move(message);
}

const Json* member(const Json& obj, std::string_view path, const char* key, DecodeError* e,
                   bool required) {
    if (!obj.is_object()) {
        fail(e, "wrong_type", std::string(path), (path.empty() ? std::string("the body") : std::string(path)) + " must be an object");
        return nullptr;
    }
    const auto it = obj.find(key);
    if (it == obj.end()) {
        if (required) fail(e, "missing_field", join_path(path, key), join_path(path, key) + " is required");
        return nullptr;
    }
    return &*it;
}
}  // namespace

std::string join_path(std::string_view path, std::string_view key) {
    std::string out(path);
    if (!out.empty()) out += '.';
    out.append(key);
    return out;
}

std::string index_path(std::string_view path, std::size_t index) {
    return std::string(path) + "[" + std::to_string(index) + "]";
}

std::optional<Json> parse_json(std::string_view text, DecodeError* error) {
    Json j = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) {
        fail(error, "malformed_json", "", "the body is not valid JSON");
        return std::nullopt;
    }
    return j;
}

bool read_string(const Json& obj, std::string_view path, const char* key, std::string* out,
                 DecodeError* error, std::size_t bytes_max) {
    const Json* v = member(obj, path, key, error, true);
    if (!v) return false;
    const std::string field = join_path(path, key);
    if (!v->is_string()) {
        fail(error, "wrong_type", field, field + " must be a string");
        return false;
    }
    const auto& s = v->get_ref<const std::string&>();
    if (s.size() > bytes_max) {
        fail(error, "out_of_range", field, field + " is longer than " + std::to_string(bytes_max) + " bytes");
        return false;
    }
    *out = s;
    return true;
}

bool read_optional_string(const Json& obj, std::string_view path, const char* key, std::string* out,
                          DecodeError* error, std::size_t bytes_max) {
    if (obj.is_object() && !obj.contains(key)) return true;
    return read_string(obj, path, key, out, error, bytes_max);
}

bool read_int(const Json& obj, std::string_view path, const char* key, std::int64_t* out,
              DecodeError* error, std::int64_t min, std::int64_t max) {
    const Json* v = member(obj, path, key, error, true);
    if (!v) return false;
    const std::string field = join_path(path, key);
    if (!v->is_number_integer()) {
        fail(error, "wrong_type", field, field + " must be an integer");
        return false;
    }
    std::int64_t x = 0;
    if (v->is_number_unsigned()) {
        const auto u = v->get<std::uint64_t>();
        if (u > static_cast<std::uint64_t>(INT64_MAX)) {
            fail(error, "out_of_range", field, field + " is too large");
            return false;
        }
        x = static_cast<std::int64_t>(u);
    } else {
        x = v->get<std::int64_t>();
    }
    if (x < min || x > max) {
        fail(error, "out_of_range", field,
             field + " must be between " + std::to_string(min) + " and " + std::to_string(max));
        return false;
    }
    *out = x;
    return true;
}

Json error_json(std::string_view code, std::string_view message, std::string_view field) {
    Json e = {{"code", code}, {"message", message}};
    if (!field.empty()) e["field"] = field;
    return Json{{"error", e}};
}

Json error_json(const DecodeError& e) { return error_json(e.code, e.message, e.field); }

}  // namespace kopilka::codec
