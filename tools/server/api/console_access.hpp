// Who may use which console route: the one table mapping every /v1/admin route to the staff
// roles allowed on it (ARCHITECTURE.md, Auth; docs in tools/server/openapi/console.json).
//   owner    everything, users and the audit log included (an admin API key counts as one)
//   manager  program, themes, wheels, kiosks, widget settings, members, reports, audit (read)
//   support  members: search, read, adjust with a reason; the merchant
//   viewer   reports and the merchant
// The server checks it on every /v1/admin request (RouteContext::admin) and refuses to start
// when a registered /v1/admin route is missing from the table.
#pragma once

#include <string>

namespace kopilka::server {

// Whether role is one of the four staff roles.
bool staff_role_valid(const std::string& role);
// Whether the table lists the route (method and OpenAPI template, "/v1/admin/themes/{id}").
bool admin_route_listed(const std::string& method, const std::string& route);
// Whether role may use the route; false for a route the table doesn't list.
bool role_allows(const std::string& role, const std::string& method, const std::string& route);

}  // namespace kopilka::server
