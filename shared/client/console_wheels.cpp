#include "client/console_wheels.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <utility>

#include "client/console_time.hpp"
#include "client/json_fields.hpp"
#include "codec/program_json.hpp"
#include "codec/theme_json.hpp"
#include "codec/wheel_json.hpp"
#include "core/money/money.hpp"

namespace kopilka::client {

namespace {
using codec::Json;

constexpr double kPreviewTurns = 3;  // whole turns before the preview stops on the segment

// What the server takes as a document id: letters, digits, '-' and '_', 1 to 32 bytes.
bool valid_wheel_id(const std::string& id) {
    const auto allowed = [](char ch) {
        return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_';
    };
    return !id.empty() && id.size() <= codec::wheel_id_bytes_max &&
           std::all_of(id.begin(), id.end(), allowed);
}

std::int64_t integer(const Json& o, const char* key) {
    const auto it = o.find(key);
    return it != o.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

WheelUsage usage_from(const Json& state) {
    WheelUsage u;
    if (!state.is_object()) return u;
    u.spent_today = integer(state, "spent_today");
    u.spent_campaign = integer(state, "spent_campaign");
    if (const auto it = state.find("used"); it != state.end() && it->is_object())
        for (const auto& [prize, n] : it->items())
            if (n.is_number_integer()) u.used[prize] = n.get<std::int64_t>();
    return u;
}

// The answer's "wheel" decoded, with its id and version; none when it does not decode.
std::optional<WheelListItem> item_from(const Json& j) {
    if (!j.is_object() || !j.contains("wheel")) return std::nullopt;
    auto config = codec::decode_wheel(j["wheel"]);
    if (!config.ok()) return std::nullopt;
    return WheelListItem{j.value("id", std::string()), integer(j, "version"),
                         integer(j, "updated_at_ms"), std::move(*config.value)};
}
}  // namespace

spins::WheelState wheel_state_for(const spins::WheelConfig& config, const WheelUsage& usage) {
    spins::WheelState s = spins::initial_wheel_state(config);
    for (std::size_t i = 0; i < config.prizes.size(); ++i) {
        const auto won = usage.used.find(config.prizes[i].id);
        if (config.prizes[i].stock && won != usage.used.end())
            s.stock_left[i] = std::max<std::int64_t>(0, *config.prizes[i].stock - won->second);
    }
    s.spent_today = usage.spent_today;
    s.spent_campaign = usage.spent_campaign;
    return s;
}

spins::WheelConfig new_wheel_config(const std::string& currency_code) {
    spins::WheelConfig c;
    if (const auto currency = money::currency_from_code(currency_code)) c.currency = *currency;
    spins::Prize points{"points-50", "50 points", spins::PrizeKind::points, 50, "", 1, {}, 0};
    spins::Prize nothing{"nothing", "Next time", spins::PrizeKind::nothing, 0, "", 1, {}, 0};
    c.prizes = {points, nothing};
    return c;
}

bool window_edge_from_text(const std::string& text, bool end_of_day,
                           std::optional<std::int64_t>* out) {
    std::string t = text;
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.pop_back();
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front()))) t.erase(0, 1);
    if (t.empty()) {
        out->reset();
        return true;
    }
    const auto ms = parse_date_time(t, end_of_day);
    if (!ms || *ms < 0) return false;
    *out = *ms;
    return true;
}

std::string window_edge_text(const std::optional<std::int64_t>& ms) {
    return ms ? date_time_text(*ms) : "";
}

std::optional<theme::Rgba> colour_from_text(const std::string& text) {
    const std::string t = !text.empty() && text.front() == '#' ? text : "#" + text;
    return t.size() == 7 ? codec::parse_color(t) : std::nullopt;
}

std::string colour_text(const theme::Rgba& c) {
    return codec::color_text(theme::Rgba{c.r, c.g, c.b, 255});
}

theme::Rgba palette_colour(std::size_t segment) {
    static const theme::Rgba palette[] = {
        {0xC6, 0x28, 0x28, 255}, {0x1E, 0x6B, 0xB8, 255}, {0x2E, 0x7D, 0x32, 255},
        {0x6A, 0x1B, 0x9A, 255}, {0xAD, 0x45, 0x00, 255}, {0x00, 0x69, 0x6B, 255},
        {0xAD, 0x14, 0x57, 255}, {0x37, 0x47, 0x4F, 255},
    };
    return palette[segment % (sizeof palette / sizeof palette[0])];
}

const program::Reward* find_reward(const std::vector<program::Reward>& rewards,
                                   const std::string& id) {
    for (const auto& r : rewards)
        if (r.id == id) return &r;
    return nullptr;
}

WheelsEditor::WheelsEditor(Call call, Common common, std::function<void()> changed)
    : call_(std::move(call)), common_(std::move(common)), changed_(std::move(changed)) {}

void WheelsEditor::reset() {
    state_ = WheelsEditorState{};
}

void WheelsEditor::load_list() {
    state_.busy = ConsoleBusy::loading;
    changed_();
    call_({"GET", "/v1/admin/wheels", "", "", {}, ""}, [this](TransportReply reply) {
        WheelsEditorState& s = state_;
        s.busy = ConsoleBusy::none;
        if (common_(reply, &s.error) || !reply_ok(reply)) return;
        codec::DecodeError e;
        const auto j = codec::parse_json(reply.body, &e);
        s.wheels.clear();
        if (j && j->contains("wheels") && (*j)["wheels"].is_array())
            for (const Json& w : (*j)["wheels"])
                if (auto item = item_from(w)) s.wheels.push_back(std::move(*item));
        s.list_loaded = true;
        load_rewards();  // after the list: one request at a time
    });
}

// The program in force's rewards; a merchant without a program (404) has none to offer. A
// failure is left to the list's own request to report (and a 401 to handle).
void WheelsEditor::load_rewards() {
    call_({"GET", "/v1/admin/program", "", "", {}, ""}, [this](TransportReply reply) {
        WheelsEditorState& s = state_;
        if (reply.delivered && reply.status == 404) {
            s.rewards.clear();
            s.rewards_loaded = true;
        } else if (reply_ok(reply)) {
            codec::DecodeError e;
            const auto j = codec::parse_json(reply.body, &e);
            auto p = j && j->contains("program") ? codec::decode_program(j->at("program"), false)
                                                 : codec::Decoded<program::Program>{};
            s.rewards = p.ok() ? p.value->rewards : std::vector<program::Reward>{};
            s.rewards_loaded = p.ok();
        }
        changed_();
    });
}

void WheelsEditor::open(const std::string& id) {
    if (!valid_wheel_id(id)) return;
    state_.busy = ConsoleBusy::loading;
    state_.error.reset();
    changed_();
    call_({"GET", "/v1/admin/wheels/" + id, "", "", {}, ""}, [this](TransportReply reply) {
        WheelsEditorState& s = state_;
        s.busy = ConsoleBusy::none;
        if (common_(reply, &s.error) || !reply_ok(reply)) return;
        adopt(reply.body);
    });
}

// A wheel as the server answers it becomes the draft, saved and clean.
void WheelsEditor::adopt(const std::string& body) {
    WheelsEditorState& s = state_;
    codec::DecodeError e;
    const auto j = codec::parse_json(body, &e);
    auto item = j ? item_from(*j) : std::nullopt;
    if (!item) {
        s.error = ConsoleError{"bad_answer", "the wheel could not be read", "", 0};
        return;
    }
    s.id = item->id;
    s.version = item->version;
    s.draft = std::move(item->config);
    s.usage = usage_from(j->value("state", Json::object()));
    s.is_new = false;
    s.dirty = false;
    s.conflict = false;
    s.unreadable.clear();
    s.preview_segment = -1;
    s.preview_from_turns = 0;
    recompute();
    changed_();
}

bool WheelsEditor::start_new(const std::string& id, const std::string& currency_code) {
    WheelsEditorState& s = state_;
    const bool taken = std::any_of(s.wheels.begin(), s.wheels.end(),
                                   [&](const WheelListItem& w) { return w.id == id; });
    if (!valid_wheel_id(id) || taken) {
        s.error = ConsoleError{taken ? "id_taken" : "bad_id", "", "id", 0};
        changed_();
        return false;
    }
    s.id = id;
    s.version = 0;
    s.is_new = true;
    s.draft = new_wheel_config(currency_code);
    s.usage = WheelUsage{};
    s.dirty = true;
    s.conflict = false;
    s.error.reset();
    s.done.clear();
    s.unreadable.clear();
    s.preview_segment = -1;
    recompute();
    changed_();
    return true;
}

void WheelsEditor::close() {
    WheelsEditorState kept = std::move(state_);
    state_ = WheelsEditorState{};
    state_.wheels = std::move(kept.wheels);
    state_.list_loaded = true;
    state_.rewards = std::move(kept.rewards);
    state_.rewards_loaded = kept.rewards_loaded;
    changed_();
    load_list();  // versions may have moved on
}

void WheelsEditor::recompute() {
    WheelsEditorState& s = state_;
    // What the server will do with the body: decode it (types, ranges, then the rules).
    const auto decoded = codec::decode_wheel(codec::encode_wheel(s.draft));
    s.problem.reset();
    s.odds = spins::WheelOdds{};
    s.wheel_state = wheel_state_for(s.draft, s.usage);
    if (!decoded.ok()) {
        s.problem = ConsoleError{decoded.error.code, decoded.error.message, decoded.error.field, 0};
        return;
    }
    s.odds = spins::wheel_odds(s.draft, s.wheel_state);
    if (s.preview_segment >= static_cast<int>(s.draft.prizes.size())) s.preview_segment = -1;
}

void WheelsEditor::edited() {
    WheelsEditorState& s = state_;
    if (!s.conflict) s.error.reset();  // a conflict stays until a reload
    s.dirty = true;
    s.done.clear();
    recompute();
    changed_();
}

void WheelsEditor::set_unreadable(const std::string& field, bool unreadable) {
    const std::size_t before = state_.unreadable.size();
    unreadable ? void(state_.unreadable.insert(field)) : void(state_.unreadable.erase(field));
    if (state_.unreadable.size() != before) changed_();
}

bool WheelsEditor::can_save() const {
    const WheelsEditorState& s = state_;
    return !s.id.empty() && s.dirty && !s.problem && s.unreadable.empty() &&
           s.busy == ConsoleBusy::none;
}

void WheelsEditor::save() {
    if (!can_save()) return;  // nothing is sent with an error left
    const Json sent = codec::encode_wheel(state_.draft);
    const std::string version = std::to_string(state_.is_new ? 0 : state_.version);
    state_.busy = ConsoleBusy::saving;
    state_.done.clear();
    changed_();
    const Request r{"PUT", "/v1/admin/wheels/" + state_.id, sent.dump(), "", {}, version};
    call_(r, [this, sent](TransportReply reply) {
        WheelsEditorState& t = state_;
        t.busy = ConsoleBusy::none;
        if (reply.delivered && reply.status == 412) {
            t.error = ConsoleError{"version_conflict", "", "If-Match", 0};
            t.conflict = true;
            return;
        }
        if (common_(reply, &t.error) || !reply_ok(reply)) return;  // a 4xx's field is in t.error
        const spins::WheelConfig editing = t.draft;
        adopt(reply.body);  // the saved wheel, its new version and state
        if (t.error) return;
        t.dirty = codec::encode_wheel(editing) != sent;
        if (t.dirty) t.draft = editing;  // edited while saving: the edits stay
        recompute();
        t.done = "saved";
    });
}

void WheelsEditor::discard() {
    if (state_.is_new) return close();
    state_.error.reset();
    state_.conflict = false;
    open(state_.id);
}

void WheelsEditor::turn_preview(int segment, std::int64_t now_ms) {
    WheelsEditorState& s = state_;
    if (segment < 0 || segment >= static_cast<int>(s.draft.prizes.size())) return;
    const double from = preview_turns(now_ms);
    s.preview_from_turns = from - std::floor(from);
    s.preview_segment = segment;
    s.preview_started_ms = now_ms;
    changed_();
}

double WheelsEditor::preview_turns(std::int64_t now_ms) const {
    const WheelsEditorState& s = state_;
    if (s.preview_segment < 0 || s.draft.prizes.empty()) return s.preview_from_turns;
    // Segment i spans [i/n, (i+1)/n) of a turn clockwise from the top, under the pointer when
    // the wheel has turned back by its middle.
    const double n = static_cast<double>(s.draft.prizes.size());
    double stop = 1.0 - (s.preview_segment + 0.5) / n;
    while (stop < s.preview_from_turns) stop += 1.0;
    stop += kPreviewTurns;
    const double t =
        std::clamp(static_cast<double>(now_ms - s.preview_started_ms) / preview_turn_ms, 0.0, 1.0);
    const double eased = 1.0 - (1.0 - t) * (1.0 - t) * (1.0 - t);
    return s.preview_from_turns + (stop - s.preview_from_turns) * eased;
}

bool WheelsEditor::animating(std::int64_t now_ms) const {
    return state_.preview_segment >= 0 && now_ms - state_.preview_started_ms < preview_turn_ms;
}

}  // namespace kopilka::client
