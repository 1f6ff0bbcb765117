#include "api/routes.hpp"

namespace kopilka::server {

void register_admin_routes(RouteContext&) {}

}  // namespace kopilka::server
