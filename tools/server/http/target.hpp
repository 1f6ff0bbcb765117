// Reading a request target ("/v1/admin/members/anna%20k?q=%D0%90&after=x") into the
// checked parts a handler sees, and matching paths against route templates.
// Every piece that comes out is valid UTF-8 without control characters; anything else is
// refused with the part it was found in ("path", "query", "query.q").
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kopilka::server::http {

struct TargetError {
    std::string field;    // "path", "query", "query.NAME"
    std::string message;  // a sentence naming it
};

struct Target {
    std::string raw_path;  // as sent, for matching routes (an encoded "/" stays in its segment)
    std::string path;      // percent-decoded
    std::vector<std::pair<std::string, std::string>> params;  // decoded; "+" is a space
};

// Origin-form targets only ("/…"); false with *err on anything else.
bool parse_target(std::string_view target, Target* out, TargetError* err);

// A path split at "/" ("/a/b" → "", "a", "b"); the views point into the path.
std::vector<std::string_view> split_path(std::string_view path);

// A route's path template, "/v1/admin/members/{id}/adjust", split into segments; a segment
// in braces matches any one non-empty segment of a path.
class PathTemplate {
public:
    explicit PathTemplate(std::string_view templ);
    // True when the segments of a raw path (split_path of Target::raw_path, split once for
    // every route tried) fit; *params gets each {name}, decoded.
    bool match(const std::vector<std::string_view>& parts, std::vector<std::string>* params) const;

private:
    std::vector<std::string> segments_;  // "{}" for a parameter
};

}  // namespace kopilka::server::http
