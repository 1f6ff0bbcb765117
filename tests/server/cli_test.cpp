// The kopilka CLI as a process: printed cards decode back (ZXing-cpp reader) to the code it
// reports, and its failures exit non-zero with a message and leave no files behind.
#define ZX_USE_UTF8 1
#include <ZXing/ReadBarcode.h>

#define STB_IMAGE_IMPLEMENTATION
#include <stb/stb_image.h>

#include <doctest/doctest.h>

#include <cctype>
#include <set>
#include <sstream>

#include "server_process.hpp"

using namespace kopilka::test;

namespace {

DemoServer& shared_server() {
    static DemoServer s;
    return s;
}

struct Decoded {
    bool ok = false;
    ZXing::BarcodeFormat format = ZXing::BarcodeFormat::None;
    std::string text;
    std::string why;
};

Decoded decode_png(const std::string& path, ZXing::BarcodeFormat expected) {
    Decoded d;
    int w = 0, h = 0, channels = 0;
    unsigned char* pixels = stbi_load(path.c_str(), &w, &h, &channels, 1);
    if (!pixels) {
        d.why = std::string("stb_image: ") + stbi_failure_reason();
        return d;
    }
    ZXing::DecodeHints hints;
    hints.setFormats(expected);
    hints.setTryHarder(true);
    const ZXing::Result r = ZXing::ReadBarcode({pixels, w, h, ZXing::ImageFormat::Lum}, hints);
    stbi_image_free(pixels);
    if (!r.isValid()) {
        d.why = std::string("ZXing found no ") + ZXing::ToString(expected) + " in " +
                std::to_string(w) + "x" + std::to_string(h) + " image";
        return d;
    }
    d.ok = true;
    d.format = r.format();
    d.text = r.text();
    return d;
}

std::set<std::string> keys_of(const Json& j) {
    std::set<std::string> k;
    for (const auto& [key, v] : j.items()) k.insert(key);
    return k;
}

}  // namespace

TEST_CASE("kopilka card writes QR and EAN-13 PNGs that decode to the printed code") {
    DemoServer& s = shared_server();
    REQUIRE_MESSAGE(s.ok, s.why);
    const auto cards = demo_cards(s.db);
    REQUIRE(cards.size() == 3);
    auto client = s.server->client();

    for (const auto& [member, card] : cards) {
        for (const std::string format : {"qr", "ean13"}) {
            INFO(member << " --format " << format);
            const std::string out = s.dir.file(member + "-" + format + ".png");
            const RunResult r = run_program({cli_binary(), "card", "--db", s.db, "--member", member,
                                             "--out", out, "--format", format});
            REQUIRE_MESSAGE(r.exit_code == 0, r.err);
            const Json printed = Json::parse(r.out, nullptr, false);
            REQUIRE_MESSAGE(printed.is_object(), r.out);
            CHECK(keys_of(printed) == std::set<std::string>{"member", "code", "out"});
            CHECK(printed["member"] == member);
            CHECK(printed["out"] == out);
            const std::string expected_code = format == "qr" ? card.qr : card.card;
            CHECK(printed["code"] == expected_code);
            REQUIRE(file_exists(out));

            const auto zx_format =
                format == "qr" ? ZXing::BarcodeFormat::QRCode : ZXing::BarcodeFormat::EAN13;
            const Decoded d = decode_png(out, zx_format);
            REQUIRE_MESSAGE(d.ok, d.why);
            CHECK(d.format == zx_format);
            CHECK(d.text == expected_code);

            // What a kiosk would scan from the phone card is what the server accepts.
            if (format == "qr") {
                const auto res = client->Post("/v1/members/lookup", Json{{"code", d.text}}.dump(),
                                              "application/json");
                REQUIRE(res);
                CHECK(res->status == 200);
                CHECK(Json::parse(res->body, nullptr, false)["member"]["id"] == member);
            }
        }
    }
}

TEST_CASE("kopilka card for an unknown member fails with a message and writes nothing") {
    DemoServer& s = shared_server();
    REQUIRE_MESSAGE(s.ok, s.why);
    const std::string out = s.dir.file("nobody.png");
    const RunResult r =
        run_program({cli_binary(), "card", "--db", s.db, "--member", "demo-nobody", "--out", out});
    CHECK(r.exit_code != 0);
    CHECK(r.exit_code < 128);  // an orderly failure, not a crash
    CHECK(r.err.find("demo-nobody") != std::string::npos);
    CHECK(r.out.empty());
    CHECK_FALSE(file_exists(out));
}

TEST_CASE("kopilka with a --db file that does not exist fails and does not create it") {
    TempDir dir;
    const std::string missing = dir.file("missing.sqlite");
    const std::string out = dir.file("card.png");
    const std::vector<std::vector<std::string>> commands = {
        {cli_binary(), "cards", "--db", missing},
        {cli_binary(), "card", "--db", missing, "--member", "demo-anna", "--out", out},
        {cli_binary(), "card", "--db", missing, "--member", "demo-anna", "--out", out, "--format",
         "ean13"},
    };
    for (const auto& argv : commands) {
        INFO(argv[1] << " " << argv.size());
        const RunResult r = run_program(argv);
        CHECK(r.exit_code != 0);
        CHECK(r.exit_code < 128);
        CHECK_FALSE(r.err.empty());
        CHECK(r.out.empty());
        CHECK_FALSE(file_exists(missing));
        CHECK_FALSE(file_exists(missing + "-wal"));
        CHECK_FALSE(file_exists(missing + "-shm"));
        CHECK_FALSE(file_exists(missing + "-journal"));
        CHECK_FALSE(file_exists(out));
    }
}

TEST_CASE_FIXTURE(WithDemoServer, "kopilka pairing-code makes a code that pairs one kiosk, once") {
    const RunResult r = run_program({cli_binary(), "pairing-code", "--db", s.db, "--merchant",
                                     "demo", "--name", "Door", "--ttl-s", "3600"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    const Json printed = json_lines(r.out).at(0);
    const std::string code = printed.at("code").get<std::string>();
    CHECK(code.size() == 9);
    auto c = s.server->client();
    auto res = c->Post("/v1/devices/pair", Json{{"code", code}}.dump(), "application/json");
    REQUIRE(res);
    CHECK(res->status == 201);
    CHECK(Json::parse(res->body)["name"] == "Door");
    res = c->Post("/v1/devices/pair", Json{{"code", code}}.dump(), "application/json");
    CHECK(res->status == 409);
    CHECK(run_program({cli_binary(), "pairing-code", "--db", s.db, "--merchant", "nobody"})
              .exit_code != 0);
    CHECK(run_program(
              {cli_binary(), "pairing-code", "--db", s.db, "--merchant", "demo", "--ttl-s", "5"})
              .exit_code != 0);
}

TEST_CASE(
    "kopilka --help and COMMAND --help print usage and succeed; no command or an unknown one exits "
    "2") {
    for (const char* help : {"--help", "-h", "help"}) {
        INFO(help);
        const RunResult r = run_program({cli_binary(), help});
        CHECK(r.exit_code == 0);
        CHECK(r.err.empty());
        for (const char* command :
             {"card ", "cards ", "api-key ", "merchant ", "member-token ", "member-token-secret ",
              "pairing-code ", "seed-demo ", "quote ", "simulate ", "settle ", "openapi"})
            CHECK_MESSAGE(r.out.find(std::string("kopilka ") + command) != std::string::npos,
                          command);
    }
    for (const std::string command :
         {"card", "cards", "api-key", "seed-demo", "quote", "simulate", "settle", "openapi"}) {
        INFO(command);
        const RunResult r = run_program({cli_binary(), command, "--help"});
        CHECK(r.exit_code == 0);
        CHECK(r.err.empty());
        CHECK(r.out.find("kopilka " + command + " ") != std::string::npos);
        std::istringstream lines(r.out);
        for (std::string line; std::getline(lines, line);)  // only this command's usage
            if (line.rfind("  kopilka ", 0) == 0)
                CHECK(line.rfind("  kopilka " + command + " ", 0) == 0);
    }
    // After other flags too, and before a required one is missing: help wins, nothing is opened.
    CHECK(run_program({cli_binary(), "card", "--member", "demo-anna", "--help"}).exit_code == 0);

    const RunResult none = run_program({cli_binary()});
    CHECK(none.exit_code == 2);
    CHECK(none.out.empty());
    CHECK(none.err.find("usage:") != std::string::npos);

    const std::vector<std::vector<std::string>> unknown = {
        {cli_binary(), "frobnicate"},
        {cli_binary(), "frobnicate", "--help"},
        {cli_binary(), "frobnicate", "stray", "words"}};
    for (const auto& argv : unknown) {
        INFO(argv.size());
        const RunResult r = run_program(argv);
        CHECK(r.exit_code == 2);
        CHECK(r.out.empty());
        CHECK(r.err.find("unknown command frobnicate") != std::string::npos);
    }
}

TEST_CASE(
    "kopilka openapi prints the document the server serves, each operation with a unique "
    "operationId") {
    DemoServer& s = shared_server();
    REQUIRE_MESSAGE(s.ok, s.why);
    const RunResult r = run_program({cli_binary(), "openapi"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    const auto served = s.server->client()->Get("/v1/openapi.json");
    REQUIRE(served);
    REQUIRE(served->status == 200);
    CHECK(r.out == served->body + "\n");  // byte for byte: tools/test.sh lints this output

    const Json doc = Json::parse(r.out, nullptr, false);
    REQUIRE(doc.is_object());
    std::set<std::string> ids;
    for (const auto& path : doc["paths"].items())
        for (const auto& op : path.value().items()) {
            INFO(op.key() << " " << path.key());
            REQUIRE(op.value().contains("operationId"));
            CHECK(op.value().contains("security"));  // public ones say so with []
            const std::string id = op.value()["operationId"].get<std::string>();
            CHECK(ids.insert(id).second);
            const bool camel =
                !id.empty() && std::islower(static_cast<unsigned char>(id[0])) &&
                id.find_first_not_of(
                    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") ==
                    std::string::npos;
            CHECK_MESSAGE(camel, id);
        }
    CHECK(ids.size() >= 38);
    CHECK(run_program({cli_binary(), "openapi", "--db", "x"}).exit_code == 2);
}
