#include "client/console_program.hpp"

#include <utility>

#include "codec/program_json.hpp"
#include "core/money/money.hpp"

namespace kopilka::client {

namespace {
using codec::Json;

bool ok(const TransportReply& r) {
    return r.delivered && r.status >= 200 && r.status < 300;
}

int minor_digits(const program::Program& p) {
    return money::currency_info(p.currency).minor_digits;
}

// The quote of the test receipt by a member holding `tier` (the tier's threshold qualifying).
quote::Quote quote_for(const program::Program& p, const quote::Receipt& receipt,
                       const std::string& tier) {
    quote::MemberContext member;
    if (p.tiers && !p.tiers->levels.empty()) {
        const auto& level = p.tiers->levels[static_cast<std::size_t>(quote::tier_index(p, tier))];
        member.tier_held = level.id;
        member.tier_qualifying = level.threshold;
    }
    return quote::quote_receipt(p, member, receipt);
}
}  // namespace

std::string decimal_text(std::int64_t minor, int digits) {
    const bool negative = minor < 0;
    std::string s = std::to_string(negative ? -static_cast<unsigned long long>(minor)
                                            : static_cast<unsigned long long>(minor));
    if (digits <= 0) return (negative ? "-" : "") + s;
    const auto d = static_cast<std::size_t>(digits);
    if (s.size() <= d) s.insert(0, d + 1 - s.size(), '0');
    s.insert(s.size() - d, ".");
    return (negative ? "-" : "") + s;
}

std::optional<std::int64_t> parse_decimal(std::string_view text, int digits) {
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
    if (text.empty()) return std::nullopt;
    std::int64_t value = 0;
    int after = -1;  // digits seen after the separator; -1 before it
    for (char c : text) {
        if ((c == '.' || c == ',') && after < 0 && digits > 0) {
            after = 0;
            continue;
        }
        if (c < '0' || c > '9' || after >= digits) return std::nullopt;
        if (!money::checked_mul(value, 10, &value) || !money::checked_add(value, c - '0', &value))
            return std::nullopt;
        if (after >= 0) ++after;
    }
    for (int i = after < 0 ? 0 : after; i < digits; ++i)
        if (!money::checked_mul(value, 10, &value)) return std::nullopt;
    return value;
}

quote::Receipt test_receipt(const std::vector<TestReceiptLine>& lines, int digits,
                            std::string* bad_field) {
    quote::Receipt r;
    r.id = "console-test";
    bad_field->clear();
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const auto price = parse_decimal(lines[i].price, digits);
        if (!price && bad_field->empty())
            *bad_field = "receipt[" + std::to_string(i) + "].price";
        r.lines.push_back({lines[i].sku, lines[i].category, price.value_or(0), lines[i].quantity,
                           false});
    }
    if (bad_field->empty()) {
        const quote::ReceiptProblem problem = quote::receipt_problem(r);
        if (!problem.field.empty()) *bad_field = "receipt." + problem.field;
    }
    return r;
}

ProgramEditor::ProgramEditor(Call call, Common common, std::function<void()> changed)
    : call_(std::move(call)), common_(std::move(common)), changed_(std::move(changed)) {}

void ProgramEditor::reset() {
    state_ = ProgramEditorState{};
}

void ProgramEditor::load(const std::string& currency_code) {
    currency_ = currency_code;
    state_.busy = ConsoleBusy::loading;
    changed_();
    call_({"GET", "/v1/admin/program", "", "", {}}, [this](TransportReply reply) {
        ProgramEditorState& s = state_;
        s.busy = ConsoleBusy::none;
        if (reply.delivered && reply.status == 404) {
            s.error.reset();
            return adopt(std::nullopt, 0);  // no program yet: the first save makes version 1
        }
        if (common_(reply, &s.error) || !ok(reply)) return;
        codec::DecodeError e;
        const auto j = codec::parse_json(reply.body, &e);
        auto p = j && j->contains("program") ? codec::decode_program(j->at("program"))
                                              : codec::Decoded<program::Program>{};
        if (!p.ok()) {
            s.error = ConsoleError{"bad_answer", p.error.message, "", 0};
            return;
        }
        adopt(std::move(*p.value), j->value("version", std::int64_t{0}));
    });
}

// The published program (or a new one in the merchant's currency) becomes the draft.
void ProgramEditor::adopt(std::optional<program::Program> published, std::int64_t version) {
    ProgramEditorState& s = state_;
    s.published = std::move(published);
    s.version = version;
    if (s.published) {
        s.draft = *s.published;
    } else {
        s.draft = program::Program{};
        s.draft.id = "program";
        if (auto c = money::currency_from_code(currency_)) s.draft.currency = *c;
    }
    s.loaded = true;
    s.dirty = false;
    s.unreadable.clear();
    s.done.clear();
    validate();
    requote();
    changed_();
}

void ProgramEditor::validate() {
    // What the server will do with the body: decode it (types, ranges, then the rules).
    const auto decoded = codec::decode_program(codec::encode_program(state_.draft));
    state_.problem.reset();
    if (!decoded.ok())
        state_.problem =
            ConsoleError{decoded.error.code, decoded.error.message, decoded.error.field, 0};
}

void ProgramEditor::requote() {
    ProgramEditorState& s = state_;
    s.draft_quote.reset();
    s.published_quote.reset();
    const quote::Receipt r = test_receipt(s.receipt, minor_digits(s.draft), &s.receipt_field);
    if (!s.receipt_field.empty()) return;
    if (!s.problem) s.draft_quote = quote_for(s.draft, r, s.tier);
    if (s.published) s.published_quote = quote_for(*s.published, r, s.tier);
}

void ProgramEditor::edited() {
    state_.dirty = true;
    state_.done.clear();
    if (state_.error && state_.error->field != "If-Match") state_.error.reset();
    validate();
    requote();
    changed_();
}

void ProgramEditor::set_unreadable(const std::string& field, bool unreadable) {
    const bool was = state_.unreadable.count(field) > 0;
    if (was == unreadable) return;
    if (unreadable)
        state_.unreadable.insert(field);
    else
        state_.unreadable.erase(field);
    changed_();
}

void ProgramEditor::set_tier(const std::string& tier_id) {
    state_.tier = tier_id;
    receipt_edited();
}

void ProgramEditor::receipt_edited() {
    requote();
    changed_();
}

bool ProgramEditor::can_save() const {
    const ProgramEditorState& s = state_;
    return s.loaded && s.dirty && !s.problem && s.unreadable.empty() &&
           s.busy == ConsoleBusy::none;
}

void ProgramEditor::save() {
    if (!can_save()) return;  // nothing is sent with an error left
    ProgramEditorState& s = state_;
    s.busy = ConsoleBusy::saving;
    s.done.clear();
    changed_();
    Request r{"PUT", "/v1/admin/program", codec::encode_program(s.draft).dump(), "", {}};
    if (s.published) r.if_match = std::to_string(s.version);
    const program::Program sent = s.draft;
    call_(r, [this, sent](TransportReply reply) {
        ProgramEditorState& t = state_;
        t.busy = ConsoleBusy::none;
        if (reply.delivered && reply.status == 412) {
            t.error = ConsoleError{"version_conflict", "", "If-Match", 0};
            return;
        }
        if (common_(reply, &t.error) || !ok(reply)) return;  // a 4xx's field is in t.error
        codec::DecodeError e;
        const auto j = codec::parse_json(reply.body, &e);
        t.version = j ? j->value("version", t.version + 1) : t.version + 1;
        t.published = sent;
        t.dirty = codec::encode_program(t.draft) != codec::encode_program(sent);
        t.done = "saved";
        requote();
    });
}

void ProgramEditor::discard() {
    adopt(state_.published, state_.version);
    state_.error.reset();
}

}  // namespace kopilka::client
