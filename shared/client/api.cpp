#include "client/api.hpp"

#include <iterator>

#include "codec/kiosk_json.hpp"

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
    transport_.request({"POST", "/v1/devices/pair", codec::Json{{"code", code}}.dump(), "", {}},
                       std::move(done));
}

void Api::lookup_member(const std::string& code, Done done) {
    call({"POST", "/v1/members/lookup", codec::Json{{"code", code}}.dump(), "", {}},
         std::move(done));
}

void Api::fetch_config(const std::string& version, Done done) {
    call({"GET", "/v1/kiosk/config", "", version, {}}, std::move(done));
}

void Api::me(Done done) {
    call({"GET", "/v1/me", "", "", {}}, std::move(done));
}

namespace {
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
    return post_item(op_id, "/v1/kiosk/spin",
                     codec::encode_spin_request({op_id, member_id, wheel_id}));
}

OutboxItem redeem_item(const std::string& op_id, const std::string& member_id,
                       const std::string& reward_id) {
    return post_item(op_id, "/v1/kiosk/redeem",
                     codec::encode_redeem_request({op_id, member_id, reward_id}));
}

}  // namespace kopilka::client
