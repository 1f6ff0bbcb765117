#include "rules_command.hpp"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <string>

#include "client/program_text.hpp"
#include "codec/catalogue_json.hpp"
#include "codec/program_json.hpp"
#include "storage/open_store.hpp"

namespace kopilka::cli {

namespace {

int fail(int status, const std::string& why) {
    std::fprintf(stderr, "kopilka rules: %s\n", why.c_str());
    return status;
}

bool slurp(const std::string& path, std::string* out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    out->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return true;
}

// The program's JSON text from --program or from the database; false with status and why.
bool program_text(std::map<std::string, std::string>& f, std::string* text, int* status,
                  std::string* why) {
    *status = 1;
    if (f.count("program")) {
        if (slurp(f["program"], text)) return true;
        *why = "--program: cannot read " + f["program"];
        return false;
    }
    const std::string merchant = f.count("merchant") ? f["merchant"] : "demo";
    try {
        const auto store = server::open_store(f["db"], /*create_if_missing=*/false);
        const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::system_clock::now().time_since_epoch());
        const auto program = store->current_program(merchant, now.count());  // in force now
        if (program)
            *text = program->document;
        else
            *why = "merchant " + merchant + " has no published program";
        return program != nullptr;
    } catch (const std::exception& e) {
        *why = std::string("--db: ") + e.what();
        return false;
    }
}

codec::Json to_json(const client::RulesText& t) {
    codec::Json sections = codec::Json::array();
    for (const auto& s : t.sections)
        sections.push_back({{"id", s.id}, {"heading", s.heading}, {"items", s.items}});
    return {{"sections", sections}};
}

}  // namespace

int run_rules(std::map<std::string, std::string> f) {
    const std::string format = f.count("format") ? f["format"] : "text";
    if (format != "text" && format != "json") return fail(2, "--format must be text or json");
    if (f.count("program") == f.count("db"))
        return fail(2, "needs either --program FILE.json or --db FILE");
    const auto locale = i18n::locale_from_tag(f.count("lang") ? f["lang"] : "en");
    if (!locale) return fail(2, "--lang must be ru, de, lv or en");

    std::map<i18n::Locale, std::string> texts;
    const std::string assets = f.count("assets") ? f["assets"] : KOPILKA_ASSETS_DIR;
    for (i18n::Locale l : i18n::all_locales)
        if (!slurp(assets + "/" + client::rules_catalogue_path(l), &texts[l]))
            return fail(1, "cannot read " + assets + "/" + client::rules_catalogue_path(l) +
                               " (use --assets DIR)");
    const auto catalogues = codec::decode_catalogues(texts);
    if (!catalogues.ok()) return fail(1, catalogues.error.message);

    std::string text, why;
    int status = 1;
    if (!program_text(f, &text, &status, &why)) return fail(status, why);
    codec::DecodeError error;
    const auto parsed = codec::parse_json(text, &error);
    if (!parsed) return fail(2, "the program is not JSON: " + error.message);
    const auto program = codec::decode_program(*parsed);
    if (!program.ok()) return fail(2, "the program: " + program.error.message);

    const client::RulesText rules =
        client::program_rules_text(*program.value, *catalogues.value, *locale);
    if (format == "json")
        std::printf("%s\n", to_json(rules).dump(2).c_str());
    else
        std::fputs(client::rules_plain_text(rules).c_str(), stdout);
    return 0;
}

}  // namespace kopilka::cli
