// CSV as spreadsheets write it (RFC 4180, and what Excel does beyond it): reading a file row
// by row, and writing fields and lines that read back the same.
// Implemented: quoted fields holding separators, line breaks and doubled quotes; a UTF-8 BOM
// at the start skipped; CRLF, LF and a lone CR as line ends; the separator detected from the
// header line (',' ';' or tab, whichever occurs most outside quotes; ',' when none does:
// Excel in ru/de/lv writes ';'); every row with the 1-based line of the file it starts on;
// blank lines skipped; a row whose quoted field is followed by other text is reported with
// its line and reading goes on; an unterminated quote ends the reading with its line.
// Missing: encodings other than UTF-8 (the caller checks the bytes); a separator other
// than the three.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace kopilka::csv {

struct Row {
    std::size_t line = 0;              // 1-based line of the file the row starts on
    std::vector<std::string> fields;
    std::string error;                 // "" when the row reads cleanly, else why not
};

enum class Status {
    row,                 // *row holds the next row (its error may say it is malformed)
    end,                 // no more rows
    unterminated_quote,  // a quoted field runs to the end of the file: error_line() has it
};

class Reader {
public:
    // text must outlive the reader. separator 0: detect it from the first line.
    explicit Reader(std::string_view text, char separator = 0);

    Status next(Row* row);
    char separator() const { return separator_; }
    std::size_t error_line() const { return error_line_; }  // where the bad quote opened

private:
    std::string_view text_;
    std::size_t at_ = 0;
    std::size_t line_ = 1;
    std::size_t error_line_ = 0;
    char separator_ = ',';
};

// The separator of a header line: ',' ';' or '\t', whichever occurs most outside quotes
// (',' on a tie or when none occurs).
char detect_separator(std::string_view header_line);

// [SECTION] Writing
// Formula injection guard (OWASP "CSV injection"): a text starting with = + - @ tab or CR gets
// a leading ' so a spreadsheet shows it as text instead of running it; a number (an optional
// sign, digits, one '.' or ',' between digits) stays as it is.
std::string guarded(std::string_view text);
// The field as it must be written, guarded: quoted (quotes doubled) when it holds the separator, a
// quote, a line break, or starts or ends with a space; as it is otherwise.
std::string field(std::string_view text, char separator = ',');
// The fields joined by the separator, ending with CRLF (RFC 4180).
std::string line(const std::vector<std::string>& fields, char separator = ',');

}  // namespace kopilka::csv
