#include "storage/demo_data.hpp"

#include <random>
#include <stdexcept>

#include "codec/quote_json.hpp"
#include "core/cards/card_code.hpp"
#include "core/crypto/sha256.hpp"
#include "core/ledger/ledger.hpp"
#include "core/time.hpp"
#include "storage/demo_pictures.hpp"

namespace kopilka::server {

namespace {
std::string random_hex(std::size_t bytes) {
    std::random_device rd;
    std::string raw(bytes, '\0');
    for (std::size_t i = 0; i < bytes; i += 4)  // 32 bits a call
        for (unsigned v = rd(), k = 0; k < 4 && i + k < bytes; ++k, v >>= 8)
            raw[i + k] = static_cast<char>(v & 0xFF);
    return crypto::to_hex(reinterpret_cast<const std::uint8_t*>(raw.data()), raw.size());
}

const char* const kDemoProgram = R"json({
  "id": "demo-points",
  "name": "Kopilka demo points",
  "currency": "RUB",
  "point_value_minor": 100,
  "bonus": {"earn_bp": 500, "redeem_cap_bp": 5000, "expiry_days": 365, "welcome_bonus": 100},
  "tiers": {
    "basis": "points",
    "window_days": 365,
    "levels": [
      {"id": "base", "name": "Base", "threshold": 0},
      {"id": "silver", "name": "Silver", "threshold": 1000, "earn_multiplier_pct": 125},
      {"id": "gold", "name": "Gold", "threshold": 5000, "earn_multiplier_pct": 150,
       "discount_bp": 300}
    ]
  },
  "referral": {"inviter_bonus": 200, "invitee_bonus": 100, "first_receipt_min": 100000,
               "per_inviter_month_max": 10},
  "rewards": [
    {"id": "coffee", "name": "Coffee", "cost_points": 300},
    {"id": "cake", "name": "Cake", "cost_points": 700},
    {"id": "discount-500", "name": "500 \u20bd off", "cost_points": 1500, "kind": "fixed_discount",
     "value": 50000}
  ]
})json";

// The demo prize wheel: points, coupons for the program's rewards, a limited prize and
// "nothing", with a day budget and member limits, so every rule shows on the kiosk.
const char* const kDemoWheel = R"json({
  "currency": "RUB", "day_budget": 100000, "campaign_budget": 2000000,
  "member_spins_per_day_max": 3, "member_wins_per_day_max": 2,
  "member_wins_per_campaign_max": "unlimited",
  "prizes": [
    {"id": "points-50", "label": "50 points", "kind": "points", "points": 50, "weight": 30,
     "stock": "unlimited", "cost": 5000},
    {"id": "points-200", "label": "200 points", "kind": "points", "points": 200, "weight": 8,
     "stock": "unlimited", "cost": 20000},
    {"id": "coffee", "label": "Coffee", "kind": "coupon", "reward_id": "coffee", "weight": 12,
     "stock": 100, "cost": 9000},
    {"id": "cake", "label": "Cake", "kind": "coupon", "reward_id": "cake", "weight": 4, "stock": 20,
     "cost": 25000},
    {"id": "nothing", "label": "Next time", "kind": "nothing", "weight": 46, "stock": "unlimited",
     "cost": 0}
  ]
})json";

// Two built-in themes, so nothing about the kiosk's look is hard-coded: the console (or a
// test) switches between them in the kiosk settings.
const char* const kThemeDaylight = R"json({
  "name": "Kopilka Demo Shop",
  "colors": {"background": "#FBF7F0", "surface": "#FFFFFF", "text": "#1F242B",
             "muted_text": "#5A6370", "accent": "#D94F2B",
             "accent_text": "#FFFFFF", "error": "#B3261E"},
  "corner_radius_px": 18, "font_size_px": 30,
  "logo": "data:image/png;base64,)json"
    R"json(iVBORw0KGgoAAAANSUhEUgAAAGAAAABgCAYAAADimHc4AAADdUlEQVR42u2dMW7jMBBFU6jyFXwAFnsB)json"
    R"json(H0BVmj2AKh9AlRpVOoZ7VzpJqhxACJAzGOkW8BZeBpgUa0g2RXGGHPIXH1jsZu34P5kcDofDl4/fv16g)json"
    R"json(eIIJAAAAEAA8VWVlrGqrxqq16q0GUk9/19DPGPo/AOCpg1VnNVpNVjdPTfQaHb0mACxoR0/vt1mXDYY/)json"
    R"json(04Xeo6H3LB7A93Bxtroymr6kK713XSKAo9V7BNOX9E6/U/YAjhvHdG5N0iAkh5q3hI2/15vU0CQxuZ4U)json"
    R"json(GX+vE/dkzWn+q9WnYvN/9EmfRRWAIQPj7zVoAFBRnH3LVGPoFXZI8/fKJtotE/Q+NQAm8fCSI1w1qQAw)json"
    R"json(mUy2PpOziQ1gX9iTP/dN2McCUBUy5rvMCVUMACPM/y86EgUwwPQw6wTfFS4Mn9crN4BdoRHPmshoxwng)json"
    R"json(BJOdEngsAGqY66yaAwBCznWhaVAAR5i6WseQACYY6rVKDgIATz/jt8AFAGv1wt8/X1ElUG2xCQB75JM5)json"
    R"json(gKcR0TMAZwDYrLMvgJ1ExVoBAK6PVsePADQSE1UBAG7k5WoAIwDwp6sfAbgAQNCq7FUADlKxciEAbkvn)json"
    R"json(E5YAdFhEBVe3BgC2G4XmAeR+IueGlqodYBiPKhcABkaxybgAwM6XYF4o2gq4UDUuAFoYxabWBUAf85fc)json"
    R"json(snBKZMH1SL0LgCE3AClXz2UDQMHT7wxA3RCkxHznIajVBECR+c6TcKMFgDLzncPQWjsA7QsxowGAwqff)json"
    R"json(ORVRpQ5AqfnOybio6Wglu1us6eioGzKZmr96Q6bTBCDHLckDAMTdlBcrS9kKQIn5q8tSos0DmQLwKsxq)json"
    R"json(MATFLU0UKc4tAIB3ca5IeXoBYah3eXqUvFCGC7FNBzTYjyhlnorYfERJ/JBeZsm4IIf0RHNDGaWjgx1T)json"
    R"json(Ff0WZLQhE/Sgtlirgky2JIO3KhCLiDLZlGdp1iHSriaDshS2djUiDZuUF2axN2xib1mmvDSRvWUZmvYl)json"
    R"json(0LQP58gSaFuJxq0JNG5F6+LIrYvRvDuB5t1oX48LHKKM+cld4IArTHCJT5pxfiwAuMYKF7kFS6ypvcgN)json"
    R"json(VxniMk+v8DLLyzxxnS0udJ6tWCv2QmdcaZ4YgLnzCR2ZNW0c00d6rUOKnzVVAHMrbEPDRUMHnntaHA30)json"
    R"json(55b+raafrTR8Ni0AshVMAAAAgCLqH0pSzs8ms6FlAAAAAElFTkSuQmCC",
  "attract": {
    "ru": {"title": "Копилка",
           "subtitle": "Покажите карту камере и узнайте, что можно получить за баллы"},
    "de": {"title": "Kopilka",
           "subtitle": "Karte vor die Kamera halten und sehen, was Ihre Punkte wert sind"},
    "lv": {"title": "Kopilka",
           "subtitle": "Parādiet karti kamerai un uzziniet, ko var saņemt par punktiem"},
    "en": {"title": "Kopilka",
           "subtitle": "Show your card to the camera and see what your points buy"}}
})json";

const char* const kThemeNight = R"json({
  "name": "Kopilka Night Market",
  "colors": {"background": "#10161F", "surface": "#1E2733", "text": "#F2F5F8",
             "muted_text": "#A9B4C2", "accent": "#3DDC97",
             "accent_text": "#0B1A12", "error": "#FF8A80"},
  "corner_radius_px": 4, "font_size_px": 34
})json";

const char* const kKioskSettings =
    R"json({"theme_id": "daylight", "wheel_id": "demo-wheel", "idle_seconds": 30})json";

// The website widget on the demo shop, which tools/run.sh serves on its own origin (port
// 8081 by default): every view on, online spins on the demo wheel.
const char* const kWidgetSettings = R"json({
  "origins": ["http://127.0.0.1:8081", "http://localhost:8081"],
  "views": {"history": true, "redeem": true, "referral": true, "spin": true},
  "spin_wheel_id": "demo-wheel",
  "signup_url": "http://127.0.0.1:8081/signup.html",
  "signin_url": "http://127.0.0.1:8081/signin.html",
  "referral_url": "http://127.0.0.1:8081/signup.html?ref={code}"
})json";

// Minor units paid per point earned: the demo program's earn_bp 500 (5 %) and 100 minor units a
// point.
constexpr std::int64_t demo_minor_per_point = 2000;

struct Seed {
    const char* id;
    const char* name;
    const char* phone;
    const char* card12;            // first 12 digits; the check digit is computed
    std::vector<std::int64_t> earns;  // points earned, one receipt each
    std::int64_t redeemed;
};
}  // namespace

std::string random_id() { return random_hex(16); }
std::string random_secret() { return random_hex(32); }

namespace {
// The demo program with the pictures of two rewards, as the console's upload leaves them.
std::string demo_program() {
    nlohmann::json program = nlohmann::json::parse(kDemoProgram);
    for (auto& reward : program["rewards"]) {
        const std::string id = reward["id"];
        if (id == "coffee")
            reward["image"] = std::string("data:image/png;base64,") + kDemoCoffeePng;
        if (id == "cake") reward["image"] = std::string("data:image/png;base64,") + kDemoCakePng;
    }
    return program.dump();
}
}  // namespace

std::vector<DemoMember> seed_demo(Store& store, std::int64_t now_ms) {
    if (!store.empty()) return {};
    try {
        store.put_merchant({"demo", "DEMO", "Kopilka Demo Shop", "RUB", random_secret()}, now_ms);
    } catch (const std::exception&) {
        // Several servers started together on one empty database: one of them seeds, the
        // others find the merchant it inserted and leave the rest to it.
        if (!store.empty()) return {};
        throw;
    }
    store.put_program({"demo", "demo-points", 1, demo_program()}, now_ms, {});
    store.put_document({"demo", "wheel", "demo-wheel", 0, kDemoWheel, 0}, now_ms, {});
    store.put_document({"demo", "theme", "daylight", 0, kThemeDaylight, 0}, now_ms, {});
    store.put_document({"demo", "theme", "night", 0, kThemeNight, 0}, now_ms, {});
    store.put_document({"demo", "kiosk", "settings", 0, kKioskSettings, 0}, now_ms, {});
    store.put_document({"demo", "widget", "settings", 0, kWidgetSettings, 0}, now_ms, {});

    const Seed seeds[] = {
        {"demo-anna", "Анна", "79160000001", "200000000001", {600, 450, 700}, 500},
        {"demo-boris", "Борис", "79160000002", "200000000002", {120}, 0},
        {"demo-dace", "Dace", "37120000003", "200000000003", {2500, 3100}, 1400},
    };
    std::vector<DemoMember> out;
    for (const Seed& seed : seeds) {
        const std::string number = std::string(seed.card12) + cards::ean13_check_digit(seed.card12);
        store.put_member({"demo", seed.id, seed.name, number, seed.phone, "", "", now_ms}, now_ms,
                         {});
        // The history goes through the real ledger: one receipt a week from 40 days ago.
        store.with_member("demo", seed.id, [&](MemberTx& tx) {
            ledger::Ledger l;
            std::int64_t when = now_ms - 40 * day_ms;
            std::int64_t earned = 0;
            for (std::int64_t points : seed.earns) {
                const std::string receipt_id = "demo-" + random_id().substr(0, 12);
                const auto id = *ledger::parse_entry_id(random_id());
                l.apply(ledger::Earn{id, points, 0, when + 365 * day_ms, ledger::Reason::earn,
                                     "bonus", receipt_id}, when);
                // The basket the demo program's 5 % earned those points on (1 point = 1 ₽ =
                // 100 minor units), as one line, so the console's simulation can re-quote it.
                const std::int64_t paid = points * demo_minor_per_point;
                const quote::Receipt basket{receipt_id, {{"demo-basket", "", paid, 1}}, when};
                const ReceiptRecord r{receipt_id, seed.id, ledger::to_hex(id), when, paid, points,
                                      codec::encode_receipt(basket).dump(), "{}", "[]"};
                if (!tx.insert_receipt(r))
                    throw std::runtime_error("demo receipt id " + receipt_id + " is taken");
                earned += points;
                when += 7 * day_ms;
            }
            if (seed.redeemed > 0)
                l.apply(ledger::Redeem{*ledger::parse_entry_id(random_id()), seed.redeemed, "bonus",
                                       ""}, when);
            tx.append_entries(l.entries());
            tx.save_checkpoint(l);
            tx.save_counters({earned * demo_minor_per_point, when, "", now_ms - 40 * day_ms, "{}"});
            return true;
        });
        out.push_back({seed.id, number});
    }
    return out;
}

}  // namespace kopilka::server
