// kopilka: the command-line tool.
//   kopilka card  --db FILE --member ID --out card.png [--format qr|ean13] [--scale N]
//                 prints a member's card (ZXing-cpp writer) and one JSON line describing it
//   (--db takes an SQLite file or a postgresql:// URL)
//   kopilka cards --db FILE     lists every member's card codes as JSON lines
//   kopilka api-key --db FILE --merchant ID --role admin|till   creates a key, printed once
//   kopilka merchant --db FILE --id ID --code CODE --name NAME [--currency RUB|EUR|USD]
//   kopilka member-token --db FILE --merchant ID --member ID [--ttl-s N]   mints a widget token
//   kopilka member-token-secret --db FILE --merchant ID   prints {"member_token_secret"}, what
//                 the merchant's site backend signs member tokens with
//   kopilka pairing-code --db FILE --merchant ID [--name NAME] [--ttl-s N]  a code to pair a kiosk
//                 (what the merchant's site does) and prints it with the member-token secret
//   kopilka user add --db FILE --merchant ID --email E --name N --role owner|manager|support|viewer
//                 [--password-stdin]   adds a console user; without --password-stdin a password
//                 is generated and printed once. Prints {"user": …, "password"?}
//   kopilka user password --db FILE --merchant ID --email E [--password-stdin]   sets a new one
//                 (generated and printed without --password-stdin) and ends the user's sessions
//   (KOPILKA_PASSWORD_HASH=min or --password-hash min: libsodium's minimum limits, for tests)
//   kopilka seed-demo --db FILE creates the database if needed and seeds the demo merchant
//                 (only into an empty database)
//   kopilka quote --program P.json --receipt R.json [--member M.json] … (quote_command.hpp)
//   kopilka simulate …, kopilka settle … (simulate_command.hpp)
//   kopilka rules --program P.json [--lang ru] …  the program in plain words (rules_command.hpp)
//   kopilka import members FILE.csv --db FILE --merchant ID [--dry-run] (import_command.hpp)
//   kopilka audit --db FILE [--merchant CODE]  checkpoints and history numbers against entries
//   kopilka verify-spin …  recomputes a wheel spin from what was shown (verify_spin_command.hpp)
//   kopilka openapi             prints the OpenAPI document kopilka-server serves (tools/test.sh
//   lints it) kopilka --help, kopilka COMMAND --help   usage on stdout, exit 0; no command or an
//   unknown one: exit 2
#define ZX_USE_UTF8 1
#include <ZXing/BitMatrix.h>
#include <ZXing/MultiFormatWriter.h>

#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/member_lookup.hpp"
#include "api/staff.hpp"
#include "audit_command.hpp"
#include "auth/credentials.hpp"
#include "auth/member_token.hpp"
#include "core/cards/card_code.hpp"
#include "import_command.hpp"
#include "openapi_document.hpp"
#include "quote_command.hpp"
#include "rules_command.hpp"
#include "simulate_command.hpp"
#include "storage/demo_data.hpp"
#include "storage/open_store.hpp"
#include "storage/store.hpp"
#include "verify_spin_command.hpp"

using kopilka::server::Store;

namespace {

// Every command and its usage, in the order --help lists them.
struct CommandUsage {
    const char* name;
    const char* usage;
};
constexpr CommandUsage kCommands[] = {
    {"card",
     "  kopilka card  --db FILE --member ID --out FILE.png [--format qr|ean13] [--scale N]\n"},
    {"cards", "  kopilka cards --db FILE\n"},
    {"api-key", "  kopilka api-key --db FILE --merchant ID --role admin|till\n"},
    {"merchant",
     "  kopilka merchant --db FILE --id ID --code CODE --name NAME [--currency RUB|EUR|USD]\n"},
    {"member-token", "  kopilka member-token --db FILE --merchant ID --member ID [--ttl-s N]\n"},
    {"member-token-secret", "  kopilka member-token-secret --db FILE --merchant ID\n"},
    {"pairing-code", "  kopilka pairing-code --db FILE --merchant ID [--name NAME] [--ttl-s N]\n"},
    {"seed-demo", "  kopilka seed-demo --db FILE\n"},
    {"user",
     "  kopilka user add --db FILE --merchant ID --email E --name N --role R [--password-stdin]\n"
     "  kopilka user password --db FILE --merchant ID --email E [--password-stdin]\n"
     "               (R: owner, manager, support or viewer; [--password-hash min] for tests)\n"},
    {"quote",
     "  kopilka quote --program P.json --receipt R.json [--member M.json] [--redeem N]\n"
     "                [--return Q1,Q2,…] [--locale ru|de|lv|en] [--assets DIR] [--human]\n"},
    {"simulate",
     "  kopilka simulate --input FILE.json [--human]\n"
     "  kopilka simulate --price N --margin-bp N --rate-bp N --visits N [--breakage-bp N]\n"
     "                   [--comeback-bp N] [--customers N] [--currency RUB] [--human]\n"},
    {"settle", "  kopilka settle --input FILE.json [--human]\n"},
    {"rules",
     "  kopilka rules --program P.json | --db FILE [--merchant ID]\n"
     "                [--lang ru|de|lv|en] [--assets DIR] [--format text|json]\n"},
    {"import", "  kopilka import members FILE.csv --db FILE --merchant ID [--dry-run]\n"},
    {"audit", "  kopilka audit --db FILE [--merchant CODE]\n"},
    {"verify-spin",
     "  kopilka verify-spin --seed HEX --commitment HEX --operation ID --weights W,W,…\n"
     "                      [--ticket N] [--prize N] [--format text|json]\n"
     "  kopilka verify-spin --answer SPIN.json [--commitment HEX] [--format text|json]\n"},
    {"openapi", "  kopilka openapi          (prints the OpenAPI document kopilka-server serves)\n"},
};

const CommandUsage* find_command(const std::string& name) {
    for (const auto& c : kCommands)
        if (name == c.name) return &c;
    return nullptr;
}

void print_usage(std::FILE* out, const CommandUsage* only) {
    std::fputs("usage:\n", out);
    for (const auto& c : kCommands)
        if (!only || only == &c) std::fputs(c.usage, out);
    if (!only) std::fputs("  kopilka COMMAND --help\n", out);
}

// A mistake on the command line: the reason and the usage on stderr, exit status 2.
int usage(const std::string& why) {
    std::fprintf(stderr, "kopilka: %s\n", why.c_str());
    print_usage(stderr, nullptr);
    return 2;
}

bool is_help_flag(const std::string& arg) { return arg == "--help" || arg == "-h"; }

// --flag value pairs after the command (and after `user`'s sub-command); --password-stdin
// takes no value. False with a message on a stray word.
bool parse_flags(int argc, char** argv, std::map<std::string, std::string>* out, std::string* why) {
    const bool sub_command = std::string(argv[1]) == "user";
    if (sub_command) (*out)["sub"] = argc > 2 ? argv[2] : "";
    for (int i = sub_command ? 3 : 2; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--password-stdin") {
            (*out)["password-stdin"] = "1";
            continue;
        }
        if (a.rfind("--", 0) != 0 || i + 1 >= argc) {
            *why = "expected --flag value, got " + a;
            return false;
        }
        (*out)[a.substr(2)] = argv[++i];
    }
    return true;
}

// Draws the barcode with a quiet zone and writes a grey PNG.
bool write_png(const std::string& text, ZXing::BarcodeFormat format, int scale,
               const std::string& path, std::string* why) {
    ZXing::MultiFormatWriter writer(format);
    writer.setMargin(0);
    writer.setEncoding(ZXing::CharacterSet::UTF8);
    ZXing::BitMatrix m;
    try {
        m = writer.encode(text, 0, 0);
    } catch (const std::exception& e) {
        *why = std::string("cannot encode: ") + e.what();
        return false;
    }
    const bool linear = format == ZXing::BarcodeFormat::EAN13;
    const int quiet = linear ? 11 : 4;  // modules of white around the code
    const int bar_h = linear ? 60 : m.height();
    const int w = (m.width() + 2 * quiet) * scale;
    const int h = ((linear ? bar_h : m.height()) + 2 * quiet) * scale;
    std::vector<unsigned char> pixels(static_cast<std::size_t>(w) * h, 255);
    for (int y = 0; y < (linear ? bar_h : m.height()); ++y)
        for (int x = 0; x < m.width(); ++x)
            if (m.get(x, linear ? 0 : y))
                for (int dy = 0; dy < scale; ++dy)
                    std::memset(&pixels[static_cast<std::size_t>((y + quiet) * scale + dy) * w +
                                        (x + quiet) * scale],
                                0, scale);
    if (!stbi_write_png(path.c_str(), w, h, 1, pixels.data(), w)) {
        *why = "cannot write " + path;
        return false;
    }
    return true;
}

int cmd_card(Store& store, const std::map<std::string, std::string>& f) {
    if (!f.count("member")) return usage("card needs --member ID");
    if (!f.count("out")) return usage("card needs --out FILE.png");
    const std::string format = f.count("format") ? f.at("format") : "qr";
    if (format != "qr" && format != "ean13") return usage("--format must be qr or ean13");
    const int scale = f.count("scale") ? std::atoi(f.at("scale").c_str()) : 8;
    if (scale < 1 || scale > 40) return usage("--scale must be 1..40");

    // Members are looked up in every merchant the database holds: ids are unique per merchant.
    const auto merchant = store.merchant_by_id(f.count("merchant") ? f.at("merchant") : "demo");
    if (!merchant) return usage("no such merchant (use --merchant ID)");
    const auto member = store.member_by_id(merchant->merchant_id, f.at("member"));
    if (!member)
        return usage("no member " + f.at("member") + " in merchant " + merchant->merchant_id);
    if (member->card_number.empty()) return usage("member " + member->member_id + " has no card");

    const std::string code = format == "qr"
                                 ? kopilka::cards::qr_card_payload(
                                       merchant->code, member->card_number, merchant->card_secret)
                                 : member->card_number;
    std::string why;
    if (!write_png(code,
                   format == "qr" ? ZXing::BarcodeFormat::QRCode : ZXing::BarcodeFormat::EAN13,
                   scale, f.at("out"), &why)) {
        std::fprintf(stderr, "kopilka: %s\n", why.c_str());
        return 1;
    }
    std::printf("%s\n",
                nlohmann::json{{"member", member->member_id}, {"code", code}, {"out", f.at("out")}}
                    .dump()
                    .c_str());
    return 0;
}

int cmd_cards(Store& store) {
    for (const auto& merchant_id : store.merchant_ids()) {
        const auto merchant = store.merchant_by_id(merchant_id);
        for (const auto& m : store.members(merchant_id)) {
            std::printf(
                "%s\n",
                nlohmann::json{{"merchant", merchant->code},
                               {"member", m.member_id},
                               {"name", m.display_name},
                               {"card", m.card_number},
                               {"qr", kopilka::cards::qr_card_payload(merchant->code, m.card_number,
                                                                      merchant->card_secret)}}
                    .dump()
                    .c_str());
        }
    }
    return 0;
}

int cmd_api_key(Store& store, const std::map<std::string, std::string>& f) {
    namespace auth = kopilka::server::auth;
    if (!f.count("merchant")) return usage("api-key needs --merchant ID");
    if (!f.count("role") || (f.at("role") != "admin" && f.at("role") != "till"))
        return usage("--role must be admin or till");
    if (!store.merchant_by_id(f.at("merchant"))) return usage("no merchant " + f.at("merchant"));
    const auto key = auth::generate_api_key(
        f.at("role") == "admin" ? auth::Role::admin : auth::Role::till, auth::random_device_bytes);
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    store.put_api_key({f.at("merchant"), key.stored.key_id, f.at("role"), key.stored.salt_hex,
                       key.stored.secret_hash_hex, 0},
                      now);
    std::printf("%s\n", nlohmann::json{{"merchant", f.at("merchant")},
                                       {"role", f.at("role")},
                                       {"key_id", key.stored.key_id},
                                       {"key", key.text}}
                            .dump()
                            .c_str());
    return 0;
}

int cmd_merchant(Store& store, const std::map<std::string, std::string>& f) {
    for (const char* need : {"id", "code", "name"})
        if (!f.count(need)) return usage(std::string("merchant needs --") + need);
    const std::string currency = f.count("currency") ? f.at("currency") : "RUB";
    if (currency != "RUB" && currency != "EUR" && currency != "USD")
        return usage("--currency must be RUB, EUR or USD");
    const std::string& code = f.at("code");
    for (char c : code)
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
            return usage("--code takes A-Z, 0-9 and '-' (it goes into QR cards)");
    if (store.merchant_by_id(f.at("id")) || store.merchant_by_code(code))
        return usage("a merchant with this id or code exists");
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    store.put_merchant({f.at("id"), code, f.at("name"), currency, kopilka::server::random_secret()},
                       now);
    std::printf("%s\n", nlohmann::json{{"merchant", f.at("id")}, {"code", code}}.dump().c_str());
    return 0;
}

int cmd_member_token(Store& store, const std::map<std::string, std::string>& f) {
    namespace auth = kopilka::server::auth;
    if (!f.count("merchant") || !f.count("member"))
        return usage("member-token needs --merchant ID --member ID");
    const auto merchant = store.merchant_by_id(f.at("merchant"));
    if (!merchant) return usage("no merchant " + f.at("merchant"));
    if (!store.member_by_id(merchant->merchant_id, f.at("member")))
        return usage("no member " + f.at("member"));
    const long long ttl = f.count("ttl-s") ? std::atoll(f.at("ttl-s").c_str()) : 600;
    if (ttl < 1 || ttl > 3600) return usage("--ttl-s must be 1..3600");
    const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
    auth::MemberClaims claims;
    claims.member_id = f.at("member");
    claims.merchant_id = merchant->merchant_id;
    claims.issued_at_s = now_s;
    claims.expires_at_s = now_s + ttl;
    claims.nonce = kopilka::server::random_id();  // single-use: the widget refuses a replay
    const std::string secret = kopilka::server::member_token_secret(merchant->card_secret);
    const auto minted = auth::mint_member_token(claims, secret);
    if (minted.status != auth::MemberTokenStatus::ok)
        return usage("cannot mint a token for these ids");
    std::printf(
        "%s\n",
        nlohmann::json{{"token", minted.token}, {"member_token_secret", secret}}.dump().c_str());
    return 0;
}

int cmd_member_token_secret(Store& store, const std::map<std::string, std::string>& f) {
    if (!f.count("merchant")) return usage("member-token-secret needs --merchant ID");
    const auto merchant = store.merchant_by_id(f.at("merchant"));
    if (!merchant) return usage("no merchant " + f.at("merchant"));
    const std::string secret = kopilka::server::member_token_secret(merchant->card_secret);
    std::printf("%s\n", nlohmann::json{{"member_token_secret", secret}}.dump().c_str());
    return 0;
}

// A pairing code for a new kiosk, as the console makes one (only its hash is stored); the
// kiosk takes it typed, scanned as a QR, or in its URL (?pair=CODE).
int cmd_pairing_code(Store& store, const std::map<std::string, std::string>& f) {
    namespace auth = kopilka::server::auth;
    if (!f.count("merchant")) return usage("pairing-code needs --merchant ID");
    if (!store.merchant_by_id(f.at("merchant"))) return usage("no merchant " + f.at("merchant"));
    const long long ttl =
        f.count("ttl-s") ? std::atoll(f.at("ttl-s").c_str()) : auth::pairing_code_ttl_s;
    if (ttl < 60 || ttl > 86400) return usage("--ttl-s must be 60..86400");
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    const auto code = auth::generate_pairing_code(auth::random_device_bytes, now);
    const std::string name = f.count("name") ? f.at("name") : "kiosk";
    store.put_pairing(
        {f.at("merchant"), code.stored.code_hash_hex, name, now, now + ttl * 1000, 0, ""}, {});
    std::printf("%s\n", nlohmann::json{{"merchant", f.at("merchant")},
                                       {"code", code.code},
                                       {"expires_at_ms", now + ttl * 1000}}
                            .dump()
                            .c_str());
    return 0;
}

std::string lower(std::string s) {
    for (char& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

// The password to set: one line from stdin, or a new random one (printed once).
std::string new_password(const std::map<std::string, std::string>& f, bool* generated) {
    *generated = !f.count("password-stdin");
    if (*generated) return kopilka::server::random_secret().substr(0, 20);
    std::string line;
    for (int c = std::getchar(); c != EOF && c != '\n'; c = std::getchar())
        line += static_cast<char>(c);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
}

int cmd_user(Store& store, const std::map<std::string, std::string>& f) {
    namespace server = kopilka::server;
    const std::string sub = f.at("sub");
    if (sub != "add" && sub != "password") return usage("user takes add or password");
    for (const char* need : {"merchant", "email"})
        if (!f.count(need)) return usage(std::string("user needs --") + need);
    if (sub == "add" && (!f.count("name") || !f.count("role")))
        return usage("user add needs --name N --role R");
    const std::string& merchant = f.at("merchant");
    if (!store.merchant_by_id(merchant)) return usage("no merchant " + merchant);
    auto limits = server::auth::password_limits_from_env();
    if (f.count("password-hash") && f.at("password-hash") == "min")
        limits = server::auth::PasswordLimits::minimum;
    bool generated = false;
    const std::string password = new_password(f, &generated);
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    server::ApiResult err;
    std::optional<server::StaffUserRecord> user;
    if (sub == "add") {
        user = server::create_staff_user(store, merchant,
                                         {f.at("email"), f.at("name"), f.at("role"), password},
                                         limits, now, {}, &err);
    } else if (const auto found = store.staff_user_by_email(merchant, lower(f.at("email")))) {
        user = server::set_staff_password(store, *found, password, limits, now, {}, &err);
    } else {
        return usage("no user " + f.at("email") + " at " + merchant);
    }
    if (!user) {
        std::fprintf(stderr, "kopilka: %s\n", err.body.dump().c_str());
        return 1;
    }
    nlohmann::json out{{"merchant", merchant}, {"user", server::staff_user_json(*user)}};
    if (generated) out["password"] = password;
    std::printf("%s\n", out.dump().c_str());
    return 0;
}

int cmd_seed_demo(Store& store) {
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    const auto seeded = kopilka::server::seed_demo(store, now);
    std::printf("%s\n", nlohmann::json{{"seeded_members", seeded.size()}}.dump().c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) return usage("missing command");
    const std::string command = argv[1];
    if (is_help_flag(command) || command == "help") {
        print_usage(stdout, nullptr);
        return 0;
    }
    const CommandUsage* known = find_command(command);
    if (!known) return usage("unknown command " + command);
    for (int i = 2; i < argc; ++i)
        if (is_help_flag(argv[i])) {
            print_usage(stdout, known);
            return 0;
        }
    if (command == "quote") return kopilka::cli::run_quote(argc, argv);
    if (command == "simulate") return kopilka::cli::run_simulate(argc, argv);
    if (command == "settle") return kopilka::cli::run_settle(argc, argv);
    if (command == "import") return kopilka::cli::run_import(argc, argv);
    if (command == "audit") return kopilka::cli::run_audit(argc, argv);
    if (command == "openapi") {
        if (argc > 2) return usage("openapi takes no flags");
        std::fputs(kopilka::server::openapi_document(), stdout);
        std::fputc('\n', stdout);
        return 0;
    }
    std::map<std::string, std::string> flags;
    std::string why;
    if (!parse_flags(argc, argv, &flags, &why)) return usage(why);
    if (command == "rules") return kopilka::cli::run_rules(flags);
    if (command == "verify-spin") return kopilka::cli::run_verify_spin(flags);
    if (!flags.count("db")) return usage(command + " needs --db FILE");
    std::unique_ptr<Store> store;
    try {
        store = kopilka::server::open_store(flags.at("db"),
                                            /*create_if_missing=*/command == "seed-demo");
        if (command == "seed-demo") return cmd_seed_demo(*store);
        if (command == "api-key") return cmd_api_key(*store, flags);
        if (command == "merchant") return cmd_merchant(*store, flags);
        if (command == "member-token") return cmd_member_token(*store, flags);
        if (command == "member-token-secret") return cmd_member_token_secret(*store, flags);
        if (command == "pairing-code") return cmd_pairing_code(*store, flags);
        if (command == "user") return cmd_user(*store, flags);
        return command == "card" ? cmd_card(*store, flags) : cmd_cards(*store);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "kopilka: %s\n", e.what());
        return 1;
    }
}
