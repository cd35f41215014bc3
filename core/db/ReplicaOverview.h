#pragma once

#include "db/DbError.h"
#include "reso/Resource.h"

#include <QList>
#include <QString>

#include <optional>

namespace resosync::db {

/// How far a resource's replica has come: rows stored and the replication cursor.
struct ResourceReplica {
    reso::Resource resource = reso::Resource::Property;
    qint64 rows = -1;        ///< -1 when the table does not exist yet
    QString cursorTimestamp; ///< the saved cursor's ModificationTimestamp, empty if none
    QString cursorKey;
    /// Children: listings whose children were last synced completely (resosync.child_sync);
    /// -1 for Property or before the schema exists.
    qint64 listingsSynced = -1;
};

struct ReplicaOverview {
    QString database; ///< what the connection reached
    int schemaVersion = 0;
    QList<ResourceReplica> resources;
    std::optional<DbError> error;
};

/// Reads row counts and cursors of the four RESO tables (a blocking call: run it off the GUI
/// thread). Counts are exact (`count(*)`), which is fine at MLS sizes on a local database.
ReplicaOverview readReplicaOverview(const QString &conninfo);

} // namespace resosync::db
