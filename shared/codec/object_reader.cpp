#include "codec/object_reader.hpp"

namespace kopilka::codec {

namespace {
const Json& null_json() {
    static const Json n;
    return n;
}
}  // namespace

ObjectReader::ObjectReader(const Json& j, std::string path, DecodeError* error)
    : j_(j), path_(std::move(path)), error_(error) {
    if (ok() && !j_.is_object()) fail("wrong_type", path_, "must be an object");
}

void ObjectReader::fail(const char* code, std::string field, std::string why) {
    if (!ok()) return;
    const std::string name = field.empty() ? std::string("the document") : field;
    *error_ = DecodeError{code, field, name + " " + why};
}

void ObjectReader::integer(const char* key, std::int64_t* out, std::int64_t min, std::int64_t max) {
    if (!ok()) return;
    if (!has(key)) return fail("missing_field", field(key), "is required");
    optional_integer(key, out, min, max);
}

void ObjectReader::optional_integer(const char* key, std::int64_t* out, std::int64_t min,
                                    std::int64_t max) {
    if (!has(key)) return;
    read_int(j_, path_, key, out, error_, min, max);
}

void ObjectReader::text(const char* key, std::string* out, std::size_t bytes_max) {
    if (!ok()) return;
    if (!has(key)) return fail("missing_field", field(key), "is required");
    optional_text(key, out, bytes_max);
    if (ok() && out->empty()) fail("invalid_value", field(key), "must not be empty");
}

void ObjectReader::optional_text(const char* key, std::string* out, std::size_t bytes_max) {
    if (!has(key)) return;
    read_text(j_, path_, key, out, error_, bytes_max);
}

void ObjectReader::optional_flag(const char* key, bool* out) {
    if (!has(key)) return;
    const Json& v = at(key);
    if (!v.is_boolean()) return fail("wrong_type", field(key), "must be true or false");
    *out = v.get<bool>();
}

void ObjectReader::optional_texts(const char* key, std::vector<std::string>* out,
                                  std::size_t count_max) {
    if (!has(key)) return;
    const Json& a = at(key);
    if (!a.is_array()) return fail("wrong_type", field(key), "must be an array of strings");
    if (a.size() > count_max)
        return fail("out_of_range", field(key),
                    "has more than " + std::to_string(count_max) + " entries");
    out->clear();
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (!a[i].is_string() || a[i].get_ref<const std::string&>().empty() ||
            a[i].get_ref<const std::string&>().size() > 256)
            return fail("wrong_type", index_path(field(key), i), "must be a non-empty string");
        if (has_control_character(a[i].get_ref<const std::string&>()))
            return fail("invalid_value", index_path(field(key), i), "contains a control character");
        out->push_back(a[i].get<std::string>());
    }
}

void ObjectReader::optional_choice(const char* key, int* out,
                                   std::initializer_list<const char*> words) {
    if (!has(key)) return;
    const Json& v = at(key);
    std::string list;
    int i = 0;
    for (const char* w : words) {
        if (v.is_string() && v.get_ref<const std::string&>() == w) {
            *out = i;
            return;
        }
        list += (i ? ", " : "") + std::string("\"") + w + "\"";
        ++i;
    }
    fail("invalid_value", field(key), "must be one of " + list);
}

void ObjectReader::optional_currency(const char* key, money::Currency* out) {
    if (!has(key)) return;
    std::string code;
    optional_text(key, &code, 8);
    if (!ok()) return;
    const auto c = money::currency_from_code(code);
    if (!c || *c == money::Currency::PTS)
        return fail("invalid_value", field(key),
                    "\"" + code + "\" is not a currency we know (RUB, EUR, USD)");
    *out = *c;
}

void ObjectReader::optional_rounding(const char* key, money::Rounding* out) {
    optional_enum(key, out, {"half_even", "half_up", "floor", "ceil"});
}

ObjectReader ObjectReader::child(const char* key) const {
    return ObjectReader(has(key) ? at(key) : null_json(), field(key), error_);
}

void ObjectReader::reject_unknown(std::initializer_list<const char*> known) {
    if (!ok()) return;
    for (const auto& item : j_.items()) {
        bool found = false;
        for (const char* k : known)
            if (item.key() == k) found = true;
        if (!found)
            return fail("unknown_field", join_path(path_, item.key()),
                        "is not a field here (a typo?)");
    }
}

}  // namespace kopilka::codec
