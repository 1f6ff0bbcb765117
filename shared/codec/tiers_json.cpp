#include "codec/tiers_json.hpp"

namespace kopilka::codec {

Decoded<std::vector<tiers::Tier>> decode_tier_ladder(const Json& j, std::string_view path) {
    Decoded<std::vector<tiers::Tier>> out;
    if (!j.is_array()) {
        out.error = {"wrong_type", std::string(path), std::string(path) + " must be an array"};
        return out;
    }
    std::vector<tiers::Tier> ladder;
    for (std::size_t i = 0; i < j.size(); ++i) {
        const std::string p = index_path(path, i);
        tiers::Tier t;
        if (!read_text(j[i], p, "id", &t.id, &out.error, 32) ||
            !read_text(j[i], p, "name", &t.name, &out.error, 64) ||
            !read_int(j[i], p, "threshold", &t.threshold, &out.error, 0, INT64_MAX / 4))
            return out;
        ladder.push_back(std::move(t));
    }
    std::size_t bad = 0;
    switch (tiers::validate_ladder(ladder, &bad)) {
        case tiers::LadderStatus::ok: out.value = std::move(ladder); return out;
        case tiers::LadderStatus::empty:
            out.error = {"invalid_value", std::string(path),
                         std::string(path) + " needs at least one tier"};
            return out;
        case tiers::LadderStatus::first_not_zero:
            out.error = {
                "invalid_value", index_path(path, 0) + ".threshold",
                index_path(path, 0) + ".threshold must be 0: every member holds the first tier"};
            return out;
        case tiers::LadderStatus::not_increasing:
            out.error = {"invalid_value", index_path(path, bad) + ".threshold",
                         index_path(path, bad) +
                             ".threshold must be above the previous tier's (tiers overlap)"};
            return out;
        case tiers::LadderStatus::duplicate_id:
            out.error = {"invalid_value", index_path(path, bad) + ".id",
                         index_path(path, bad) + ".id repeats an earlier tier's id"};
            return out;
    }
    return out;
}

Json encode_tier_ladder(const std::vector<tiers::Tier>& ladder) {
    Json a = Json::array();
    for (const auto& t : ladder)
        a.push_back({{"id", t.id}, {"name", t.name}, {"threshold", t.threshold}});
    return a;
}

}  // namespace kopilka::codec
