#include "storage/open_store.hpp"

#include "storage/pg_store.hpp"

namespace kopilka::server {

bool is_pg_url(const std::string& db) {
    return db.rfind("postgresql://", 0) == 0 || db.rfind("postgres://", 0) == 0;
}

std::unique_ptr<Store> open_store(const std::string& db, bool create_if_missing) {
    if (is_pg_url(db)) return open_pg_store(db);
    return open_sqlite_store(db, create_if_missing);
}

}  // namespace kopilka::server
