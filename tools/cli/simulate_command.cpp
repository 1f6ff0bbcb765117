#include "simulate_command.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "codec/settlement_json.hpp"
#include "codec/simulator_json.hpp"

namespace kopilka::cli {

namespace {

using codec::Json;

// [SECTION] Flags and input

struct Args {
    std::map<std::string, std::string> values;  // "price" → "900000"
    bool human = false;
};

int fail(const char* command, int code, const std::string& why) {
    std::fprintf(stderr, "kopilka %s: %s\n", command, why.c_str());
    return code;
}

// --flag value pairs and the bare --human, from argv[2] on; only the allowed flags.
bool parse_args(int argc, char** argv, const std::vector<std::string>& allowed, Args* out,
                std::string* why) {
    for (int i = 2; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--human") {
            out->human = true;
            continue;
        }
        const std::string name = a.rfind("--", 0) == 0 ? a.substr(2) : std::string();
        bool known = false;
        for (const auto& f : allowed) known = known || f == name;
        if (!known) {
            *why = "unknown argument " + a;
            return false;
        }
        if (i + 1 >= argc) {
            *why = a + " needs a value";
            return false;
        }
        if (!out->values.emplace(name, argv[++i]).second) {
            *why = a + " is given twice";
            return false;
        }
    }
    return true;
}

// The whole file, or standard input for "-".
bool read_text(const std::string& path, std::string* out) {
    if (path == "-") {
        out->assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
        return !std::cin.bad();
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    out->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return !in.bad();
}

bool parse_int(const std::string& s, std::int64_t* out) {
    const char* end = s.data() + s.size();
    const auto r = std::from_chars(s.data(), end, *out);
    return !s.empty() && r.ec == std::errc() && r.ptr == end;
}

// Reads --input as JSON; 0 when done, else the exit code after saying why.
int load_input(const char* command, const std::string& path, Json* out) {
    const std::string name = path == "-" ? "standard input" : path;
    std::string text;
    if (!read_text(path, &text)) return fail(command, 1, "cannot read " + name);
    codec::DecodeError e;
    auto j = codec::parse_json(text, &e);
    if (!j) return fail(command, 2, name + " is not valid JSON");
    *out = std::move(*j);
    return 0;
}

// [SECTION] Human-readable numbers

std::string group_digits(std::uint64_t v) {
    std::string digits = std::to_string(v);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ' ';
        out += digits[i];
    }
    return out;
}

// "-1 234.56" for −123 456 minor units of a currency with two minor digits.
std::string money_text(std::int64_t minor, money::Currency c) {
    const int digits = money::currency_info(c).minor_digits;
    std::uint64_t scale = 1;
    for (int i = 0; i < digits; ++i) scale *= 10;
    const std::uint64_t abs = minor < 0 ? 0 - static_cast<std::uint64_t>(minor) : minor;
    std::string out = (minor < 0 ? "-" : "") + group_digits(abs / scale);
    if (digits > 0) {
        std::string frac = std::to_string(abs % scale);
        out += "." + std::string(digits - frac.size(), '0') + frac;
    }
    return out;
}

// "16.67 %" for 1 667 basis points.
std::string percent_text(std::int64_t bp) {
    const std::int64_t abs = bp < 0 ? -bp : bp;
    const std::string frac = std::to_string(abs % 100);
    return (bp < 0 ? "-" : "") + std::to_string(abs / 100) + "." + (frac.size() < 2 ? "0" : "") +
           frac + " %";
}

// Columns line up on screen: UTF-8 continuation bytes take no width.
std::size_t width_of(const std::string& s) {
    std::size_t w = 0;
    for (const unsigned char ch : s) w += (ch & 0xC0) != 0x80;
    return w;
}
std::string left(const std::string& s, std::size_t w) {
    return s + std::string(w > width_of(s) ? w - width_of(s) : 0, ' ');
}
std::string right(const std::string& s, std::size_t w) {
    return std::string(w > width_of(s) ? w - width_of(s) : 0, ' ') + s;
}

// [SECTION] simulate

struct FlagKey {
    const char* flag;
    const char* key;
    bool text;
};
constexpr FlagKey kSimulateFlags[] = {
    {"price", "price", false},
    {"margin-bp", "margin_bp", false},
    {"rate-bp", "rate_bp", false},
    {"visits", "visits", false},
    {"breakage-bp", "breakage_bp", false},
    {"comeback-bp", "comeback_bp", false},
    {"customers", "customers", false},
    {"currency", "currency", true},
    {"rounding", "rounding", true},
    {"earn-rounding", "earn_rounding", true},
};

// The flags as the JSON document the codec reads, so both ways share one validation.
bool flags_to_json(const Args& a, Json* out, std::string* why) {
    *out = Json::object();
    for (const auto& f : kSimulateFlags) {
        const auto it = a.values.find(f.flag);
        if (it == a.values.end()) continue;
        std::int64_t v = 0;
        if (f.text) {
            (*out)[f.key] = it->second;
        } else if (parse_int(it->second, &v)) {
            (*out)[f.key] = v;
        } else {
            *why = std::string("--") + f.flag + " must be an integer, got " + it->second;
            return false;
        }
    }
    return true;
}

// A codec message about "margin_bp" speaks of "--margin-bp" when flags were used.
std::string flag_message(const codec::DecodeError& e) {
    for (const auto& f : kSimulateFlags) {
        const std::string key = f.key;
        if (e.field == key && e.message.rfind(key, 0) == 0)
            return std::string("--") + f.flag + e.message.substr(key.size());
    }
    return e.message;
}

void print_simulation(const simulator::EconomicsInput& in, const simulator::Economics& r) {
    const auto c = in.currency;
    const auto code = std::string(money::currency_info(c).code);
    std::printf(
        "price %s %s, margin %s, rate %s, visits %lld, breakage %s, comeback %s, "
        "customers %lld\n\n",
        money_text(in.price, c).c_str(), code.c_str(), percent_text(in.margin_bp).c_str(),
        percent_text(in.rate_bp).c_str(), static_cast<long long>(in.visits),
        percent_text(in.breakage_bp).c_str(), percent_text(in.comeback_bp).c_str(),
        static_cast<long long>(in.customers));
    const simulator::SchemeResult* s[] = {&r.none, &r.discount, &r.bonus};
    std::string head = left("", 16);
    for (const char* name : {"no program", "discount", "bonus"}) head += right(name, 18);
    std::printf("%s\n", head.c_str());
    struct Row {
        const char* label;
        std::int64_t simulator::SchemeResult::*field;
        bool percent;
    };
    const Row rows[] = {
        {"sales", &simulator::SchemeResult::sales, false},
        {"revenue", &simulator::SchemeResult::revenue, false},
        {"goods cost", &simulator::SchemeResult::goods_cost, false},
        {"margin", &simulator::SchemeResult::margin, false},
        {"program cost", &simulator::SchemeResult::program_cost, false},
        {"profit", &simulator::SchemeResult::profit, false},
        {"cost / margin", &simulator::SchemeResult::cost_share_of_margin_bp, true},
        {"cost / sales", &simulator::SchemeResult::cost_share_of_sales_bp, true},
    };
    for (const auto& row : rows) {
        std::string line = left(row.label, 16);
        for (const auto* scheme : s) {
            const std::int64_t v = scheme->*row.field;
            line += right(row.percent ? percent_text(v) : money_text(v, c), 18);
        }
        std::printf("%s\n", line.c_str());
    }
    const auto& f = r.bonus_flow;
    std::printf(
        "\npurchases %lld; bonus issued %s, redeemed %s, never redeemed %s, "
        "still held (liability) %s %s\n",
        static_cast<long long>(r.purchases), money_text(f.issued, c).c_str(),
        money_text(f.redeemed, c).c_str(), money_text(f.broken, c).c_str(),
        money_text(f.liability, c).c_str(), code.c_str());
    std::printf("bonus vs discount: %s%s %s profit\n", r.bonus_vs_discount > 0 ? "+" : "",
                money_text(r.bonus_vs_discount, c).c_str(), code.c_str());
}

// [SECTION] settle

void print_settlement(const coalition::SettlementInput& in, const coalition::Settlement& s) {
    const auto c = in.currency;
    const auto code = std::string(money::currency_info(c).code);
    std::printf("clearing price %lld/%lld minor units per point; %s points burned = %s %s\n\n",
                static_cast<long long>(in.clearing_price_num),
                static_cast<long long>(in.clearing_price_den),
                group_digits(static_cast<std::uint64_t>(s.total_burned)).c_str(),
                money_text(s.total_value, c).c_str(), code.c_str());
    std::size_t id_w = 7;
    for (const auto& p : in.partners) id_w = std::max(id_w, width_of(p.id) + 2);
    std::string head = left("partner", id_w);
    for (const char* h : {"issued", "burned", "receivable", "payable", "net"}) head += right(h, 16);
    std::printf("%s\n", head.c_str());
    for (std::size_t i = 0; i < s.partners.size(); ++i) {
        const auto& p = s.partners[i];
        std::string line = left(in.partners[i].id, id_w);
        line += right(group_digits(static_cast<std::uint64_t>(p.issued)), 16);
        line += right(group_digits(static_cast<std::uint64_t>(p.burned)), 16);
        for (const std::int64_t v : {p.receivable, p.payable, p.net})
            line += right(money_text(v, c), 16);
        std::printf("%s\n", line.c_str());
    }
    std::printf("\ntransfers (%s)%s\n", code.c_str(), s.transfers.empty() ? ": none" : "");
    std::size_t pair_w = 0;
    for (const auto& t : s.transfers)
        pair_w = std::max(
            pair_w, width_of(in.partners[t.payer].id) + width_of(in.partners[t.payee].id) + 6);
    for (const auto& t : s.transfers) {
        const std::string pair = in.partners[t.payer].id + " -> " + in.partners[t.payee].id;
        std::printf("  %s%s\n", left(pair, pair_w).c_str(),
                    right(money_text(t.amount, c), 16).c_str());
    }
}

}  // namespace

int run_simulate(int argc, char** argv) {
    const char* cmd = "simulate";
    std::vector<std::string> allowed{"input"};
    for (const auto& f : kSimulateFlags) allowed.push_back(f.flag);
    Args a;
    std::string why;
    if (!parse_args(argc, argv, allowed, &a, &why)) return fail(cmd, 2, why);
    const bool from_file = a.values.count("input") != 0;
    if (from_file && a.values.size() > 1)
        return fail(cmd, 2, "--input cannot be combined with --price and the other value flags");
    Json doc;
    if (from_file) {
        if (const int code = load_input(cmd, a.values.at("input"), &doc)) return code;
    } else if (a.values.empty()) {
        return fail(cmd, 2,
                    "needs --input FILE.json, or --price N --margin-bp N --rate-bp N --visits N");
    } else if (!flags_to_json(a, &doc, &why)) {
        return fail(cmd, 2, why);
    }
    const auto decoded = codec::decode_economics_input(doc);
    if (!decoded.ok())
        return fail(cmd, 2, from_file ? decoded.error.message : flag_message(decoded.error));
    const auto& in = *decoded.value;
    const auto r = simulator::simulate_economics(in);
    if (r.status != simulator::EconomicsStatus::ok) {
        const auto e = codec::economics_error(r.status);
        return fail(cmd, 2, from_file ? e.message : flag_message(e));
    }
    if (a.human)
        print_simulation(in, r);
    else
        std::printf("%s\n", codec::encode_economics(in, r).dump().c_str());
    return 0;
}

int run_settle(int argc, char** argv) {
    const char* cmd = "settle";
    Args a;
    std::string why;
    if (!parse_args(argc, argv, {"input"}, &a, &why)) return fail(cmd, 2, why);
    if (!a.values.count("input")) return fail(cmd, 2, "needs --input FILE.json");
    Json doc;
    if (const int code = load_input(cmd, a.values.at("input"), &doc)) return code;
    const auto decoded = codec::decode_settlement_input(doc);
    if (!decoded.ok()) return fail(cmd, 2, decoded.error.message);
    const auto& in = *decoded.value;
    const auto s = coalition::settle(in);
    if (s.status != coalition::SettlementStatus::ok)
        return fail(cmd, 2, codec::settlement_error(s.status, s.bad_partner).message);
    if (a.human)
        print_settlement(in, s);
    else
        std::printf("%s\n", codec::encode_settlement(in, s).dump().c_str());
    return 0;
}

}  // namespace kopilka::cli
