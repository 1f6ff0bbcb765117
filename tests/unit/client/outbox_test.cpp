// The outbox against an in-memory store and a fake server that applies each operation id
// once (as kopilka-server does) and can drop requests or answers like a bad network.
#include "client/outbox.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>

#include "codec/decode.hpp"
#include "client/api.hpp"
#include "codec/kiosk_json.hpp"
#include "fakes.hpp"

using namespace kopilka::client;
using kopilka::codec::Json;

namespace {

struct MemoryStore : OutboxStore {
    std::map<std::string, OutboxItem> rows;  // op id → item (IndexedDB keyed by op id)
    std::vector<std::function<void()>> deferred;
    bool defer = false;  // hold save() callbacks until flush(), as IndexedDB does
    bool fail = false;
    void save(const OutboxItem& item, std::function<void(bool)> done) override {
        if (!fail) rows[item.op_id] = item;
        auto finish = [done, ok = !fail] { done(ok); };
        if (defer) deferred.push_back(finish);
        else finish();
    }
    void remove(const std::string& op_id) override { rows.erase(op_id); }
    void load(std::function<void(std::vector<OutboxItem>)> done) override {
        std::vector<OutboxItem> out;
        for (const auto& [id, item] : rows) out.push_back(item);
        std::sort(out.begin(), out.end(), [](const OutboxItem& a, const OutboxItem& b) {
            return a.created_ms < b.created_ms;
        });
        done(out);
    }
    void flush() {
        auto d = std::move(deferred);
        for (auto& f : d) f();
    }
};

// The network and the server. Each request is held until the test lets it through.
struct FakeServer : Transport {
    std::map<std::string, int> applied;  // op id → times the server applied it (must stay ≤ 1)
    std::vector<std::string> order;      // op ids in the order the server applied them
    std::vector<std::pair<OutboxItem, std::function<void(TransportReply)>>> waiting;
    const MemoryStore* store = nullptr;
    int sent_unstored = 0;               // requests sent before their item was stored
    int status = 201;
    void request(const Request& r, std::function<void(TransportReply)> done) override {
        OutboxItem item;
        item.op_id = kopilka::codec::Json::parse(r.body).value("operation_id", "");
        item.path = r.path;
        item.body = r.body;
        if (store && !store->rows.count(item.op_id)) ++sent_unstored;
        waiting.emplace_back(item, std::move(done));
    }
    // The request reaches the server (applied once per id) and the answer reaches the kiosk.
    void deliver() {
        auto [item, done] = take();
        if (applied[item.op_id]++ == 0) order.push_back(item.op_id);
        else --applied[item.op_id];  // a replay: the server answers the original, applies nothing
        done({true, status, "{}"});
    }
    void drop_request() { take().second({false, 0, ""}); }  // offline: nothing reached the server
    void drop_answer() {                                     // applied, but the answer is lost
        auto [item, done] = take();
        if (applied[item.op_id]++ == 0) order.push_back(item.op_id);
        done({false, 0, ""});
    }
    void answer(int code) { take().second({true, code, "{}"}); }
    std::pair<OutboxItem, std::function<void(TransportReply)>> take() {
        REQUIRE_FALSE(waiting.empty());
        auto w = std::move(waiting.front());
        waiting.erase(waiting.begin());
        return w;
    }
};

OutboxItem item(const std::string& id, std::int64_t at) {
    return {id, "/v1/kiosk/spin", "{\"operation_id\":\"" + id + "\"}", at, 0, 0};
}

}  // namespace

TEST_CASE("outbox: stored before sent, one in flight, oldest first, removed on the final answer") {
    MemoryStore store;
    store.defer = true;
    FakeServer server;
    server.store = &store;
    Outbox box(store, server);
    box.restore(0);
    std::vector<std::string> finals;
    box.on_final([&](const OutboxItem& i, const TransportReply& r) {
        finals.push_back(i.op_id);
        CHECK(r.status == 201);
    });
    box.submit(item("a", 10), 10);
    box.submit(item("b", 11), 11);
    CHECK(server.waiting.empty());  // not stored yet: nothing sent
    store.flush();
    CHECK(server.waiting.size() == 1);  // one at a time
    CHECK(server.waiting[0].first.op_id == "a");
    server.deliver();
    CHECK(server.waiting.size() == 1);
    CHECK(server.waiting[0].first.op_id == "b");
    server.deliver();
    CHECK(finals == std::vector<std::string>{"a", "b"});
    CHECK(server.order == std::vector<std::string>{"a", "b"});
    CHECK(store.rows.empty());
    CHECK(box.pending() == 0);
    CHECK(server.sent_unstored == 0);
}

TEST_CASE("outbox: offline → retried with a doubling delay → online → lands exactly once") {
    MemoryStore store;
    FakeServer server;
    Outbox box(store, server, {1000, 8000});
    box.restore(0);
    int finals = 0;
    box.on_final([&](const OutboxItem&, const TransportReply&) { ++finals; });
    box.submit(item("a", 0), 0);
    server.drop_request();
    CHECK(box.offline());
    CHECK(box.pending() == 1);
    CHECK(store.rows.at("a").attempts == 1);  // the retry state is stored too
    box.tick(999);
    CHECK(server.waiting.empty());
    box.tick(1000);
    REQUIRE(server.waiting.size() == 1);
    server.drop_answer();  // this time the server got it but the answer was lost
    box.tick(2999);
    CHECK(server.waiting.empty());
    box.tick(3000);  // 1000 + 2000
    REQUIRE(server.waiting.size() == 1);
    server.deliver();  // the resend: the server replays its answer
    CHECK_FALSE(box.offline());
    CHECK(finals == 1);
    CHECK(server.applied.at("a") == 1);
    CHECK(store.rows.empty());
    CHECK(retry_delay_ms({1000, 8000}, 10) == 8000);
}

TEST_CASE("outbox: a reload with pending items sends them from the store, each landing once") {
    MemoryStore store;
    FakeServer server;
    {
        Outbox page(store, server);
        page.restore(0);
        page.submit(item("a", 1), 1);
        page.submit(item("b", 2), 2);
        server.drop_answer();  // "a" applied, answer lost; then the page reloads
        server.waiting.clear();
    }
    CHECK(store.rows.size() == 2);
    Outbox page(store, server);
    std::vector<std::string> finals;
    page.on_final([&](const OutboxItem& i, const TransportReply&) { finals.push_back(i.op_id); });
    page.submit(item("c", 5), 5);  // made after the reload, before the store answered
    page.restore(5);
    server.deliver();
    server.deliver();
    server.deliver();
    CHECK(finals == std::vector<std::string>{"a", "b", "c"});
    CHECK(server.applied == std::map<std::string, int>{{"a", 1}, {"b", 1}, {"c", 1}});
    CHECK(store.rows.empty());
}

TEST_CASE("outbox: 4xx answers are final, 5xx and 429 are retried, a failed store still sends") {
    MemoryStore store;
    FakeServer server;
    Outbox box(store, server, {100, 100});
    box.restore(0);
    std::vector<int> statuses;
    box.on_final([&](const OutboxItem&, const TransportReply& r) { statuses.push_back(r.status); });
    box.submit(item("a", 0), 0);
    server.answer(503);
    box.tick(100);
    server.answer(429);
    box.tick(200);
    server.answer(409);  // e.g. not enough points: retrying can't change it
    CHECK(statuses == std::vector<int>{409});
    CHECK(box.pending() == 0);

    store.fail = true;
    box.submit(item("b", 300), 300);
    REQUIRE(server.waiting.size() == 1);
    server.deliver();
    CHECK(statuses == std::vector<int>{409, 201});
    CHECK(reply_is_final({true, 200, ""}));
    CHECK_FALSE(reply_is_final({false, 0, ""}));
    CHECK_FALSE(reply_is_final({true, 500, ""}));
}

TEST_CASE(
    "outbox: each item goes out with its method and the secret held for its credential kind") {
    kopilka::client::fakes::MemoryOutboxStore store;
    kopilka::client::fakes::HeldTransport net;
    Outbox box(store, net);
    box.set_credential({CredentialKind::device, "kdt_D"});
    box.set_credential({CredentialKind::member, "kmt_M"});
    box.restore(0);
    box.submit(item("a", 1), 1);
    OutboxItem put = item("b", 2);
    put.method = "PUT";
    put.credential = CredentialKind::member;
    box.submit(put, 2);
    Request sent = net.pending.front().first;
    CHECK(sent.method == "POST");
    CHECK(sent.path == "/v1/kiosk/spin");
    CHECK(authorization_header(sent.credential) == "Bearer kdt_D");
    net.answer(201, "{}");
    sent = net.pending.front().first;
    CHECK(sent.method == "PUT");
    CHECK(sent.credential.kind == CredentialKind::member);
    CHECK(authorization_header(sent.credential) == "Bearer kmt_M");
    box.set_credential({CredentialKind::member, ""});  // signed out: the retry goes without
    net.drop();
    box.tick(1000000);
    CHECK(authorization_header(net.pending.front().first.credential).empty());
}

TEST_CASE("outbox: an item survives the page's store with its method and credential") {
    OutboxItem item;
    item.op_id = std::string(32, 'a');
    item.path = "/v1/widget/redeem";
    item.body = R"({"operation_id":"x","reward":"кофе"})";
    item.created_ms = 1700000000123;
    item.attempts = 3;
    item.next_attempt_ms = 99;  // not kept: a reload sends again when its turn comes
    item.method = "PUT";
    item.credential = CredentialKind::member;
    const auto back = decode_outbox_item(encode_outbox_item(item));
    REQUIRE(back.has_value());
    CHECK(back->op_id == item.op_id);
    CHECK(back->path == item.path);
    CHECK(back->body == item.body);
    CHECK(back->created_ms == item.created_ms);
    CHECK(back->attempts == 3);
    CHECK(back->next_attempt_ms == 0);
    CHECK(back->method == "PUT");
    CHECK(back->credential == CredentialKind::member);

    // A row an older kiosk stored (no method, no credential) is the kiosk's POST.
    const auto old = decode_outbox_item(
        R"({"op_id":"b","path":"/v1/kiosk/spin","body":"{}","created_ms":5,"attempts":1})");
    REQUIRE(old.has_value());
    CHECK(old->method == "POST");
    CHECK(old->credential == CredentialKind::device);
    CHECK_FALSE(decode_outbox_item(R"({"path":"/v1/kiosk/spin","body":"{}"})").has_value());
    CHECK_FALSE(decode_outbox_item(R"({"op_id":"b","path":"p","body":"{}","credential":"x"})")
                    .has_value());
    CHECK_FALSE(decode_outbox_item("not json").has_value());
    for (const auto kind : {CredentialKind::none, CredentialKind::device, CredentialKind::member,
                            CredentialKind::staff, CredentialKind::api_key})
        CHECK(credential_kind_from_name(credential_kind_name(kind)) == kind);
}

TEST_CASE("outbox: a backlog goes as one batch; each item's result settles it as if alone") {
    fakes::MemoryOutboxStore store;
    fakes::HeldTransport net;
    Outbox box(store, net, {1000, 8000});
    box.set_batch(kiosk_batch());
    box.set_credential({CredentialKind::device, "kdt_x"});
    box.restore(0);
    std::vector<std::pair<std::string, int>> finals;
    box.on_final([&](const OutboxItem& i, const TransportReply& r) {
        finals.emplace_back(i.op_id, r.status);
    });
    const auto id = [](char c) { return std::string(32, c); };
    box.submit(spin_item(id('a'), "m1", ""), 0);  // alone: nothing is behind it yet
    box.submit(redeem_item(id('b'), "m1", "coffee"), 1);
    box.submit(spin_item(id('c'), "m1", ""), 2);
    OutboxItem own = spin_item(id('d'), "m1", "");
    own.credential = CredentialKind::member;  // another credential: not in the device's batch
    box.submit(own, 3);
    REQUIRE(net.pending.size() == 1);
    CHECK(net.pending.front().first.path == "/v1/kiosk/spin");
    net.drop();  // offline

    box.retry_now(5);
    REQUIRE(net.pending.size() == 1);
    const Request batch = net.pending.front().first;
    CHECK(batch.path == "/v1/kiosk/operations");
    CHECK(batch.credential.secret == "kdt_x");
    const auto ops = kopilka::codec::decode_operations_request(Json::parse(batch.body));
    REQUIRE(ops.ok());
    REQUIRE(ops.value->size() == 3);
    CHECK((*ops.value)[0].type == "spin");
    CHECK((*ops.value)[1].type == "redeem");
    CHECK((*ops.value)[1].request["reward_id"] == "coffee");
    CHECK(kopilka::codec::decode_redeem_request((*ops.value)[1].request).ok());

    // a lands, b meets a server error (sent again later), c is refused: final.
    net.answer(200, kopilka::codec::encode_operations_answer(
                        {{id('a'), 201, {{"prize", {{"id", "p"}}}}},
                         {id('b'), 503, kopilka::codec::error_json("busy", "try later")},
                         {id('c'), 409, kopilka::codec::error_json("operation_conflict", "x")}})
                        .dump());
    CHECK(finals == std::vector<std::pair<std::string, int>>{{id('a'), 201}, {id('c'), 409}});
    CHECK(box.pending() == 2);
    CHECK(box.items().front().op_id == id('b'));
    CHECK(box.items().front().attempts == 1);
    CHECK(store.rows.count(id('b')) == 1);
    CHECK(net.pending.empty());  // b waits for its delay before anything else goes

    // After the delay b and d are due, but d has another credential: b goes alone.
    box.tick(5 + 1000);
    REQUIRE(net.pending.size() == 1);
    CHECK(net.pending.front().first.path == "/v1/kiosk/redeem");
    net.answer(201, "{}");
    REQUIRE(net.pending.size() == 1);
    CHECK(net.pending.front().first.credential.kind == CredentialKind::member);
    net.answer(201, "{}");
    CHECK(box.pending() == 0);
}

TEST_CASE("outbox: a batch answered unreadably is sent again; one refused whole settles all") {
    fakes::MemoryOutboxStore store;
    fakes::HeldTransport net;
    Outbox box(store, net, {1000, 8000});
    box.set_batch(kiosk_batch());
    box.restore(0);
    int refused = 0;
    box.on_final([&](const OutboxItem&, const TransportReply& r) { refused += r.status == 401; });
    for (char c : {'a', 'b', 'c'}) box.submit(spin_item(std::string(32, c), "m1", ""), 0);
    net.drop();
    box.retry_now(1);
    REQUIRE(net.pending.size() == 1);
    net.answer(200, R"({"results": []})");  // not one result per operation
    CHECK(box.pending() == 3);
    CHECK(box.items().front().attempts == 2);
    box.tick(1 + 2000);
    REQUIRE(net.pending.size() == 1);
    CHECK(net.pending.front().first.path == "/v1/kiosk/operations");
    net.answer(401, kopilka::codec::error_json("unauthorized", "the device was revoked").dump());
    CHECK(refused == 3);
    CHECK(box.pending() == 0);
    CHECK(store.rows.empty());
}
