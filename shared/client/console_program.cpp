#include "client/console_program.hpp"

#include <algorithm>
#include <utility>

#include "client/console_time.hpp"
#include "client/json_fields.hpp"
#include "codec/program_json.hpp"
#include "core/money/money.hpp"

namespace kopilka::client {

namespace {
using codec::Json;

int minor_digits(const program::Program& p) {
    return money::currency_info(p.currency).minor_digits;
}

constexpr const char* kDraftKey = "kopilka.console.program_draft";

ProgramVersionRow version_row(const Json& v) {
    ProgramVersionRow r;
    r.version = json_int(v, "version");
    r.effective_from_ms = json_int(v, "effective_from_ms");
    r.created_at_ms = json_int(v, "created_at_ms");
    if (const auto by = v.find("by"); by != v.end() && by->is_object())
        r.by = by->value("label", std::string());
    r.summary = v.value("summary", std::string());
    r.in_force = v.value("in_force", false);
    return r;
}

SimulationFigures figures_of(const Json& f) {
    SimulationFigures o;
    o.receipts = json_int(f, "receipts");
    o.member_receipts = json_int(f, "member_receipts");
    o.revenue = json_int(f, "revenue_minor");
    o.paid = json_int(f, "paid_minor");
    o.discount = json_int(f, "discount_minor");
    o.points_issued = json_int(f, "points_issued");
    o.points_value = json_int(f, "points_value_minor");
    o.cashback = json_int(f, "cashback_minor");
    o.cost = json_int(f, "cost_minor");
    o.cost_share_bp = json_int(f, "cost_share_bp");
    return o;
}

// The quote of the test receipt by the test member: holding the state's tier (its threshold
// qualifying) and, when one is chosen, the state's segment attribute.
quote::Quote quote_for(const program::Program& p, const quote::Receipt& receipt,
                       const ProgramEditorState& s) {
    quote::MemberContext member;
    if (p.tiers && !p.tiers->levels.empty()) {
        const auto& level =
            p.tiers->levels[static_cast<std::size_t>(quote::tier_index(p, s.tier))];
        member.tier_held = level.id;
        member.tier_qualifying = level.threshold;
    }
    if (!s.segment_attribute.empty()) member.attributes[s.segment_attribute] = s.segment_value;
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

std::map<std::string, std::int64_t> action_bonus_map(const std::vector<ActionBonusRow>& rows,
                                                     ConsoleError* bad) {
    std::map<std::string, std::int64_t> out;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const std::string& name = rows[i].action;
        const char* code = name.empty()                         ? "missing_field"
                           : name.size() > action_name_bytes_max ? "invalid_value"
                           : out.count(name)                     ? "duplicate"
                                                                 : nullptr;
        if (!code) {
            out[name] = rows[i].points;
        } else if (bad && bad->field.empty()) {
            const std::string field = "bonus.action_bonuses[" + std::to_string(i) + "].action";
            *bad = ConsoleError{code, field + ": the action's name must be 1 to 64 characters, "
                                              "once in the list", field, 0};
        }
    }
    return out;
}

quote::Receipt test_receipt(const std::vector<TestReceiptLine>& lines, int digits,
                            std::string* bad_field) {
    quote::Receipt r;
    r.id = "console-test";
    bad_field->clear();
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const auto price = parse_decimal(lines[i].price, digits);
        if (!price && bad_field->empty()) *bad_field = "receipt[" + std::to_string(i) + "].price";
        r.lines.push_back(
            {lines[i].sku, lines[i].category, price.value_or(0), lines[i].quantity, false});
    }
    if (bad_field->empty()) {
        const quote::ReceiptProblem problem = quote::receipt_problem(r);
        if (!problem.field.empty()) *bad_field = "receipt." + problem.field;
    }
    return r;
}

ProgramEditor::ProgramEditor(Call call, Common common, std::function<void()> changed,
                             KioskStorage& drafts)
    : call_(std::move(call)),
      common_(std::move(common)),
      changed_(std::move(changed)),
      drafts_(drafts) {}

void ProgramEditor::reset() {
    state_ = ProgramEditorState{};
    publish_at_ms_ = 0;
}

void ProgramEditor::load(const std::string& currency_code, const std::string& merchant_code) {
    currency_ = currency_code;
    merchant_ = merchant_code;
    state_.busy = ConsoleBusy::loading;
    changed_();
    call_({"GET", "/v1/admin/program", "", "", {}}, [this](TransportReply reply) {
        ProgramEditorState& s = state_;
        s.busy = ConsoleBusy::none;
        if (reply.delivered && reply.status == 404) {
            s.error.reset();
            return adopt(std::nullopt, 0);  // no program yet: the first save makes version 1
        }
        if (common_(reply, &s.error) || !reply_ok(reply)) return;
        apply_program_answer(reply.body);
    });
}

// GET /v1/admin/program's answer: the program in force, its version, the newest version and
// the versions waiting for their time.
void ProgramEditor::apply_program_answer(const std::string& body) {
    ProgramEditorState& s = state_;
    codec::DecodeError e;
    const auto j = codec::parse_json(body, &e);
    auto p = j && j->contains("program") ? codec::decode_program(j->at("program"))
                                         : codec::Decoded<program::Program>{};
    if (!p.ok()) {
        s.error = ConsoleError{"bad_answer", p.error.message, "", 0};
        return;
    }
    const std::int64_t version = j->value("version", std::int64_t{0});
    s.latest_version = j->value("latest_version", version);
    s.effective_from_ms = j->value("effective_from_ms", std::int64_t{0});
    s.scheduled.clear();
    if (const auto it = j->find("scheduled"); it != j->end() && it->is_array())
        for (const Json& v : *it) s.scheduled.push_back(version_row(v));
    std::sort(s.scheduled.begin(), s.scheduled.end(), [](const auto& a, const auto& b) {
        return a.effective_from_ms < b.effective_from_ms;
    });
    adopt(std::move(*p.value), version);
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
    s.restored = false;
    s.unreadable.clear();
    s.done.clear();
    restore_draft();
    rows_from_draft();
    validate();
    requote();
    changed_();
}

void ProgramEditor::store_draft() {
    const ProgramEditorState& s = state_;
    if (!s.dirty || merchant_.empty()) return drafts_.remove(kDraftKey);
    drafts_.set(kDraftKey, Json{{"merchant", merchant_},
                                {"base_version", s.version},
                                {"program", codec::encode_program(s.draft)}}
                               .dump());
}

// A draft this merchant left unsaved (a reload, a closed tab, an expired session) comes back
// over the program just loaded; one that no longer decodes is dropped.
void ProgramEditor::restore_draft() {
    ProgramEditorState& s = state_;
    codec::DecodeError e;
    const auto j = codec::parse_json(drafts_.get(kDraftKey), &e);
    if (!j || !j->is_object() || j->value("merchant", std::string()) != merchant_) return;
    const auto it = j->find("program");
    auto p =
        it != j->end() ? codec::decode_program(*it, false) : codec::Decoded<program::Program>{};
    if (!p.ok()) return drafts_.remove(kDraftKey);
    const Json base = s.published ? codec::encode_program(*s.published) : Json();
    if (codec::encode_program(*p.value) == base) return drafts_.remove(kDraftKey);
    s.draft = std::move(*p.value);
    s.dirty = true;
    s.restored = true;
}

void ProgramEditor::rows_from_draft() {
    state_.action_bonuses.clear();
    if (state_.draft.bonus)
        for (const auto& [action, points] : state_.draft.bonus->action_bonuses)
            state_.action_bonuses.push_back({action, points});
}

void ProgramEditor::validate() {
    // What the server will do with the body: decode it (types, ranges, then the rules).
    const auto decoded = codec::decode_program(codec::encode_program(state_.draft));
    state_.problem.reset();
    if (!decoded.ok()) {
        state_.problem =
            ConsoleError{decoded.error.code, decoded.error.message, decoded.error.field, 0};
        return;
    }
    // A row the draft's map cannot hold would be lost by a save.
    ConsoleError bad;
    action_bonus_map(state_.action_bonuses, &bad);
    if (!bad.field.empty()) state_.problem = bad;
}

void ProgramEditor::requote() {
    ProgramEditorState& s = state_;
    s.draft_quote.reset();
    s.published_quote.reset();
    const quote::Receipt r = test_receipt(s.receipt, minor_digits(s.draft), &s.receipt_field);
    if (!s.receipt_field.empty()) return;
    if (!s.problem) s.draft_quote = quote_for(s.draft, r, s);
    if (s.published) s.published_quote = quote_for(*s.published, r, s);
}

void ProgramEditor::edited() {
    // The draft's action bonuses changed elsewhere (the points section removed or added):
    // the rows follow the draft.
    const auto* bonus = state_.draft.bonus ? &state_.draft.bonus->action_bonuses : nullptr;
    if (!bonus || action_bonus_map(state_.action_bonuses) != *bonus) rows_from_draft();
    state_.dirty = true;
    state_.done.clear();
    state_.simulation.stale = state_.simulation.ran;
    store_draft();
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

void ProgramEditor::set_test_segment(const std::string& attribute, const std::string& value) {
    state_.segment_attribute = attribute;
    state_.segment_value = attribute.empty() ? "" : value;
    receipt_edited();
}

void ProgramEditor::action_bonuses_edited() {
    if (!state_.draft.bonus) state_.draft.bonus.emplace();
    state_.draft.bonus->action_bonuses = action_bonus_map(state_.action_bonuses);
    edited();
}

void ProgramEditor::receipt_edited() {
    requote();
    changed_();
}

bool ProgramEditor::can_save() const {
    const ProgramEditorState& s = state_;
    return s.loaded && s.dirty && !s.problem && s.unreadable.empty() && s.busy == ConsoleBusy::none;
}

void ProgramEditor::save() {
    if (!can_save()) return;  // nothing is sent with an error left
    ProgramEditorState& s = state_;
    s.busy = ConsoleBusy::saving;
    s.done.clear();
    changed_();
    std::string path = "/v1/admin/program";
    if (publish_at_ms_) path += "?effective_from=" + std::to_string(publish_at_ms_);
    Request r{"PUT", path, codec::encode_program(s.draft).dump(), "", {}};
    if (s.published || s.latest_version) r.if_match = std::to_string(s.latest_version);
    const program::Program sent = s.draft;
    call_(r, [this, sent](TransportReply reply) {
        ProgramEditorState& t = state_;
        t.busy = ConsoleBusy::none;
        if (reply.delivered && reply.status == 412) {
            t.error = ConsoleError{"version_conflict", "", "If-Match", 0};
            return;
        }
        if (common_(reply, &t.error) || !reply_ok(reply)) return;  // a 4xx's field is in t.error
        codec::DecodeError e;
        const auto j = codec::parse_json(reply.body, &e);
        const std::int64_t version = j ? j->value("version", t.latest_version + 1) : 0;
        const std::int64_t from = j ? j->value("effective_from_ms", std::int64_t{0}) : 0;
        t.latest_version = std::max(t.latest_version, version);
        t.saved_effective_ms = from;
        const bool scheduled = publish_at_ms_ != 0;
        t.publish_at.clear();
        publish_at_ms_ = 0;
        if (scheduled) {
            // The draft waits for its time: the editor shows the program in force again.
            t.dirty = false;
            store_draft();
            reload_after_publish();
            t.done = "scheduled";
            return;
        }
        t.version = version;
        t.published = sent;
        t.effective_from_ms = from;
        t.dirty = codec::encode_program(t.draft) != codec::encode_program(sent);
        store_draft();
        t.done = "saved";
        requote();
        if (t.history.loaded) load_versions(0);
    });
}

void ProgramEditor::set_publish_at(const std::string& text, std::int64_t now_ms) {
    ProgramEditorState& s = state_;
    s.publish_at = text;
    const auto ms = text.empty() ? std::optional<std::int64_t>(0) : parse_date_time(text);
    s.publish_at_bad = !ms || (*ms != 0 && *ms < now_ms);
    publish_at_ms_ = s.publish_at_bad ? 0 : *ms;
    changed_();
}

void ProgramEditor::discard() {
    state_.dirty = false;
    store_draft();
    adopt(state_.published, state_.version);
    state_.error.reset();
}

// After a scheduled save or a revert: the program in force, the waiting versions, the history.
void ProgramEditor::reload_after_publish() {
    call_({"GET", "/v1/admin/program", "", "", {}}, [this](TransportReply reply) {
        ProgramEditorState& s = state_;
        const std::string done = s.done;
        if (common_(reply, &s.error) || !reply_ok(reply)) return;
        apply_program_answer(reply.body);
        s.done = done;
    });
    if (state_.history.loaded) load_versions(0);
}

// ---- history ----------------------------------------------------------------------------
void ProgramEditor::load_history() {
    load_versions(0);
}

void ProgramEditor::history_older() {
    if (state_.history.next_before) load_versions(*state_.history.next_before);
}

void ProgramEditor::load_versions(std::int64_t before) {
    ProgramHistory& h = state_.history;
    h.busy = ConsoleBusy::loading;
    changed_();
    std::string path = "/v1/admin/program/versions?limit=20";
    if (before) path += "&before=" + std::to_string(before);
    call_({"GET", path, "", "", {}}, [this, before](TransportReply reply) {
        ProgramHistory& t = state_.history;
        t.busy = ConsoleBusy::none;
        if (common_(reply, &t.error) || !reply_ok(reply)) return;
        codec::DecodeError e;
        const auto j = codec::parse_json(reply.body, &e);
        if (!j || !j->is_object()) return;
        if (!before) t.versions.clear();
        if (const auto it = j->find("versions"); it != j->end() && it->is_array())
            for (const Json& v : *it) t.versions.push_back(version_row(v));
        t.next_before.reset();
        if (const auto it = j->find("next_before"); it != j->end() && it->is_number_integer())
            t.next_before = it->get<std::int64_t>();
        t.loaded = true;
    });
}

void ProgramEditor::ask_revert(std::int64_t version) {
    state_.history.confirm_revert = version;
    state_.history.reverted_to = 0;
    changed_();
}

void ProgramEditor::cancel_revert() {
    state_.history.confirm_revert = 0;
    changed_();
}

void ProgramEditor::revert_confirmed() {
    ProgramHistory& h = state_.history;
    const std::int64_t version = h.confirm_revert;
    if (!version || h.busy != ConsoleBusy::none) return;
    h.confirm_revert = 0;
    h.busy = ConsoleBusy::publishing;
    changed_();
    Request r{
        "POST", "/v1/admin/program/versions/" + std::to_string(version) + "/revert", "{}", "", {}};
    r.if_match = std::to_string(state_.latest_version);
    call_(r, [this](TransportReply reply) {
        ProgramHistory& t = state_.history;
        t.busy = ConsoleBusy::none;
        if (reply.delivered && reply.status == 412) {
            t.error = ConsoleError{"version_conflict", "", "If-Match", 0};
            return reload_after_publish();
        }
        if (common_(reply, &t.error) || !reply_ok(reply)) return;
        codec::DecodeError e;
        const auto j = codec::parse_json(reply.body, &e);
        t.reverted_to = j ? j->value("version", std::int64_t{0}) : 0;
        // A draft in progress is the merchant's: the reload restores it from storage.
        reload_after_publish();
    });
}

// ---- simulation -------------------------------------------------------------------------
void ProgramEditor::set_simulation_days(std::int64_t days) {
    state_.simulation.days = std::clamp<std::int64_t>(days, 1, simulation_days_max);
    state_.simulation.stale = state_.simulation.ran;
    changed_();
}

void ProgramEditor::simulate() {
    ProgramEditorState& s = state_;
    ProgramSimulation& m = s.simulation;
    if (s.problem || m.busy != ConsoleBusy::none) return;
    m.busy = ConsoleBusy::loading;
    m.error.reset();
    changed_();
    const Json body{{"program", codec::encode_program(s.draft)}, {"days", m.days}};
    Request r{"POST", "/v1/admin/program/simulate", body.dump(), "", {}};
    call_(r, [this](TransportReply reply) {
        ProgramSimulation& t = state_.simulation;
        t.busy = ConsoleBusy::none;
        if (common_(reply, &t.error) || !reply_ok(reply)) return;
        codec::DecodeError e;
        const auto j = codec::parse_json(reply.body, &e);
        if (!j || !j->is_object() || !j->contains("draft")) {
            t.error = ConsoleError{"bad_answer", e.message, "", 0};
            return;
        }
        t.ran = true;
        t.stale = false;
        t.from_ms = json_int(*j, "from_ms");
        t.to_ms = json_int(*j, "to_ms");
        t.draft = figures_of(j->at("draft"));
        t.published.reset();
        if (const auto it = j->find("published"); it != j->end() && it->is_object())
            t.published = figures_of(*it);
        t.published_version = json_int(*j, "published_version");
        t.receipts_skipped = json_int(*j, "receipts_skipped");
        const auto a = j->find("approximations");
        t.approximations = a != j->end() && a->is_array() ? a->size() : 0;
    });
}

}  // namespace kopilka::client
