#pragma once

#include "db/DbError.h"

#include <QObject>
#include <QString>

#include <optional>

namespace resosync::db {

/// What a database connection test found. On failure the fields of the steps that succeeded
/// stay filled.
struct DatabaseProbeResult {
    QString target;               ///< host, port, database, user as configured (no secret)
    QString database;             ///< what the connection really reached
    std::optional<DbError> error; ///< the classified failure, with what to check
    double connectMs = -1;        ///< opening the connection (TCP, TLS, authentication)
    double roundTripMs = -1;      ///< `SELECT 1`, the best of three
    QString serverVersion;        ///< e.g. "15.8 (Debian 15.8-0+deb12u1)"
    int serverVersionNumber = 0;  ///< e.g. 150008
    QString role;                 ///< current_user
    bool superuser = false;
    bool canCreateSchema = false; ///< CREATE on the database and on schema public
    int schemaVersion = 0;        ///< installed ResoSync schema; 0 = none
    int latestSchemaVersion = 0;  ///< the newest this binary carries
    int pendingMigrations = 0;

    bool ok() const { return !error.has_value(); }
    /// A few lines for a person: what was measured, or the failure and how far it got.
    QString summary() const;
};

/// Seconds a probe waits for a server to answer a connection attempt, unless the connection
/// string sets connect_timeout itself: a test should answer, not hang on a dead address.
inline constexpr int kProbeConnectTimeoutSeconds = 10;

/// Tests a database connection, blocking (run it on a pool thread): connects, measures the
/// round trip, reads the server version and the role, and the ResoSync schema's state
/// (SchemaMigrator::status()). A role that could not install a missing schema is reported as
/// InsufficientPrivilege, because the first sync would fail on it.
DatabaseProbeResult probeDatabase(const QString &conninfo);

/// Runs probeDatabase() on a private pool thread and reports on this object's thread. The
/// GUI thread never waits: destroying the probe while a test runs just drops its result.
class DatabaseProbe final : public QObject {
    Q_OBJECT

public:
    explicit DatabaseProbe(QObject *parent = nullptr);

    /// Starts a test; a running one's result is dropped.
    void start(const QString &conninfo);
    /// Drops the running test's result (libpq cannot be interrupted; the thread finishes).
    void cancel();
    bool isRunning() const { return m_running; }

Q_SIGNALS:
    void finished(const resosync::db::DatabaseProbeResult &result);

private:
    quint64 m_generation = 0;
    bool m_running = false;
};

} // namespace resosync::db
