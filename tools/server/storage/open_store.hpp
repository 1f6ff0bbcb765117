// Picks the storage adapter by the --db value: a postgresql:// or postgres:// URL opens
// PostgreSQL, anything else is an SQLite file path.
#pragma once

#include <memory>
#include <string>

#include "storage/store.hpp"

namespace kopilka::server {

bool is_pg_url(const std::string& db);

// create_if_missing applies to SQLite files only (a PostgreSQL database must exist).
// Throws std::runtime_error with a clear message when the database can't be used.
std::unique_ptr<Store> open_store(const std::string& db, bool create_if_missing = true);

}  // namespace kopilka::server
