#include "db/ReplicaOverview.h"

#include "db/Connection.h"
#include "db/SchemaMigrator.h"

#include <pqxx/transaction>

namespace resosync::db {

using namespace Qt::StringLiterals;

ReplicaOverview readReplicaOverview(const QString &conninfo) {
    ReplicaOverview overview;
    const SchemaReport schema = SchemaMigrator(conninfo).status();
    overview.database = schema.database;
    overview.schemaVersion = schema.version;
    if (schema.error && schema.error->kind != DbErrorKind::SchemaTooNew) {
        overview.error = schema.error;
        return overview;
    }
    DbError error;
    auto connection = openConnection(conninfo, &error);
    if (!connection) {
        overview.error = error;
        return overview;
    }
    overview.error =
        runGuarded({u"reading row counts"_s, u"SELECT on the RESO tables"_s}, conninfo, [&] {
            pqxx::read_transaction tx(*connection);
            for (reso::Resource resource : reso::kAllResources) {
                ResourceReplica replica;
                replica.resource = resource;
                const std::string table = reso::resourceName(resource).toStdString();
                // Schema-qualified: for a role named like a schema (resosync), the default
                // search_path would look in that schema first.
                const std::string qualified = "public." + tx.quote_name(table);
                const bool exists =
                    tx.exec_params1("SELECT to_regclass($1) IS NOT NULL", qualified)[0].as<bool>();
                if (exists)
                    replica.rows = tx.exec1("SELECT count(*) FROM " + qualified)[0].as<qint64>();
                if (overview.schemaVersion > 0) {
                    const pqxx::result cursor =
                        tx.exec_params("SELECT to_char(cursor_timestamp AT TIME ZONE 'UTC', "
                                       "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), cursor_key "
                                       "FROM resosync.sync_cursor WHERE resource = $1",
                                       table);
                    if (!cursor.empty() && !cursor[0][0].is_null()) {
                        replica.cursorTimestamp =
                            QString::fromStdString(cursor[0][0].as<std::string>());
                        replica.cursorKey = QString::fromStdString(cursor[0][1].c_str());
                    }
                    if (resource != reso::Resource::Property)
                        replica.listingsSynced =
                            tx.exec_params1("SELECT count(*) FROM resosync.child_sync WHERE "
                                            "resource = $1",
                                            table)[0]
                                .as<qint64>();
                }
                overview.resources.append(replica);
            }
        });
    return overview;
}

} // namespace resosync::db
