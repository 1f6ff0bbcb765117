#include "http/target.hpp"

#include "codec/utf8.hpp"
#include "core/crypto/sha256.hpp"

namespace kopilka::server::http {

namespace {
// %XX → the byte; false on a "%" not followed by two hex digits.
bool percent_decode(std::string_view in, bool plus_is_space, std::string* out) {
    out->clear();
    out->reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] == '%') {
            if (i + 2 >= in.size()) return false;
            const int hi = crypto::hex_digit_value(in[i + 1]),
                      lo = crypto::hex_digit_value(in[i + 2]);
            if (hi < 0 || lo < 0) return false;
            out->push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else {
            out->push_back(plus_is_space && in[i] == '+' ? ' ' : in[i]);
        }
    }
    return true;
}

// Decodes one piece of the target and checks what it became.
bool decode_part(std::string_view in, bool plus_is_space, const std::string& field,
                 std::string* out, TargetError* err) {
    if (!percent_decode(in, plus_is_space, out)) {
        *err = {field, field + " has a \"%\" that is not followed by two hexadecimal digits"};
        return false;
    }
    std::size_t bad_at = 0;
    if (!codec::valid_utf8(*out, &bad_at)) {
        *err = {field, field + " is not valid UTF-8 (byte " + std::to_string(bad_at + 1) +
                           " after decoding)"};
        return false;
    }
    if (codec::has_control_character(*out)) {
        *err = {field, field + " contains a control character"};
        return false;
    }
    return true;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= s.size(); ++i)
        if (i == s.size() || s[i] == sep) {
            out.push_back(s.substr(start, i - start));
            start = i + 1;
        }
    return out;
}
}  // namespace

bool parse_target(std::string_view target, Target* out, TargetError* err) {
    if (target.empty() || target[0] != '/') {
        *err = {"path", "the request target must be a path starting with \"/\""};
        return false;
    }
    const std::size_t q = target.find('?');
    out->raw_path = std::string(target.substr(0, q));
    if (!decode_part(out->raw_path, false, "path", &out->path, err)) return false;
    out->params.clear();
    if (q == std::string_view::npos) return true;
    for (const std::string_view pair : split(target.substr(q + 1), '&')) {
        if (pair.empty()) continue;
        const std::size_t eq = pair.find('=');
        std::string name, value;
        if (!decode_part(pair.substr(0, eq), true, "query", &name, err)) return false;
        if (eq != std::string_view::npos &&
            !decode_part(pair.substr(eq + 1), true, "query." + name, &value, err))
            return false;
        out->params.emplace_back(std::move(name), std::move(value));
    }
    return true;
}

PathTemplate::PathTemplate(std::string_view templ) {
    for (const std::string_view s : split(templ, '/'))
        segments_.emplace_back(
            s.size() > 1 && s.front() == '{' && s.back() == '}' ? "{}" : std::string(s));
}

std::vector<std::string_view> split_path(std::string_view path) { return split(path, '/'); }

bool PathTemplate::match(const std::vector<std::string_view>& parts,
                         std::vector<std::string>* params) const {
    if (parts.size() != segments_.size()) return false;
    std::vector<std::string> found;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (segments_[i] != "{}") {
            if (parts[i] != segments_[i]) return false;
            continue;
        }
        std::string value;
        // The whole path decoded cleanly (parse_target), so each of its segments does too.
        if (parts[i].empty() || !percent_decode(parts[i], false, &value)) return false;
        found.push_back(std::move(value));
    }
    *params = std::move(found);
    return true;
}

}  // namespace kopilka::server::http
