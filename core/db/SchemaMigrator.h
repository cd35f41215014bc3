#pragma once

#include "db/DbError.h"

#include <QList>
#include <QString>

#include <optional>

namespace resosync::db {

/// One schema migration compiled into the binary: `:/sql/migrations/NNNN_name.sql`.
struct Migration {
    int version = 0;      ///< NNNN
    QString name;         ///< the part after `NNNN_`, e.g. "initial"
    QString resourcePath; ///< e.g. ":/sql/migrations/0001_initial.sql"

    /// The file's base name, e.g. "0001_initial": how reports name a migration.
    QString label() const;
    /// The SQL of the migration.
    QString sql() const;
};

/// What a schema command found and did.
struct SchemaReport {
    QString database;         ///< what the connection reached, e.g. "database x on h:5432 as u"
    int versionBefore = 0;    ///< installed when the call began; 0 means no ResoSync schema
    int version = 0;          ///< installed when the call ended
    int latestVersion = 0;    ///< the newest migration this binary carries
    QList<Migration> applied; ///< applied by this call, in order (status(): always empty)
    QList<Migration> pending; ///< known to this binary, not installed
    std::optional<DbError> error;

    bool ok() const { return !error.has_value(); }
};

/// Installs and upgrades ResoSync's schema in a PostgreSQL database from the versioned
/// migrations compiled into the binary (sql/migrations/NNNN_name.sql), recording each in
/// resosync.schema_migrations.
///
/// Every migration runs in its own transaction that first takes a transaction-level advisory
/// lock (kAdvisoryLockKey), so concurrent appliers serialize and each version is applied
/// exactly once. A database whose schema is newer than this binary is refused untouched.
/// One migrator per thread; it opens its own connection per call.
class SchemaMigrator final {
public:
    /// The advisory lock key migrations serialize on: "ResoSync" in ASCII.
    static constexpr qint64 kAdvisoryLockKey = 0x5265'736F'5379'6E63;

    /// `conninfo` is passed to libpq unchanged (see openConnection()).
    explicit SchemaMigrator(QString conninfo);

    /// The migrations this binary carries, by ascending version.
    static const QList<Migration> &migrations();
    static int latestVersion();

    /// Applies every missing migration. Twice is a no-op that reports the installed version.
    SchemaReport apply() const;
    /// Reports the installed version and what is pending, changing nothing. A database newer
    /// than this binary is reported with an error of kind SchemaTooNew.
    SchemaReport status() const;

private:
    QString m_conninfo;
};

} // namespace resosync::db
