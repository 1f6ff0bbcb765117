// JSON text written straight, byte for byte as nlohmann's dump() writes the same values
// (compact, object keys in their sorted order, which the caller writes them in): for texts
// written with every request, where building and freeing a tree cost more than the request's
// own work. A test compares each writer with dump() of its tree.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kopilka::codec {

class JsonText {
  public:
    // replace_invalid: a string that is not UTF-8 is written with U+FFFD for its bad bytes, as
    // dump() with error_handler_t::replace (answers); else it throws as dump() does (stored
    // texts, which must come back as they were).
    explicit JsonText(std::size_t reserve, bool replace_invalid = false);

    JsonText& raw(std::string_view s) {
        out_.append(s);
        return *this;
    }
    JsonText& integer(std::int64_t n);
    JsonText& flag(bool b) { return raw(b ? "true" : "false"); }
    JsonText& string(std::string_view s);
    // A name of ours (an id, an enum's name, hex digits): written as it is, no escapes.
    JsonText& name(std::string_view s) {
        out_.push_back('"');
        out_.append(s);
        out_.push_back('"');
        return *this;
    }
    // "[" item "," item … "]"
    template <class T, class Item>
    JsonText& list(const std::vector<T>& items, Item item) {
        out_.push_back('[');
        for (std::size_t i = 0; i < items.size(); ++i) {
            if (i > 0) out_.push_back(',');
            item(items[i]);
        }
        out_.push_back(']');
        return *this;
    }
    std::string take() { return std::move(out_); }

  private:
    std::string out_;
    bool replace_invalid_;
};

}  // namespace kopilka::codec
