#include "db/Connection.h"

#include <pqxx/nontransaction>

namespace resosync::db {

using namespace Qt::StringLiterals;

std::unique_ptr<pqxx::connection> openConnection(const QString &conninfo, DbError *error,
                                                 const QString &applicationName) {
    std::unique_ptr<pqxx::connection> connection;
    try {
        connection = std::make_unique<pqxx::connection>(conninfo.toStdString());
    } catch (const pqxx::broken_connection &e) {
        if (error)
            *error = connectError(e, conninfo);
        return nullptr;
    }
    // Name the session in pg_stat_activity unless the user chose a name.
    const auto failure = runGuarded({u"naming the session"_s, {}}, conninfo, [&] {
        pqxx::nontransaction tx(*connection);
        tx.exec_params("SELECT set_config('application_name', $1, false) "
                       "WHERE current_setting('application_name') = ''",
                       applicationName.toStdString());
    });
    if (failure) {
        if (error)
            *error = *failure;
        return nullptr;
    }
    return connection;
}

QString describeConnection(pqxx::connection_base &connection) {
    const auto text = [](const char *value) {
        return value ? QString::fromUtf8(value) : QString();
    };
    // PQhost() gives the socket directory for a local connection.
    return u"database %1 on %2:%3 as %4"_s.arg(text(connection.dbname()),
                                               text(connection.hostname()), text(connection.port()),
                                               text(connection.username()));
}

} // namespace resosync::db
