// MemberSession on its own: lookups and the offline cache, writes through the outbox, and
// answers that arrive after the member left. Also the typed calls it rides on (client::Api).
#include "client/member_session.hpp"

#include <doctest/doctest.h>

#include "client/api.hpp"
#include "codec/kiosk_json.hpp"
#include "codec/member_json.hpp"
#include "fakes.hpp"

using namespace kopilka;
using namespace kopilka::client;
using namespace kopilka::client::fakes;
using codec::Json;

namespace {
constexpr const char* member_token = "kmt_claims.signature";

members::MemberSnapshot member(std::int64_t balance) {
    members::MemberSnapshot m{"anna", "Anna", "DEMO", balance};
    m.available = balance;
    return m;
}

std::string lookup_body(std::int64_t balance) {
    return Json{{"member", codec::encode_member(member(balance))}}.dump();
}

// A session as the widget will hold one: a member token for reads and writes.
struct Rig {
    HeldTransport net;
    MemoryStorage storage;
    MemoryOutboxStore outbox_store;
    Outbox outbox{outbox_store, net};
    Api api{net};
    int ids = 0;
    MemberSession session{api, storage, outbox, {2, counting_ids(&ids)}};
    std::vector<LookupResult> lookups;
    std::vector<OperationResult> answers;
    std::vector<std::string> answered_ops;

    Rig() {
        const Credential c{CredentialKind::member, member_token};
        api.set_credential(c);
        outbox.set_credential(c);
        outbox.restore(0);
        session.on_answer([this](const OperationResult& r) {
            answers.push_back(r);
            answered_ops.push_back(r.item->op_id);
        });
    }
    void serve(std::int64_t balance) {  // a member found: the session's start
        lookup("C1");
        net.answer(200, lookup_body(balance));
    }
    void lookup(const std::string& code, std::int64_t now_ms = 1000) {
        session.lookup(code, now_ms, [this](LookupResult r) { lookups.push_back(std::move(r)); });
    }
    bool spin(std::int64_t now_ms = 2000) {
        OutboxItem made;
        const bool sent = session.submit(
            [&](const std::string& op) {
                made = spin_item(op, "anna", "w1");
                made.credential = CredentialKind::member;
                return made;
            },
            now_ms);
        return sent;
    }
};
}  // namespace

TEST_CASE("api: typed calls name method, path, body and credential once") {
    HeldTransport net;
    Api api{net};
    api.set_credential({CredentialKind::device, "kdt_A"});
    api.pair("ABCD-EFGH", [](TransportReply) {});
    api.lookup_member("4006381333931", [](TransportReply) {});
    api.fetch_config("v7", [](TransportReply) {});
    api.me([](TransportReply) {});
    REQUIRE(net.pending.size() == 4);
    const Request pair = net.take().first;
    CHECK(pair.method == "POST");
    CHECK(pair.path == "/v1/devices/pair");
    CHECK(Json::parse(pair.body)["code"] == "ABCD-EFGH");
    CHECK(authorization_header(pair.credential).empty());  // pairing is anonymous
    const Request lookup = net.take().first;
    CHECK(lookup.path == "/v1/members/lookup");
    CHECK(authorization_header(lookup.credential) == "Bearer kdt_A");
    const Request config = net.take().first;
    CHECK(config.method == "GET");
    CHECK(config.if_none_match == "v7");
    CHECK(config.body.empty());
    CHECK(net.take().first.path == "/v1/me");

    CHECK(authorization_header({CredentialKind::api_key, "kpk_till_x"}) == "Bearer kpk_till_x");
    CHECK(authorization_header({CredentialKind::staff, ""}).empty());
    CHECK(credential_kind_name(CredentialKind::member) == "member");

    const OutboxItem redeem = redeem_item("0123456789abcdef0123456789abcdef", "anna", "coffee");
    CHECK(redeem.path == "/v1/kiosk/redeem");
    CHECK(redeem.method == "POST");
    CHECK(redeem.credential == CredentialKind::device);
    const auto body = codec::decode_redeem_request(Json::parse(redeem.body));
    REQUIRE(body.ok());
    CHECK(body.value->operation_id == redeem.op_id);
}

TEST_CASE("member session: a lookup caches the snapshot; offline the cache answers, marked") {
    Rig r;
    r.lookup("C1");
    REQUIRE(r.net.pending.size() == 1);
    CHECK(authorization_header(r.net.pending.front().first.credential) ==
          std::string("Bearer ") + member_token);
    r.net.answer(200, lookup_body(1250));
    REQUIRE(r.lookups.size() == 1);
    CHECK(r.lookups[0].kind == LookupResult::Kind::found);
    CHECK(r.session.member()->balance == 1250);
    CHECK_FALSE(r.session.member_cached());

    r.session.end();
    CHECK_FALSE(r.session.member());
    r.lookup("C1");
    r.net.drop();
    CHECK(r.lookups[1].kind == LookupResult::Kind::cached);
    CHECK(r.session.member_cached());
    CHECK(r.session.member()->balance == 1250);

    r.lookup("C2");  // never seen here
    r.net.drop();
    CHECK(r.lookups[2].kind == LookupResult::Kind::failed);
    CHECK(r.lookups[2].error.code == "offline");
    CHECK_FALSE(r.session.member());
}

TEST_CASE("member session: the cache keeps the newest snapshots only") {
    Rig r;  // two kept
    for (int i = 1; i <= 3; ++i) {
        r.lookup("C" + std::to_string(i), i * 100);
        r.net.answer(200, lookup_body(i));
    }
    r.lookup("C1", 5000);
    r.net.drop();
    CHECK(r.lookups.back().error.code == "offline");  // the oldest went
    r.lookup("C3", 5001);
    r.net.drop();
    CHECK(r.lookups.back().kind == LookupResult::Kind::cached);
}

TEST_CASE("member session: errors come back named; a late lookup answer is dropped") {
    Rig r;
    r.lookup("C1");
    r.net.answer(404, codec::error_json("not_found", "no member has this card", "code").dump());
    CHECK(r.lookups[0].error.code == "not_found");
    CHECK(r.lookups[0].error.message == "no member has this card");
    r.lookup("C1");
    r.net.answer(502, "<html>bad gateway</html>");
    CHECK(r.lookups[1].error.code == "server_error");
    r.lookup("C1");
    r.net.answer(200, R"({"member": {"id": 5}})");
    CHECK(r.lookups[2].error.code == "bad_reply");

    r.lookup("C1");
    r.lookup("C2");  // the first is still out
    r.net.answer(200, lookup_body(1));
    r.net.answer(200, lookup_body(2));
    REQUIRE(r.lookups.size() == 4);
    CHECK(r.lookups[3].member->balance == 2);
    r.lookup("C3");
    r.session.end();
    r.net.answer(200, lookup_body(3));
    CHECK(r.lookups.size() == 4);
    CHECK_FALSE(r.session.member());
}

TEST_CASE("member session: a write goes through the outbox, and its answer updates the member") {
    Rig r;
    r.serve(100);
    REQUIRE(r.spin());
    CHECK(r.session.waiting());
    REQUIRE(r.net.pending.size() == 1);
    const Request sent = r.net.pending.front().first;
    CHECK(sent.path == "/v1/kiosk/spin");
    CHECK(sent.credential.kind == CredentialKind::member);
    CHECK(sent.credential.secret == member_token);
    CHECK(r.outbox_store.rows.size() == 1);  // stored before it went out

    codec::OperationAnswer a;
    a.prize = codec::PrizeView{1, "p", "50 points", "points", 50, ""};
    a.member = member(150);
    r.net.answer(201, codec::encode_operation_answer(a).dump());
    REQUIRE(r.answers.size() == 1);
    CHECK(r.answers[0].ours);
    CHECK(r.answers[0].answer->prize->points == 50);
    CHECK(r.session.member()->balance == 150);
    CHECK_FALSE(r.session.waiting());

    r.session.end();  // the new balance was cached too
    r.lookup("C1");
    r.net.drop();
    CHECK(r.session.member()->balance == 150);
}

TEST_CASE("member session: a refused write is an error; no operation id sends nothing") {
    Rig r;
    r.serve(0);
    REQUIRE(r.spin());
    r.net.answer(409, codec::error_json("no_spins", "none left", "member.id").dump());
    REQUIRE(r.answers.size() == 1);
    CHECK(r.answers[0].ours);
    CHECK_FALSE(r.answers[0].answer);
    CHECK(r.answers[0].error.code == "no_spins");
    REQUIRE(r.spin());
    r.net.answer(201, R"({"prize": {"index": "x"}})");
    CHECK(r.answers[1].error.code == "bad_reply");

    MemoryOutboxStore store;
    HeldTransport net;
    Outbox outbox{store, net};
    Api api{net};
    MemoryStorage storage;
    MemberSession bare{api, storage, outbox, {}};  // no id generator
    CHECK_FALSE(bare.submit([](const std::string& op) { return spin_item(op, "anna", "w1"); }, 0));
    CHECK(store.rows.empty());
}

TEST_CASE("member session: an answer after the member left is not this session's") {
    Rig r;
    r.serve(100);
    REQUIRE(r.spin());
    r.session.end();
    r.lookup("C2");
    r.net.pending.pop_back();  // the lookup stays out; the spin's answer comes first
    codec::OperationAnswer a;
    a.member = member(999);
    r.net.answer(201, codec::encode_operation_answer(a).dump());
    REQUIRE(r.answers.size() == 1);
    CHECK_FALSE(r.answers[0].ours);
    CHECK_FALSE(r.answers[0].answer);
    CHECK_FALSE(r.session.member());  // nothing of it shown
    CHECK(r.answered_ops == std::vector<std::string>{"00000000000000000000000000000001"});
}
