#include "core/csv/csv.hpp"

namespace kopilka::csv {

namespace {
constexpr std::string_view kBom = "\xEF\xBB\xBF";

bool line_end(char c) { return c == '\n' || c == '\r'; }

// The length of the line break at text[at] (CRLF 2, LF or CR 1), 0 when there is none.
std::size_t break_length(std::string_view text, std::size_t at) {
    if (at >= text.size() || !line_end(text[at])) return 0;
    return text[at] == '\r' && at + 1 < text.size() && text[at + 1] == '\n' ? 2 : 1;
}
}  // namespace

char detect_separator(std::string_view header_line) {
    std::size_t commas = 0, semicolons = 0, tabs = 0;
    bool quoted = false;
    for (const char c : header_line) {
        if (c == '"') quoted = !quoted;
        if (quoted) continue;
        commas += c == ',';
        semicolons += c == ';';
        tabs += c == '\t';
    }
    if (semicolons > commas && semicolons >= tabs) return ';';
    if (tabs > commas && tabs > semicolons) return '\t';
    return ',';
}

Reader::Reader(std::string_view text, char separator) : text_(text) {
    if (text_.substr(0, kBom.size()) == kBom) at_ = kBom.size();
    if (separator != 0) {
        separator_ = separator;
        return;
    }
    // The first line, up to a line break outside quotes.
    std::size_t end = at_;
    for (bool quoted = false; end < text_.size() && (quoted || !line_end(text_[end])); ++end)
        if (text_[end] == '"') quoted = !quoted;
    separator_ = detect_separator(text_.substr(at_, end - at_));
}

Status Reader::next(Row* row) {
    for (std::size_t n; (n = break_length(text_, at_)) != 0; at_ += n) ++line_;  // blank lines
    if (at_ >= text_.size()) return Status::end;
    row->line = line_;
    row->fields.clear();
    row->error.clear();
    for (;;) {
        std::string value;
        if (at_ < text_.size() && text_[at_] == '"') {
            ++at_;
            for (;;) {
                if (at_ >= text_.size()) {
                    error_line_ = row->line;
                    return Status::unterminated_quote;
                }
                const char c = text_[at_];
                if (c == '"' && at_ + 1 < text_.size() && text_[at_ + 1] == '"') {
                    value += '"';
                    at_ += 2;
                    continue;
                }
                if (c == '"') break;
                if (const std::size_t n = break_length(text_, at_); n != 0) {
                    value.append(text_.substr(at_, n));
                    at_ += n;
                    ++line_;
                    continue;
                }
                value += c;
                ++at_;
            }
            ++at_;  // the closing quote
            if (at_ < text_.size() && text_[at_] != separator_ && !line_end(text_[at_]) &&
                row->error.empty())
                row->error = "field " + std::to_string(row->fields.size() + 1) +
                             " has text after its closing quote";
        }
        // An unquoted field, or what follows a closing quote, runs to a separator or line end.
        while (at_ < text_.size() && text_[at_] != separator_ && !line_end(text_[at_]))
            value += text_[at_++];
        row->fields.push_back(std::move(value));
        if (at_ < text_.size() && text_[at_] == separator_) {
            ++at_;
            continue;
        }
        if (const std::size_t n = break_length(text_, at_); n != 0) {
            at_ += n;
            ++line_;
        }
        return Status::row;
    }
}

namespace {
// A decimal number as a spreadsheet reads it: an optional sign, digits, one optional '.' or
// ',' between digits.
bool number(std::string_view t) {
    std::size_t i = !t.empty() && (t[0] == '-' || t[0] == '+') ? 1 : 0;
    bool digits = false, point = false;
    for (; i < t.size(); ++i) {
        if (t[i] >= '0' && t[i] <= '9') {
            digits = true;
        } else if ((t[i] == '.' || t[i] == ',') && digits && !point && i + 1 < t.size()) {
            point = true;
        } else {
            return false;
        }
    }
    return digits;
}
}  // namespace

std::string guarded(std::string_view text) {
    const bool formula = !text.empty() && std::string_view("=+-@\t\r").find(text[0]) !=
                                              std::string_view::npos;
    return formula && !number(text) ? "'" + std::string(text) : std::string(text);
}

std::string field(std::string_view raw, char separator) {
    const std::string text = guarded(raw);
    bool quote = !text.empty() && (text.front() == ' ' || text.back() == ' ');
    for (const char c : text) quote = quote || c == separator || c == '"' || line_end(c);
    if (!quote) return std::string(text);
    std::string out = "\"";
    for (const char c : text) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + '"';
}

std::string line(const std::vector<std::string>& fields, char separator) {
    std::string out;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i != 0) out += separator;
        out += field(fields[i], separator);
    }
    return out + "\r\n";
}

}  // namespace kopilka::csv
