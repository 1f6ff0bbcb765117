#include "client/api.hpp"

#include <iterator>

#include "codec/kiosk_json.hpp"
#include "codec/widget_json.hpp"
#include "core/url.hpp"

namespace kopilka::client {

namespace {
constexpr std::string_view credential_kind_names[] = {"none", "device", "member", "staff",
                                                      "api_key"};
}  // namespace

std::string_view credential_kind_name(CredentialKind k) {
    return credential_kind_names[static_cast<int>(k)];
}

std::optional<CredentialKind> credential_kind_from_name(std::string_view name) {
    for (std::size_t i = 0; i < std::size(credential_kind_names); ++i)
        if (credential_kind_names[i] == name) return static_cast<CredentialKind>(i);
    return std::nullopt;
}

std::string authorization_header(const Credential& c) {
    if (c.kind == CredentialKind::none || c.secret.empty()) return "";
    return "Bearer " + c.secret;
}

void Api::call(Request r, Done done) {
    if (r.credential.kind == CredentialKind::none) r.credential = credential_;
    transport_.request(r, std::move(done));
}

void Api::pair(const std::string& code, Done done) {
    // Anonymous: the kiosk has no token before the answer brings one.
    const std::string body = codec::encode_code_request(code).dump();
    transport_.request({"POST", "/v1/devices/pair", body, "", {}}, std::move(done));
}

void Api::lookup_member(const std::string& code, Done done) {
    call({"POST", "/v1/members/lookup", codec::encode_code_request(code).dump(), "", {}},
         std::move(done));
}

void Api::fetch_config(const std::string& version, Done done) {
    call({"GET", "/v1/kiosk/config", "", version, {}}, std::move(done));
}

void Api::me(Done done) {
    call({"GET", "/v1/me", "", "", {}}, std::move(done));
}

void Api::widget_config(const std::string& merchant, const std::string& version, Done done) {
    transport_.request(
        {"GET", "/v1/widget/config?merchant=" + url_component(merchant), "", version, {}},
        std::move(done));
}

void Api::widget_session(const std::string& member_token, const std::string& merchant,
                         Done done) {
    transport_.request({"POST", "/v1/widget/session?merchant=" + url_component(merchant), "{}",
                        "", {CredentialKind::member, member_token}},
                       std::move(done));
}

void Api::widget_me(Done done) {
    call({"GET", "/v1/widget/me", "", "", {}}, std::move(done));
}

void Api::widget_history(const std::string& before, std::int64_t limit, Done done) {
    std::string path = "/v1/widget/history?limit=" + std::to_string(limit);
    if (!before.empty()) path += "&before=" + url_component(before);
    call({"GET", path, "", "", {}}, std::move(done));
}

void Api::widget_referral(Done done) {
    call({"GET", "/v1/widget/referral", "", "", {}}, std::move(done));
}

namespace {
constexpr const char* spin_path = "/v1/kiosk/spin";
constexpr const char* redeem_path = "/v1/kiosk/redeem";

OutboxItem post_item(const std::string& op_id, const char* path, const codec::Json& body) {
    OutboxItem item;
    item.op_id = op_id;
    item.path = path;
    item.body = body.dump();
    return item;
}
}  // namespace

OutboxItem spin_item(const std::string& op_id, const std::string& member_id,
                     const std::string& wheel_id) {
    return post_item(op_id, spin_path,
                     codec::encode_spin_request({op_id, member_id, wheel_id}));
}

OutboxItem redeem_item(const std::string& op_id, const std::string& member_id,
                       const std::string& reward_id) {
    return post_item(op_id, redeem_path,
                     codec::encode_redeem_request({op_id, member_id, reward_id}));
}

OutboxItem widget_redeem_item(const std::string& op_id, const std::string& reward_id) {
    OutboxItem item = post_item(op_id, "/v1/widget/redeem",
                                codec::encode_widget_redeem_request({op_id, reward_id}));
    item.credential = CredentialKind::member;
    return item;
}

OutboxItem widget_spin_item(const std::string& op_id) {
    OutboxItem item =
        post_item(op_id, "/v1/widget/spin", codec::encode_widget_spin_request({op_id}));
    item.credential = CredentialKind::member;
    return item;
}

Batch kiosk_batch() {
    Batch b;
    b.items_max = codec::operations_max;
    b.accepts = [](const OutboxItem& i) {
        return i.method == "POST" && i.credential == CredentialKind::device &&
               (i.path == spin_path || i.path == redeem_path);
    };
    b.request = [](const std::vector<OutboxItem>& items) {
        std::vector<codec::KioskOperation> ops;
        for (const auto& i : items)
            ops.push_back({i.path == spin_path ? "spin" : "redeem",
                           codec::Json::parse(i.body, nullptr, false)});
        return Request{"POST", "/v1/kiosk/operations",
                       codec::encode_operations_request(ops).dump(), "", {}};
    };
    b.split = [](const TransportReply& reply, std::size_t items) {
        std::optional<std::vector<TransportReply>> replies;
        codec::DecodeError e;
        const auto j = codec::parse_json(reply.body, &e);
        const auto results = j ? codec::decode_operations_answer(*j)
                               : codec::Decoded<std::vector<codec::OperationResult>>{};
        if (!results.ok() || results.value->size() != items) return replies;
        replies.emplace();
        for (const auto& r : *results.value)
            replies->push_back({true, r.status, r.body.dump(), ""});
        return replies;
    };
    return b;
}

}  // namespace kopilka::client
