// Reading one JSON object field by field, first error wins: after a problem every further
// call does nothing, and error() names the field. Unknown keys are errors too, so a typo in
// a program ("earn_pb") is caught instead of silently ignored.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "codec/decode.hpp"
#include "core/money/money.hpp"

namespace kopilka::codec {

class ObjectReader {
public:
    ObjectReader(const Json& j, std::string path, DecodeError* error);

    bool ok() const { return error_->code.empty(); }
    const std::string& path() const { return path_; }
    std::string field(const char* key) const { return join_path(path_, key); }
    bool has(const char* key) const { return ok() && j_.is_object() && j_.contains(key); }
    const Json& at(const char* key) const { return j_.at(key); }

    void integer(const char* key, std::int64_t* out, std::int64_t min,
                 std::int64_t max);  // required
    void optional_integer(const char* key, std::int64_t* out, std::int64_t min, std::int64_t max);
    void text(const char* key, std::string* out,
              std::size_t bytes_max = 256);  // required, non-empty
    void optional_text(const char* key, std::string* out, std::size_t bytes_max = 256);
    void optional_flag(const char* key, bool* out);
    void optional_texts(const char* key, std::vector<std::string>* out, std::size_t count_max);
    // One of the given words, stored as its index.
    void optional_choice(const char* key, int* out, std::initializer_list<const char*> words);
    // optional_choice into an enum whose values are the words' indices.
    template <class Enum>
    void optional_enum(const char* key, Enum* out, std::initializer_list<const char*> words) {
        int index = static_cast<int>(*out);
        optional_choice(key, &index, words);
        *out = static_cast<Enum>(index);
    }
    // A currency code (RUB, EUR, USD; not points) and a rounding name, kept as is when absent.
    void optional_currency(const char* key, money::Currency* out);
    void optional_rounding(const char* key, money::Rounding* out);
    // An array of objects: calls each(reader_for_element, index) for every element.
    template <class Each>
    void optional_array(const char* key, std::size_t count_max, Each each) {
        if (!has(key)) return;
        const Json& a = at(key);
        if (!a.is_array()) return fail("wrong_type", field(key), "must be an array");
        if (a.size() > count_max)
            return fail("out_of_range", field(key),
                        "has more than " + std::to_string(count_max) + " entries");
        for (std::size_t i = 0; i < a.size() && ok(); ++i) {
            ObjectReader element(a[i], index_path(field(key), i), error_);
            each(element, i);
        }
    }
    // A nested object: returns a reader for it (check ok() and has() first).
    ObjectReader child(const char* key) const;
    void reject_unknown(std::initializer_list<const char*> known);
    void fail(const char* code, std::string field, std::string why);

private:
    const Json& j_;
    std::string path_;
    DecodeError* error_;
};

}  // namespace kopilka::codec
