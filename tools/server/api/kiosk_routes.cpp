#include "api/routes.hpp"

namespace kopilka::server {

void register_kiosk_routes(RouteContext&) {}

}  // namespace kopilka::server
