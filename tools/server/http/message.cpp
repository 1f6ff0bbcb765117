#include "http/message.hpp"

namespace kopilka::server::http {

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto lower = [](char c) {
            return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
        };
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

namespace {
const Header* find(const std::vector<Header>& headers, std::string_view name) {
    for (const auto& h : headers)
        if (iequals(h.name, name)) return &h;
    return nullptr;
}
}  // namespace

bool Request::has_header(std::string_view name) const { return find(headers, name) != nullptr; }

std::string Request::get_header_value(std::string_view name) const {
    const Header* h = find(headers, name);
    return h ? h->value : std::string();
}

bool Request::has_param(std::string_view name) const {
    for (const auto& [k, v] : params)
        if (k == name) return true;
    return false;
}

std::string Request::get_param_value(std::string_view name) const {
    for (const auto& [k, v] : params)
        if (k == name) return v;
    return {};
}

void Response::set_header(std::string name, std::string value) {
    for (auto& h : headers)
        if (iequals(h.name, name)) {
            h.value = std::move(value);
            return;
        }
    headers.push_back({std::move(name), std::move(value)});
}

bool Response::has_header(std::string_view name) const { return find(headers, name) != nullptr; }

std::string Response::get_header_value(std::string_view name) const {
    const Header* h = find(headers, name);
    return h ? h->value : std::string();
}

void Response::set_content(std::string content, std::string content_type) {
    body = std::move(content);
    set_header("Content-Type", std::move(content_type));
}

}  // namespace kopilka::server::http
