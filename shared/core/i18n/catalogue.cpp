#include "core/i18n/catalogue.hpp"

namespace kopilka::i18n {

namespace {
const Message* find(const Catalogues& c, Locale l, std::string_view key) {
    const auto cat = c.by_locale.find(l);
    if (cat == c.by_locale.end()) return nullptr;
    const auto m = cat->second.messages.find(key);
    return m == cat->second.messages.end() ? nullptr : &m->second;
}

std::string substitute(std::string_view text, Locale l, const Args& args) {
    std::string out;
    out.reserve(text.size() + 16);
    std::size_t i = 0;
    while (i < text.size()) {
        const std::size_t open = text.find('{', i);
        const std::size_t close = open == std::string_view::npos ? open : text.find('}', open);
        if (close == std::string_view::npos) {
            out.append(text.substr(i));
            break;
        }
        out.append(text.substr(i, open - i));
        const std::string_view name = text.substr(open + 1, close - open - 1);
        bool replaced = false;
        if (name == "n" && args.count) {
            out += format_integer(l, *args.count);
            replaced = true;
        }
        for (const auto& [k, v] : args.named)
            if (!replaced && k == name) {
                out += v;
                replaced = true;
            }
        if (!replaced) out.append(text.substr(open, close - open + 1));
        i = close + 1;
    }
    return out;
}

// The plural categories a locale uses for integers.
std::vector<Plural> needed_forms(Locale l) {
    switch (l) {
        case Locale::ru: return {Plural::one, Plural::few, Plural::many};
        case Locale::lv: return {Plural::zero, Plural::one, Plural::other};
        default: return {Plural::one, Plural::other};
    }
}
}  // namespace

std::string translate(const Catalogues& c, Locale l, std::string_view key, const Args& args) {
    Locale used = l;
    const Message* m = find(c, l, key);
    if (!m) {
        used = Locale::en;
        m = find(c, Locale::en, key);
    }
    if (!m) return std::string(key);
    const Plural p = args.count ? plural_category(used, *args.count) : Plural::other;
    auto form = m->forms.find(p);
    if (form == m->forms.end()) form = m->forms.find(Plural::other);
    if (form == m->forms.end()) form = m->forms.begin();
    if (form == m->forms.end()) return std::string(key);
    return substitute(form->second, used, args);
}

std::vector<std::string> missing_keys(const Catalogues& c, Locale l) {
    std::vector<std::string> out;
    const auto en = c.by_locale.find(Locale::en);
    if (en == c.by_locale.end()) return out;
    for (const auto& [key, english] : en->second.messages) {
        const Message* m = find(c, l, key);
        bool ok = m != nullptr;
        if (ok && english.forms.size() > 1)  // a plural message needs every form l uses
            for (Plural p : needed_forms(l))
                if (!m->forms.count(p)) ok = false;
        if (!ok) out.push_back(key);
    }
    return out;
}

void merge_catalogues(Catalogues& into, const Catalogues& from) {
    for (const auto& [locale, catalogue] : from.by_locale)
        for (const auto& [key, message] : catalogue.messages)
            into.by_locale[locale].messages.insert_or_assign(key, message);
}

}  // namespace kopilka::i18n
