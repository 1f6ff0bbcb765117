#include "api/console_access.hpp"

#include <cstdint>

namespace kopilka::server {

namespace {
enum : std::uint8_t { owner = 1, manager = 2, support = 4, viewer = 8 };
constexpr std::uint8_t kAll = owner | manager | support | viewer;
constexpr std::uint8_t kManagers = owner | manager;

struct RouteRoles {
    const char* method;
    const char* route;
    std::uint8_t roles;
};

constexpr RouteRoles kTable[] = {
    {"GET", "/v1/admin/merchant", kAll},
    {"GET", "/v1/admin/reports", owner | manager | viewer},
    {"GET", "/v1/admin/reports/series", owner | manager | viewer},
    // Program and its preview
    {"GET", "/v1/admin/program", kManagers},
    {"PUT", "/v1/admin/program", kManagers},
    {"POST", "/v1/admin/program/preview", kManagers},
    {"POST", "/v1/admin/program/what-if", kManagers},
    {"POST", "/v1/admin/program/simulate", kManagers},
    {"GET", "/v1/admin/program/versions", kManagers},
    {"POST", "/v1/admin/program/versions", kManagers},
    {"GET", "/v1/admin/program/versions/{version}", kManagers},
    {"POST", "/v1/admin/program/versions/{version}/revert", kManagers},
    // Themes
    {"GET", "/v1/admin/themes", kManagers},
    {"GET", "/v1/admin/themes/published", kManagers},
    {"GET", "/v1/admin/themes/{id}", kManagers},
    {"PUT", "/v1/admin/themes/{id}", kManagers},
    {"DELETE", "/v1/admin/themes/{id}", kManagers},
    {"GET", "/v1/admin/themes/{id}/versions", kManagers},
    {"GET", "/v1/admin/themes/{id}/versions/{version}", kManagers},
    {"POST", "/v1/admin/themes/{id}/publish", kManagers},
    // Members: support reads, adjusts and corrects personal details
    {"GET", "/v1/admin/members", kManagers | support},
    {"GET", "/v1/admin/members/{id}", kManagers | support},
    {"GET", "/v1/admin/members/{id}/history", kManagers | support},
    {"POST", "/v1/admin/members/{id}/adjust", kManagers | support},
    {"PUT", "/v1/admin/members/{id}", kManagers | support},
    {"POST", "/v1/admin/members", kManagers},
    {"POST", "/v1/admin/members/{id}/erase", kManagers},
    {"GET", "/v1/admin/members/{id}/export", kManagers},
    // Kiosks, wheels, the widget
    {"GET", "/v1/admin/devices", kManagers},
    {"PUT", "/v1/admin/devices/{id}", kManagers},
    {"POST", "/v1/admin/devices/pairing-codes", kManagers},
    {"POST", "/v1/admin/devices/{id}/revoke", kManagers},
    {"GET", "/v1/admin/kiosk-settings", kManagers},
    {"PUT", "/v1/admin/kiosk-settings", kManagers},
    {"GET", "/v1/admin/wheels", kManagers},
    {"GET", "/v1/admin/wheels/{id}", kManagers},
    {"PUT", "/v1/admin/wheels/{id}", kManagers},
    {"GET", "/v1/admin/widget-settings", kManagers},
    {"PUT", "/v1/admin/widget-settings", kManagers},
    // CSV import and exports
    {"POST", "/v1/admin/imports", kManagers},
    {"GET", "/v1/admin/imports/{id}", kManagers},
    {"GET", "/v1/admin/exports/members.csv", kManagers},
    {"GET", "/v1/admin/exports/receipts.csv", kManagers},
    // Staff and the audit log
    {"GET", "/v1/admin/users", owner},
    {"POST", "/v1/admin/users", owner},
    {"PUT", "/v1/admin/users/{id}", owner},
    {"POST", "/v1/admin/users/{id}/password", owner},
    {"POST", "/v1/admin/users/{id}/revoke-sessions", owner},
    {"GET", "/v1/admin/audit", kManagers},
};

std::uint8_t role_bit(const std::string& role) {
    if (role == "owner") return owner;
    if (role == "manager") return manager;
    if (role == "support") return support;
    if (role == "viewer") return viewer;
    return 0;
}

const RouteRoles* find(const std::string& method, const std::string& route) {
    for (const RouteRoles& r : kTable)
        if (method == r.method && route == r.route) return &r;
    return nullptr;
}
}  // namespace

bool staff_role_valid(const std::string& role) { return role_bit(role) != 0; }

bool admin_route_listed(const std::string& method, const std::string& route) {
    return find(method, route) != nullptr;
}

bool role_allows(const std::string& role, const std::string& method, const std::string& route) {
    const RouteRoles* r = find(method, route);
    return r && (r->roles & role_bit(role)) != 0;
}

}  // namespace kopilka::server
