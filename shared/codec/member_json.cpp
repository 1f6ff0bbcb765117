#include "codec/member_json.hpp"

namespace kopilka::codec {

namespace {
constexpr std::int64_t kAmountMax = INT64_MAX / 4;  // far above any real balance
}

Json encode_member(const members::MemberSnapshot& m) {
    return Json{
        {"id", m.id},
        {"name", m.name},
        {"merchant", m.merchant},
        {"balance", m.balance},
        {"currency", money::currency_info(m.currency).code},
        {"tier", m.tier.name},
        {"tier_detail",
         {{"id", m.tier.id},
          {"name", m.tier.name},
          {"next", m.tier.next_name},
          {"gap", m.tier.gap},
          {"basis", m.tier_basis},
          {"progress_permille", m.tier.progress_permille}}},
        {"as_of_ms", m.as_of_ms},
    };
}

Decoded<members::MemberSnapshot> decode_member(const Json& j, std::string_view path) {
    Decoded<members::MemberSnapshot> out;
    members::MemberSnapshot m;
    DecodeError& e = out.error;
    std::string currency;
    if (!read_string(j, path, "id", &m.id, &e, 64) || !read_string(j, path, "name", &m.name, &e, 128) ||
        !read_string(j, path, "merchant", &m.merchant, &e, 64) ||
        !read_int(j, path, "balance", &m.balance, &e, -kAmountMax, kAmountMax) ||
        !read_string(j, path, "currency", &currency, &e, 8) ||
        !read_int(j, path, "as_of_ms", &m.as_of_ms, &e, 0, kAmountMax))
        return out;
    const auto c = money::currency_from_code(currency);
    if (!c) {
        e = {"invalid_value", join_path(path, "currency"), join_path(path, "currency") + " is not a known currency"};
        return out;
    }
    m.currency = *c;
    const std::string tpath = join_path(path, "tier_detail");
    if (!j.contains("tier_detail")) {
        e = {"missing_field", tpath, tpath + " is required"};
        return out;
    }
    const Json& t = j["tier_detail"];
    std::int64_t permille = 0;
    if (!read_string(t, tpath, "id", &m.tier.id, &e, 64) || !read_string(t, tpath, "name", &m.tier.name, &e, 64) ||
        !read_string(t, tpath, "next", &m.tier.next_name, &e, 64) ||
        !read_int(t, tpath, "gap", &m.tier.gap, &e, 0, kAmountMax) ||
        !read_string(t, tpath, "basis", &m.tier_basis, &e, 16) ||
        !read_int(t, tpath, "progress_permille", &permille, &e, 0, 1000))
        return out;
    if (m.tier_basis != "points" && m.tier_basis != "spend") {
        e = {"invalid_value", join_path(tpath, "basis"), join_path(tpath, "basis") + " must be \"points\" or \"spend\""};
        return out;
    }
    m.tier.progress_permille = static_cast<int>(permille);
    out.value = std::move(m);
    return out;
}

}  // namespace kopilka::codec
