// The static site (--site DIR): files with the MIME types a browser needs for the wasm
// kiosk, next to the API, and nothing outside DIR.
#include <doctest/doctest.h>

#include <filesystem>

#include "server_process.hpp"

using namespace kopilka::test;

namespace {

const std::string kWasm("\0asm\x01\0\0\0", 8);

struct SiteServer {
    TempDir root;  // root/site is served; root/secret.txt must not be
    std::unique_ptr<DemoServer> demo;
    SiteServer() {
        std::filesystem::create_directory(root.file("site"));
        root.write("secret.txt", "not for the web");
        root.write("site/a.js", "console.log('a');\n");
        root.write("site/c.css", "body{}\n");
        root.write("site/c.css.gz", std::string("\x1f\x8b precompressed stand-in", 26));
        root.write("site/b.wasm", kWasm);
        root.write("site/index.html", "<!doctype html><title>Kopilka</title>\n");
        demo = std::make_unique<DemoServer>(std::vector<std::string>{"--site", root.file("site")});
    }
};

SiteServer& shared_server() {
    static SiteServer s;
    return s;
}

std::string content_type(const httplib::Result& res) {
    return res ? res->get_header_value("Content-Type") : "";
}

}  // namespace

TEST_CASE("static files are served with their MIME types") {
    SiteServer& s = shared_server();
    REQUIRE_MESSAGE(s.demo->ok, s.demo->why);
    auto client = s.demo->server->client();

    const auto js = client->Get("/a.js");
    REQUIRE(js);
    CHECK(js->status == 200);
    CHECK(content_type(js).rfind("text/javascript", 0) == 0);
    CHECK(js->body == "console.log('a');\n");

    const auto wasm = client->Get("/b.wasm");
    REQUIRE(wasm);
    CHECK(wasm->status == 200);
    CHECK(content_type(wasm) == "application/wasm");
    CHECK(wasm->body == kWasm);

    const auto html = client->Get("/index.html");
    REQUIRE(html);
    CHECK(html->status == 200);
    CHECK(content_type(html).rfind("text/html", 0) == 0);
    CHECK(html->body == "<!doctype html><title>Kopilka</title>\n");

    const auto root = client->Get("/");
    REQUIRE(root);
    CHECK(root->status == 200);
    CHECK(content_type(root).rfind("text/html", 0) == 0);
    CHECK(root->body == html->body);
}

TEST_CASE("with a site mounted the API still answers and missing files get a JSON 404") {
    SiteServer& s = shared_server();
    REQUIRE_MESSAGE(s.demo->ok, s.demo->why);
    auto client = s.demo->server->client();

    const auto health = client->Get("/healthz");
    REQUIRE(health);
    CHECK(health->status == 200);
    CHECK(Json::parse(health->body, nullptr, false) == Json{{"status", "ok"}});

    const auto cards = demo_cards(s.demo->db);
    const auto lookup = client->Post(
        "/v1/members/lookup", Json{{"code", cards.at("demo-boris").qr}}.dump(), "application/json");
    REQUIRE(lookup);
    CHECK(lookup->status == 200);

    const auto missing = client->Get("/missing.js");
    REQUIRE(missing);
    CHECK(missing->status == 404);
    CHECK(error_shape_problem(Json::parse(missing->body, nullptr, false)) == "");
}

TEST_CASE("paths outside the site directory are not served") {
    SiteServer& s = shared_server();
    REQUIRE_MESSAGE(s.demo->ok, s.demo->why);
    auto client = s.demo->server->client();
    for (const char* path :
         {"/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/a.js/../../secret.txt"}) {
        INFO(path);
        const auto res = client->Get(path);
        if (!res) continue;  // refusing the connection is fine too
        CHECK(res->status >= 400);
        CHECK(res->body.find("not for the web") == std::string::npos);
    }
}

TEST_CASE(
    "static files: precompressed copies for gzip clients, validators for a cheap reload, no "
    "compression on the fly") {
    auto& s = shared_server();
    REQUIRE_MESSAGE(s.demo->ok, s.demo->why);
    auto c = s.demo->server->client();
    c->set_decompress(false);
    auto res = c->Get("/c.css", {{"Accept-Encoding", "gzip, deflate, br"}});
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(res->get_header_value("Content-Encoding") == "gzip");
    CHECK(res->body == std::string("\x1f\x8b precompressed stand-in", 26));
    CHECK(content_type(res).rfind("text/css", 0) == 0);
    CHECK(res->get_header_value_count("Content-Type") == 1);
    const std::string tag = res->get_header_value("ETag");
    CHECK_FALSE(tag.empty());
    CHECK(res->get_header_value("Cache-Control") == "no-cache");

    res = c->Get("/c.css");  // no gzip asked: the plain file
    CHECK(res->get_header_value("Content-Encoding").empty());
    CHECK(res->body == "body{}\n");

    // Without a .gz the file goes as it is, even to a client that would take brotli.
    res = c->Get("/a.js", {{"Accept-Encoding", "gzip, deflate, br"}});
    CHECK(res->get_header_value("Content-Encoding").empty());
    CHECK(res->body == "console.log('a');\n");

    res = c->Get("/c.css", {{"If-None-Match", tag}, {"Accept-Encoding", "gzip"}});
    CHECK(res->status == 304);
    CHECK(res->body.empty());
}
