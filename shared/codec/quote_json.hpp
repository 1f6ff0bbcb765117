// Receipts, member contexts, quotes and returns ⇄ JSON (the till's and the CLI's format).
#pragma once

#include "codec/decode.hpp"
#include "core/i18n/catalogue.hpp"
#include "core/quote/quote.hpp"

namespace kopilka::codec {

Decoded<quote::Receipt> decode_receipt(const Json& j);
Decoded<quote::MemberContext> decode_member_context(const Json& j);
Json encode_receipt(const quote::Receipt& r);

// With catalogues, each explanation also carries its text in the locale.
Json encode_quote(const quote::Quote& q, const program::Program& p,
                  const i18n::Catalogues* c = nullptr, i18n::Locale locale = i18n::Locale::en);
// encode_quote(q, p).dump() written straight (no catalogues): the text a receipt stores and
// answers. Strings that are not UTF-8 throw, as dump() does.
std::string quote_text(const quote::Quote& q, const program::Program& p);
Json encode_return(const quote::ReturnResult& r);

// The per-line results of a stored quote (encode_quote's "lines"), enough for quote_return.
Decoded<quote::Quote> decode_quote_lines(const Json& j);

// One explanation as text in a locale: money formatted in the program's currency,
// percentages from basis points, plural forms from the count.
std::string explanation_text(const quote::Explanation& e, const program::Program& p,
                             const i18n::Catalogues& c, i18n::Locale locale);

}  // namespace kopilka::codec
