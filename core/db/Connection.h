#pragma once

#include "db/DbError.h"

#include <QString>

#include <pqxx/connection>

#include <memory>

namespace resosync::db {

/// Opens a libpqxx connection. `conninfo` goes to libpq unchanged, so key=value strings,
/// postgresql:// URIs, PG* environment variables, ~/.pgpass and service files all work as in
/// psql; an empty string takes everything from the environment. On failure returns null and
/// fills `error` (kind InvalidConninfo, Unreachable or AuthenticationFailed). The session is
/// named `applicationName` in pg_stat_activity unless the connection string names it.
std::unique_ptr<pqxx::connection>
openConnection(const QString &conninfo, DbError *error,
               const QString &applicationName = QStringLiteral("resosync"));

/// `database sales on db.example.com:5432 as sync`, from what the connection really uses.
QString describeConnection(pqxx::connection_base &connection);

} // namespace resosync::db
