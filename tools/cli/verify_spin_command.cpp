#include "verify_spin_command.hpp"

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <vector>

#include "core/spins/fair.hpp"

namespace kopilka::cli {

namespace {
using Json = nlohmann::json;

int bad_flag(const std::string& why) {
    std::fprintf(stderr, "kopilka verify-spin: %s\n", why.c_str());
    return 2;
}

bool parse_int(const std::string& text, std::int64_t* out) {
    if (text.empty() || text.size() > 18) return false;
    std::int64_t v = 0;
    for (const char c : text) {
        if (c < '0' || c > '9') return false;
        v = v * 10 + (c - '0');
    }
    *out = v;
    return true;
}

bool parse_weights(const std::string& text, std::vector<std::int64_t>* out) {
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) {
        std::int64_t w = 0;
        if (!parse_int(item, &w)) return false;
        out->push_back(w);
    }
    return !out->empty();
}

// What is checked: the revealed seed, the commitment shown before, the client's operation id,
// the weights the draw was over, and (optionally) the ticket and prize the server claimed.
struct Claim {
    std::string seed, commitment, operation;
    std::vector<std::int64_t> weights;
    std::optional<std::int64_t> ticket, prize;
};

// The claim from a spin's answer; "" or the reason it can't be read.
std::string claim_from_answer(const std::string& path, Claim* c) {
    std::ifstream in(path);
    if (!in) return "can't read " + path;
    const Json j = Json::parse(in, nullptr, false);
    try {
        const Json& spin = j.at("spin");
        c->seed = spin.at("seed").get<std::string>();
        c->commitment = spin.at("commitment").get<std::string>();
        c->weights = spin.at("weights").get<std::vector<std::int64_t>>();
        c->ticket = spin.at("ticket").get<std::int64_t>();
        c->operation = j.at("operation_id").get<std::string>();
        c->prize = j.at("prize").at("index").get<std::int64_t>();
    } catch (const Json::exception&) {
        return path +
               " is not a spin's answer (operation_id, prize.index, spin.seed, "
               "spin.commitment, spin.weights, spin.ticket)";
    }
    return "";
}

// "" or what is wrong with the flags.
std::string claim_from_flags(const std::map<std::string, std::string>& flags, Claim* c) {
    for (const char* key : {"seed", "commitment", "operation", "weights"})
        if (!flags.count(key)) return std::string("needs --") + key + " (or --answer FILE)";
    c->seed = flags.at("seed");
    c->commitment = flags.at("commitment");
    c->operation = flags.at("operation");
    if (!parse_weights(flags.at("weights"), &c->weights))
        return "--weights must be whole numbers separated by commas, 5,3,0,2";
    for (const char* key : {"ticket", "prize"}) {
        if (!flags.count(key)) continue;
        std::int64_t v = 0;
        if (!parse_int(flags.at(key), &v))
            return std::string("--") + key + " must be a whole number";
        (std::string(key) == "ticket" ? c->ticket : c->prize) = v;
    }
    return "";
}
}  // namespace

int run_verify_spin(const std::map<std::string, std::string>& flags) {
    for (const auto& [key, value] : flags)
        if (key != "seed" && key != "commitment" && key != "operation" && key != "weights" &&
            key != "ticket" && key != "prize" && key != "answer" && key != "format")
            return bad_flag("unknown flag --" + key);
    const std::string format = flags.count("format") ? flags.at("format") : "text";
    if (format != "text" && format != "json") return bad_flag("--format must be text or json");

    Claim claim;
    if (flags.count("answer")) {
        for (const char* key : {"seed", "operation", "weights", "ticket", "prize"})
            if (flags.count(key)) return bad_flag(std::string("--answer replaces --") + key);
        const std::string why = claim_from_answer(flags.at("answer"), &claim);
        if (!why.empty()) {
            std::fprintf(stderr, "kopilka verify-spin: %s\n", why.c_str());
            return 1;
        }
        if (flags.count("commitment")) claim.commitment = flags.at("commitment");
    } else {
        const std::string why = claim_from_flags(flags, &claim);
        if (!why.empty()) return bad_flag(why);
    }

    const spins::SpinCheck check =
        spins::check_spin(claim.seed, claim.commitment, claim.operation, claim.weights);
    const bool ticket_ok = !claim.ticket || *claim.ticket == check.draw.ticket;
    const bool prize_ok = !claim.prize || *claim.prize == check.draw.prize;
    const bool all_ok = check.commitment_matches && check.draw.prize >= 0 && ticket_ok && prize_ok;
    char draw_hex[17];
    std::snprintf(draw_hex, sizeof draw_hex, "%016llx",
                  static_cast<unsigned long long>(check.draw_seed));

    if (format == "json") {
        Json out{{"ok", all_ok},
                 {"seed_well_formed", check.seed_well_formed},
                 {"commitment_matches", check.commitment_matches},
                 {"draw_seed", draw_hex},
                 {"total_weight", check.draw.total_weight},
                 {"ticket", check.draw.ticket},
                 {"prize", check.draw.prize}};
        if (claim.ticket) out["ticket_matches"] = ticket_ok;
        if (claim.prize) out["prize_matches"] = prize_ok;
        std::printf("%s\n", out.dump().c_str());
        return all_ok ? 0 : 1;
    }
    if (!check.seed_well_formed)
        std::printf("seed:        not 64 hex digits, so not a seed the server reveals\n");
    std::printf("commitment:  %s\n",
                check.commitment_matches
                    ? "matches: SHA-256 of the seed is the code shown before the spin"
                    : "DOES NOT MATCH: this seed is not the one the server committed to");
    std::printf("draw seed:   %s (SHA-256 of seed:operation id, first 16 hex digits)\n", draw_hex);
    if (check.draw.prize < 0) {
        std::printf("draw:        the weights are all zero: nothing can be drawn\n");
    } else {
        std::printf("ticket:      %lld of 0…%lld%s\n", static_cast<long long>(check.draw.ticket),
                    static_cast<long long>(check.draw.total_weight - 1),
                    claim.ticket
                        ? (ticket_ok ? ", as the server said" : ", NOT what the server said")
                        : "");
        std::printf(
            "prize:       segment %d%s\n", check.draw.prize,
            claim.prize ? (prize_ok ? ", as the server said" : ", NOT what the server said") : "");
    }
    std::printf("%s\n", all_ok ? "verified" : "not verified");
    return all_ok ? 0 : 1;
}

}  // namespace kopilka::cli
