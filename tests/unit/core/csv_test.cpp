#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/csv/csv.hpp"

using namespace kopilka::csv;

namespace {
// Every row of text, or the status that ended the reading early.
std::vector<Row> rows_of(std::string_view text, Status* last = nullptr, char* sep = nullptr) {
    Reader reader(text);
    std::vector<Row> out;
    Row row;
    Status s;
    while ((s = reader.next(&row)) == Status::row) out.push_back(row);
    if (last) *last = s;
    if (sep) *sep = reader.separator();
    return out;
}
using Fields = std::vector<std::string>;
}  // namespace

TEST_CASE("csv: plain rows with their line numbers, LF and CRLF alike") {
    for (const std::string eol : {"\n", "\r\n", "\r"}) {
        const auto rows = rows_of("a,b,c" + eol + "1,2,3" + eol + "4,,6" + eol);
        REQUIRE(rows.size() == 3);
        CHECK(rows[0].fields == Fields{"a", "b", "c"});
        CHECK(rows[2].fields == Fields{"4", "", "6"});
        CHECK(rows[1].line == 2);
        CHECK(rows[2].line == 3);
    }
    const auto no_final_break = rows_of("a,b\n1,");
    REQUIRE(no_final_break.size() == 2);
    CHECK(no_final_break[1].fields == Fields{"1", ""});
}

TEST_CASE("csv: quoted fields hold separators, doubled quotes and line breaks") {
    const auto rows = rows_of("name,note\n\"Smith, Anna\",\"said \"\"hi\"\"\"\n"
                              "\"two\r\nlines\",x\nlast,\"\"\n");
    REQUIRE(rows.size() == 4);
    CHECK(rows[0].fields == Fields{"name", "note"});
    CHECK(rows[1].fields == Fields{"Smith, Anna", "said \"hi\""});
    CHECK(rows[2].fields == Fields{"two\r\nlines", "x"});
    CHECK(rows[2].line == 3);
    CHECK(rows[3].fields == Fields{"last", ""});
    CHECK(rows[3].line == 5);
    // The row after a quoted line break starts on the line after it.
    const auto more = rows_of("a\n\"x\ny\nz\"\nb\n");
    REQUIRE(more.size() == 3);
    CHECK(more[1].line == 2);
    CHECK(more[2].line == 5);
    CHECK(more[2].fields == Fields{"b"});
}

TEST_CASE("csv: a UTF-8 BOM is skipped and blank lines are not rows") {
    const auto rows = rows_of("\xEF\xBB\xBF" "card;name\n\n1234;Jānis\n\r\n");
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].fields == Fields{"card", "name"});
    CHECK(rows[1].fields == Fields{"1234", "Jānis"});
    CHECK(rows[1].line == 3);
}

TEST_CASE("csv: the separator comes from the header line") {
    char sep = 0;
    auto rows = rows_of("card;name;note\n1;\"a;b\";x,y\n", nullptr, &sep);
    CHECK(sep == ';');
    REQUIRE(rows.size() == 2);
    CHECK(rows[1].fields == Fields{"1", "a;b", "x,y"});
    rows = rows_of("card\tname\n1\tAnna, B\n", nullptr, &sep);
    CHECK(sep == '\t');
    CHECK(rows[1].fields == Fields{"1", "Anna, B"});
    rows_of("\"a;b\",c\n", nullptr, &sep);
    CHECK(sep == ',');  // the ';' is inside quotes
    CHECK(detect_separator("single") == ',');
    CHECK(detect_separator("a;b,c;d") == ';');
}

TEST_CASE("csv: an unterminated quote stops the reading at the line it opened on") {
    Status last;
    Reader reader("a,b\n1,2\n3,\"open\nand on\n");
    Row row;
    CHECK(reader.next(&row) == Status::row);
    CHECK(reader.next(&row) == Status::row);
    CHECK(reader.next(&row) == Status::unterminated_quote);
    CHECK(reader.error_line() == 3);
    const auto rows = rows_of("x\n\"", &last);
    CHECK(rows.size() == 1);
    CHECK(last == Status::unterminated_quote);
}

TEST_CASE("csv: text after a closing quote marks its row, and reading goes on") {
    const auto rows = rows_of("a,b\n\"x\"y,2\n3,4\n");
    REQUIRE(rows.size() == 3);
    CHECK(rows[1].error == "field 1 has text after its closing quote");
    CHECK(rows[1].fields == Fields{"xy", "2"});
    CHECK(rows[2].error.empty());
    CHECK(rows[2].line == 3);
}

TEST_CASE("csv: written fields read back the same") {
    CHECK(field("plain") == "plain");
    CHECK(field("a,b") == "\"a,b\"");
    CHECK(field("a;b") == "a;b");
    CHECK(field("a;b", ';') == "\"a;b\"");
    CHECK(field("say \"hi\"") == "\"say \"\"hi\"\"\"");
    CHECK(field(" padded") == "\" padded\"");
    const Fields original{"Smith, Anna", "line\nbreak", "q\"uote", "", "Jānis"};
    for (const char sep : {',', ';', '\t'}) {
        const std::string text = line({"h1", "h2", "h3", "h4", "h5"}, sep) + line(original, sep);
        const auto rows = rows_of(text);
        REQUIRE(rows.size() == 2);
        CHECK(rows[1].fields == original);
        CHECK(rows[1].line == 2);
    }
}

TEST_CASE("csv: a text a spreadsheet would run as a formula is written as text") {
    CHECK(field("=SUM(A1:A9)") == "'=SUM(A1:A9)");
    CHECK(field("+cmd|' /C calc'!A0") == "'+cmd|' /C calc'!A0");
    CHECK(field("-2+3") == "'-2+3");
    CHECK(field("@HYPERLINK(\"x\")") == "\"'@HYPERLINK(\"\"x\"\")\"");
    CHECK(field("\tTAB") == "'\tTAB");
    CHECK(field("\rCR") == "\"'\rCR\"");  // a CR is a line break: quoted as well
    CHECK(field("=a,b") == "\"'=a,b\"");
    // Numbers stay numbers, signs and all; a sign alone or a text after digits does not.
    for (const char* n : {"-5", "+79160000001", "-12.34", "-3,5", "0", "1200"}) {
        INFO(n);
        CHECK(field(n, ';') == n);
    }
    CHECK(field("-") == "'-");
    CHECK(field("-1.") == "'-1.");
    CHECK(field("-1e5") == "'-1e5");
    CHECK(field("a=b") == "a=b");  // only the first character counts
    CHECK(line({"name", "=1+1", "-7"}) == "name,'=1+1,-7\r\n");
    CHECK(guarded("=x") == "'=x");
}
