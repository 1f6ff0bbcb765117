#include "quote_command.hpp"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "codec/catalogue_json.hpp"
#include "codec/program_json.hpp"
#include "codec/quote_json.hpp"

namespace kopilka::cli {

namespace {

int fail(const std::string& why) {
    std::fprintf(stderr, "kopilka quote: %s\n", why.c_str());
    return 2;
}

bool read_text(const std::string& path, std::string* out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::ostringstream s;
    s << in.rdbuf();
    *out = s.str();
    return true;
}

// Reads and parses a JSON file; the error names the file and the flag it came from.
bool read_json(const std::string& flag, const std::string& path, codec::Json* out,
               std::string* why) {
    std::string text;
    if (!read_text(path, &text)) {
        *why = "--" + flag + ": cannot read " + path;
        return false;
    }
    codec::DecodeError e;
    auto j = codec::parse_json(text, &e);
    if (!j) {
        *why = "--" + flag + " " + path + ": " + e.message;
        return false;
    }
    *out = std::move(*j);
    return true;
}

std::string pad(const std::string& s, std::size_t width, bool right) {
    std::size_t chars = 0;  // UTF-8 code points, close enough to columns for our texts
    for (unsigned char c : s) chars += (c & 0xC0) != 0x80;
    const std::string fill(width > chars ? width - chars : 0, ' ');
    return right ? fill + s : s + fill;
}

void print_human(const quote::Receipt& r, const quote::Quote& q, const program::Program& p,
                 const i18n::Catalogues& c, i18n::Locale l, const quote::ReturnResult* ret) {
    auto money = [&](std::int64_t v) { return i18n::format_money(l, {v, p.currency}); };
    auto num = [&](std::int64_t v) { return i18n::format_integer(l, v); };
    std::printf("%s%s%s%s%s%s\n", pad("line", 24, false).c_str(), pad("gross", 14, true).c_str(),
                pad("discount", 14, true).c_str(), pad("by points", 14, true).c_str(),
                pad("paid", 14, true).c_str(), pad("points", 9, true).c_str());
    for (std::size_t i = 0; i < q.lines.size(); ++i) {
        const auto& line = q.lines[i];
        const std::string name = r.lines[i].sku + " ×" + std::to_string(r.lines[i].quantity);
        std::printf(
            "%s%s%s%s%s%s\n", pad(name, 24, false).c_str(),
            pad(money(line.gross), 14, true).c_str(), pad(money(line.discount), 14, true).c_str(),
            pad(money(line.redeemed_money), 14, true).c_str(),
            pad(money(line.paid), 14, true).c_str(), pad(num(line.points), 9, true).c_str());
    }
    std::printf("%s%s%s%s%s%s\n", pad("total", 24, false).c_str(),
                pad(money(q.gross), 14, true).c_str(), pad(money(q.discount), 14, true).c_str(),
                pad(money(q.redeemed_money), 14, true).c_str(),
                pad(money(q.paid), 14, true).c_str(), pad(num(q.points_earned), 9, true).c_str());
    if (q.cashback) std::printf("cashback: %s\n", money(q.cashback).c_str());
    for (const auto& e : q.explanations)
        std::printf("  • %s\n", codec::explanation_text(e, p, c, l).c_str());
    if (ret)
        std::printf("return: refund %s and %s points, take back %s points and %s cashback\n",
                    money(ret->money_refund).c_str(), num(ret->points_refund).c_str(),
                    num(ret->points_clawback).c_str(), money(ret->cashback_clawback).c_str());
}

bool parse_quantities(const std::string& text, std::vector<std::int64_t>* out) {
    std::stringstream s(text);
    std::string part;
    while (std::getline(s, part, ',')) {
        char* end = nullptr;
        const long long v = std::strtoll(part.c_str(), &end, 10);
        if (part.empty() || *end) return false;
        out->push_back(v);
    }
    return !out->empty();
}

}  // namespace

int run_quote(int argc, char** argv) {
    std::map<std::string, std::string> f;
    bool human = false;
    for (int i = 2; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--human") human = true;
        else if (a.rfind("--", 0) == 0 && i + 1 < argc) f[a.substr(2)] = argv[++i];
        else return fail("expected --flag value, got " + a);
    }
    for (const char* need : {"program", "receipt"})
        if (!f.count(need)) return fail(std::string("needs --") + need + " FILE.json");
    const auto locale = i18n::locale_from_tag(f.count("locale") ? f["locale"] : "en");
    if (!locale) return fail("--locale must be ru, de, lv or en");

    std::string why;
    codec::Json pj, rj, mj = codec::Json::object();
    if (!read_json("program", f["program"], &pj, &why) ||
        !read_json("receipt", f["receipt"], &rj, &why) ||
        (f.count("member") && !read_json("member", f["member"], &mj, &why)))
        return fail(why);
    const auto program = codec::decode_program(pj);
    if (!program.ok()) return fail("--program: " + program.error.message);
    const auto receipt = codec::decode_receipt(rj);
    if (!receipt.ok()) return fail("--receipt: " + receipt.error.message);
    const auto member = codec::decode_member_context(mj);
    if (!member.ok()) return fail("--member: " + member.error.message);
    quote::QuoteOptions options;
    if (f.count("redeem")) {
        char* end = nullptr;
        options.redeem_points = std::strtoll(f["redeem"].c_str(), &end, 10);
        if (f["redeem"].empty() || *end || options.redeem_points < 0)
            return fail("--redeem must be a number of points");
    }

    std::map<i18n::Locale, std::string> texts;
    const std::string assets = f.count("assets") ? f["assets"] : KOPILKA_ASSETS_DIR;
    for (i18n::Locale l : i18n::all_locales)
        if (!read_text(assets + "/i18n/" + std::string(i18n::locale_tag(l)) + ".json", &texts[l]))
            return fail("cannot read the message catalogues in " + assets +
                        "/i18n (use --assets DIR)");
    const auto catalogues = codec::decode_catalogues(texts);
    if (!catalogues.ok()) return fail(catalogues.error.message);

    const quote::Quote q =
        quote::quote_receipt(*program.value, *member.value, *receipt.value, options);
    if (q.status != quote::QuoteStatus::ok)
        return fail("--receipt: " + q.field + " is not acceptable");
    quote::ReturnResult ret;
    if (f.count("return")) {
        std::vector<std::int64_t> quantities;
        if (!parse_quantities(f["return"], &quantities))
            return fail("--return takes one quantity per line, like 1,0,2");
        ret = quote::quote_return(*receipt.value, q, quantities);
        if (ret.status != quote::QuoteStatus::ok)
            return fail("--return: " + ret.field + " is more than was bought, or negative");
    }
    if (human) {
        print_human(*receipt.value, q, *program.value, *catalogues.value, *locale,
                    f.count("return") ? &ret : nullptr);
        return 0;
    }
    codec::Json out = codec::encode_quote(q, *program.value, &*catalogues.value, *locale);
    if (f.count("return")) out["return"] = codec::encode_return(ret);
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
}

}  // namespace kopilka::cli
