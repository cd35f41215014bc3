#pragma once

#include "reso/Resource.h"

#include <QByteArray>
#include <QMap>
#include <QSet>
#include <QString>

namespace resosync::sim {
class FeedSimulator;
}

namespace resosync::test {

/// The records the simulator serves now, by key, as JSON text (what a client receives);
/// records served with `MlgCanView: false` are left out (a replica must not keep them).
QMap<QString, QByteArray> feedRecords(const sim::FeedSimulator &simulator, reso::Resource resource);

/// The records stored in the replica, by key, as `record::text`.
QMap<QString, QByteArray> storedRecords(const QString &conninfo, reso::Resource resource);

/// Empty when the replica of `resource` equals the feed (same keys, every record's JSON equal
/// as JSON); otherwise says how they differ (counts and the first few keys). Keys in
/// `absentFromReplica` are expected to be missing from the replica (rejected records).
QString compareReplica(const sim::FeedSimulator &simulator, const QString &conninfo,
                       reso::Resource resource, const QSet<QString> &absentFromReplica = {});

/// compareReplica for the four resources; the differences joined with "; ", empty when none.
QString compareAllReplicas(const sim::FeedSimulator &simulator, const QString &conninfo,
                           const QSet<QString> &absentFromReplica = {});

/// A single value from the database (first column of the first row), as text.
QString queryValue(const QString &conninfo, const QString &sql);

} // namespace resosync::test
