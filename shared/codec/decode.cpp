#include "codec/decode.hpp"

#include <set>
#include <vector>

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
        fail(e, "wrong_type", std::string(path),
             (path.empty() ? std::string("the body") : std::string(path)) + " must be an object");
        return nullptr;
    }
    const auto it = obj.find(key);
    if (it == obj.end()) {
        if (required)
            fail(e, "missing_field", join_path(path, key), join_path(path, key) + " is required");
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

namespace {
// Follows the parser through the document to know where each key is, and records the first
// key that repeats one of its object or holds a control character.
class KeyChecker {
public:
    bool on_event(Json::parse_event_t event, const Json& parsed) {
        using E = Json::parse_event_t;
        switch (event) {
            case E::object_start:
            case E::array_start: {
                std::string path = element_path();
                open_.push_back({event == E::object_start, std::move(path), {}, {}, 0});
                break;
            }
            case E::object_end:
            case E::array_end:
                if (!open_.empty()) open_.pop_back();
                break;
            case E::key:
                if (!open_.empty() && parsed.is_string())
                    check_key(parsed.get_ref<const std::string&>());
                break;
            case E::value:
                if (!open_.empty() && !open_.back().object) ++open_.back().count;
                break;
        }
        return true;
    }
    const DecodeError& problem() const { return problem_; }

private:
    struct Container {
        bool object = false;
        std::string path;
        std::set<std::string> keys;
        std::string key;        // objects: the key whose value comes next
        std::size_t count = 0;  // arrays: the elements so far
    };

    // The path of the value that starts now, inside the innermost open container.
    std::string element_path() {
        if (open_.empty()) return "";
        Container& c = open_.back();
        return c.object ? join_path(c.path, c.key) : index_path(c.path, c.count++);
    }

    void check_key(const std::string& key) {
        Container& c = open_.back();
        c.key = key;
        if (!problem_.code.empty()) return;
        const std::string path = join_path(c.path, key);
        if (has_control_character(key))
            fail(&problem_, "invalid_value", path, path + " is a key with a control character");
        else if (!c.keys.insert(key).second)
            fail(&problem_, "duplicate_key", path,
                 path + " appears twice in one object (parsers disagree on which one wins)");
    }

    std::vector<Container> open_;
    DecodeError problem_;
};

// What KeyChecker looks for, without knowing where: counts each object's keys (an object that
// ends with fewer members than keys read had one twice) and looks at each key's characters.
// Allocates nothing but its stack of counts; KeyChecker runs only when this finds something.
class KeyCounter {
  public:
    bool on_event(Json::parse_event_t event, const Json& parsed) {
        using E = Json::parse_event_t;
        switch (event) {
            case E::object_start:
                keys_.push_back(0);
                break;
            case E::key:
                if (!keys_.empty()) ++keys_.back();
                if (parsed.is_string() &&
                    has_control_character(parsed.get_ref<const std::string&>()))
                    clean_ = false;
                break;
            case E::object_end:
                if (!keys_.empty()) {
                    if (keys_.back() != parsed.size()) clean_ = false;
                    keys_.pop_back();
                }
                break;
            default:
                break;
        }
        return true;
    }
    bool clean() const { return clean_; }

  private:
    std::vector<std::size_t> keys_;
    bool clean_ = true;
};

template <class Checker>
Json parse_checked(std::string_view text, Checker& checker) {
    const Json::parser_callback_t note = [&checker](int, Json::parse_event_t event, Json& parsed) {
        return checker.on_event(event, parsed);
    };
    return Json::parse(text.begin(), text.end(), note, /*allow_exceptions=*/false);
}
}  // namespace

std::optional<Json> parse_json(std::string_view text, DecodeError* error) {
    KeyCounter counter;
    Json j = parse_checked(text, counter);
    if (j.is_discarded()) {
        fail(error, "malformed_json", "", "the body is not valid JSON");
        return std::nullopt;
    }
    if (counter.clean()) return j;
    // Read again to name the key: where it is and what is wrong with it.
    KeyChecker keys;
    parse_checked(text, keys);
    if (!keys.problem().code.empty()) {
        *error = keys.problem();
        return std::nullopt;
    }
    return j;
}

bool read_string(const Json& obj, std::string_view path, const char* key, std::string* out,
                 DecodeError* error, std::size_t bytes_max) {
    const Json* v = member(obj, path, key, error, true);
    if (!v) return false;
    if (!v->is_string()) {
        const std::string field = join_path(path, key);
        fail(error, "wrong_type", field, field + " must be a string");
        return false;
    }
    const auto& s = v->get_ref<const std::string&>();
    if (s.size() > bytes_max) {
        const std::string field = join_path(path, key);
        fail(error, "out_of_range", field,
             field + " is longer than " + std::to_string(bytes_max) + " bytes");
        return false;
    }
    *out = s;
    return true;
}

bool read_text(const Json& obj, std::string_view path, const char* key, std::string* out,
               DecodeError* error, std::size_t bytes_max) {
    std::string s;
    if (!read_string(obj, path, key, &s, error, bytes_max)) return false;
    if (has_control_character(s)) {
        const std::string field = join_path(path, key);
        fail(error, "invalid_value", field,
             field + " contains a control character (U+0000-U+001F, U+007F-U+009F)");
        return false;
    }
    *out = std::move(s);
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
    const auto field_name = [&] { return join_path(path, key); };
    if (!v->is_number_integer()) {
        const std::string field = field_name();
        fail(error, "wrong_type", field, field + " must be an integer");
        return false;
    }
    std::int64_t x = 0;
    if (v->is_number_unsigned()) {
        const auto u = v->get<std::uint64_t>();
        if (u > static_cast<std::uint64_t>(INT64_MAX)) {
            const std::string field = field_name();
            fail(error, "out_of_range", field, field + " is too large");
            return false;
        }
        x = static_cast<std::int64_t>(u);
    } else {
        x = v->get<std::int64_t>();
    }
    if (x < min || x > max) {
        const std::string field = field_name();
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
