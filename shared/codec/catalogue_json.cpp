#include "codec/catalogue_json.hpp"

namespace kopilka::codec {

Decoded<i18n::Catalogue> decode_catalogue(const Json& j, i18n::Locale expected) {
    Decoded<i18n::Catalogue> out;
    std::string tag;
    if (!read_text(j, "", "locale", &tag, &out.error, 16)) return out;
    if (i18n::locale_from_tag(tag) != expected) {
        out.error = {"invalid_value", "locale", "locale is \"" + tag + "\", expected \"" +
                                                    std::string(i18n::locale_tag(expected)) + "\""};
        return out;
    }
    const auto msgs = j.find("messages");
    if (msgs == j.end() || !msgs->is_object()) {
        out.error = {"missing_field", "messages", "messages must be an object"};
        return out;
    }
    i18n::Catalogue cat;
    for (const auto& [key, value] : msgs->items()) {
        const std::string field = join_path("messages", key);
        i18n::Message m;
        if (value.is_string()) {
            m.forms[i18n::Plural::other] = value.get<std::string>();
        } else if (value.is_object() && !value.empty()) {
            for (const auto& [form, text] : value.items()) {
                const auto p = i18n::plural_from_name(form);
                if (!p || !text.is_string()) {
                    out.error = {"invalid_value", join_path(field, form),
                                 join_path(field, form) +
                                     " must be a plural form (zero, one, two, few, many, other) "
                                     "with a text"};
                    return out;
                }
                m.forms[*p] = text.get<std::string>();
            }
        } else {
            out.error = {"wrong_type", field,
                         field + " must be a text or an object of plural forms"};
            return out;
        }
        cat.messages.emplace(key, std::move(m));
    }
    out.value = std::move(cat);
    return out;
}

}  // namespace kopilka::codec

namespace kopilka::codec {

Decoded<i18n::Catalogues> decode_catalogues(const std::map<i18n::Locale, std::string>& texts) {
    Decoded<i18n::Catalogues> out;
    i18n::Catalogues all;
    for (const auto& [locale, text] : texts) {
        const std::string prefix = std::string(i18n::locale_tag(locale)) + ".json: ";
        const auto j = parse_json(text, &out.error);
        if (!j) {
            out.error.message = prefix + out.error.message;
            return out;
        }
        auto cat = decode_catalogue(*j, locale);
        if (!cat.ok()) {
            out.error = cat.error;
            out.error.message = prefix + out.error.message;
            return out;
        }
        all.by_locale[locale] = std::move(*cat.value);
    }
    out.value = std::move(all);
    return out;
}

}  // namespace kopilka::codec
