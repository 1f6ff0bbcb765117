// libFuzzer target: random bytes into everything that decodes what a client sends.
// Implemented: card text and coupon codes (the raw bytes), JSON parsing, then the program,
// receipt, member context, wheel, theme and member snapshot decoders, the kiosk codec's decoders
// (config, settings, requests, answers, batches), and a quote when a program and a receipt both
// decode.
// Missing: catalogue, tiers, settlement and simulator decoders.
//
// A decoder reads the sub-object named after it when the document is an object that has one
// ("program", "receipt", "member", "wheel", "theme", "config", "settings", "snapshot"), otherwise
// the whole document, so one input can reach the quote. Nothing is caught here: the decoders
// promise not to throw, so an escaping exception is a finding, just like a crash, a hang or a
// sanitizer report.
// Build and run: tools/fuzz/build_and_run.sh SECONDS.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "codec/decode.hpp"
#include "codec/kiosk_json.hpp"
#include "codec/member_json.hpp"
#include "codec/program_json.hpp"
#include "codec/quote_json.hpp"
#include "codec/theme_json.hpp"
#include "codec/wheel_json.hpp"
#include "core/cards/card_code.hpp"
#include "core/cards/coupon_code.hpp"
#include "core/quote/quote.hpp"

namespace {
using kopilka::codec::Json;

const Json& part(const Json& doc, const char* key) {
    if (doc.is_object()) {
        const auto it = doc.find(key);
        if (it != doc.end()) return *it;
    }
    return doc;
}

void fuzz_cards(std::string_view text) {
    namespace cards = kopilka::cards;
    const cards::ParseResult card = cards::parse_card_text(text);
    (void)cards::parse_status_name(card.status);
    if (card.status == cards::ParseStatus::ok) {
        (void)cards::canonical_text(card.code);
        (void)cards::qr_card_mac_valid(card.code, "fuzz-secret");
    }
    std::string canonical;
    if (cards::parse_coupon_code(text, &canonical) == cards::CouponStatus::ok) {
        // A code that parses must parse again to itself.
        std::string again;
        if (cards::parse_coupon_code(canonical, &again) != cards::CouponStatus::ok ||
            again != canonical) {
            __builtin_trap();
        }
    }
}

void fuzz_json(const Json& doc) {
    namespace codec = kopilka::codec;
    namespace quote = kopilka::quote;
    const auto program = codec::decode_program(part(doc, "program"));
    const auto receipt = codec::decode_receipt(part(doc, "receipt"));
    const auto member = codec::decode_member_context(part(doc, "member"));
    (void)codec::decode_wheel(part(doc, "wheel"));
    (void)codec::decode_member(part(doc, "snapshot"));
    (void)codec::decode_theme(part(doc, "theme"));
    (void)codec::decode_kiosk_config(part(doc, "config"));
    (void)codec::decode_operation_answer(doc);
    (void)codec::decode_spin_request(doc);
    (void)codec::decode_redeem_request(doc);
    (void)codec::decode_pairing_answer(doc);
    (void)codec::decode_error_json(doc);
    (void)codec::decode_kiosk_settings(part(doc, "settings"), "settings", true);
    if (const auto ops = codec::decode_operations_request(doc); ops.ok())
        for (const auto& op : *ops.value) (void)codec::decode_spin_request(op.request);
    (void)codec::decode_operations_answer(doc);
    (void)codec::decode_code_request(doc, codec::card_code_bytes_max, false);
    (void)codec::decode_code_request(doc, 32, true);
    if (!program.ok() || !receipt.ok()) return;

    quote::QuoteOptions options;
    const Json& redeem = part(doc, "redeem_points");
    if (redeem.is_number_integer()) options.redeem_points = redeem.get<std::int64_t>();
    const quote::MemberContext context = member.ok() ? *member.value : quote::MemberContext{};
    const quote::Quote q = quote::quote_receipt(*program.value, context, *receipt.value, options);
    // The decoders' limits keep every sum of a quote in range: an overflow is a finding.
    if (q.status == quote::QuoteStatus::overflow) __builtin_trap();
    if (q.status == quote::QuoteStatus::ok) (void)codec::encode_quote(q, *program.value);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    fuzz_cards(text);
    kopilka::codec::DecodeError error;
    const auto doc = kopilka::codec::parse_json(text, &error);
    if (doc) fuzz_json(*doc);
    return 0;
}
