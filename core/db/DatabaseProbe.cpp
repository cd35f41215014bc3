#include "db/DatabaseProbe.h"

#include "db/Connection.h"
#include "db/Conninfo.h"
#include "db/SchemaMigrator.h"

#include <QElapsedTimer>
#include <QStringList>
#include <QThreadPool>
#include <QtConcurrent>

#include <pqxx/nontransaction>

#include <algorithm>

namespace resosync::db {

using namespace Qt::StringLiterals;

namespace {

constexpr int kRoundTrips = 3;

/// The pool every probe runs on. Static, so a probe object (a dialog's) can go away while
/// libpq still waits for a server: nothing waits for the thread but the program's exit.
QThreadPool &probePool() {
    static QThreadPool pool;
    pool.setMaxThreadCount(2);
    return pool;
}

/// `conninfo` with a connect timeout, unless it names one (or a service that may).
QString withConnectTimeout(const QString &conninfo) {
    if (conninfo.contains("connect_timeout"_L1) || conninfo.contains("service"_L1))
        return conninfo;
    const QString timeout = QString::number(kProbeConnectTimeoutSeconds);
    if (conninfo.startsWith("postgresql://"_L1) || conninfo.startsWith("postgres://"_L1))
        return conninfo + (conninfo.contains(u'?') ? u'&' : u'?') + u"connect_timeout="_s + timeout;
    // Earlier keywords lose to later ones: put it first, so nothing the user wrote changes.
    return u"connect_timeout="_s + timeout + u' ' + conninfo;
}

double msSince(const QElapsedTimer &timer) {
    return double(timer.nsecsElapsed()) / 1e6;
}

DbError cannotInstallError(const DatabaseProbeResult &result, const QString &databaseName) {
    DbError error;
    error.kind = DbErrorKind::InsufficientPrivilege;
    error.sqlState = u"42501"_s;
    error.message =
        u"The role %1 may not create the ResoSync schema in %2, and it is not installed "
        "there yet, so the first sync would fail.\nCheck the role's privileges: as the "
        "database's owner run\n  GRANT CREATE ON DATABASE \"%3\" TO \"%1\";\n  GRANT CREATE ON "
        "SCHEMA public TO \"%1\";\nor install the schema once as the owner "
        "(resosync-cli schema apply)."_s.arg(result.role, result.database, databaseName);
    return error;
}

} // namespace

QString DatabaseProbeResult::summary() const {
    QStringList lines;
    if (error)
        lines << u"Failed (%1): %2"_s.arg(errorKindName(error->kind), error->message);
    if (connectMs >= 0) {
        lines << u"Connected to %1 in %2 ms; round trip %3 ms."_s.arg(
            database, QString::number(connectMs, 'f', 0), QString::number(roundTripMs, 'f', 2));
    }
    if (!serverVersion.isEmpty()) {
        lines << u"PostgreSQL %1, role %2%3."_s.arg(
            serverVersion, role,
            superuser
                ? u" (superuser)"_s
                : (canCreateSchema ? u" (may create schemas)"_s : u" (may not create schemas)"_s));
    }
    if (!serverVersion.isEmpty() && (!error || error->kind == DbErrorKind::InsufficientPrivilege ||
                                     error->kind == DbErrorKind::SchemaTooNew)) {
        if (schemaVersion == 0)
            lines << u"ResoSync schema: not installed (the first sync or Install schema "
                     "creates it)."_s;
        else
            lines << u"ResoSync schema: version %1 of %2%3."_s.arg(
                QString::number(schemaVersion), QString::number(latestSchemaVersion),
                pendingMigrations > 0 ? u", %1 migration(s) pending"_s.arg(pendingMigrations)
                                      : u", up to date"_s);
    }
    return lines.join(u'\n');
}

DatabaseProbeResult probeDatabase(const QString &conninfo) {
    DatabaseProbeResult result;
    result.target = describeTarget(conninfo);
    result.latestSchemaVersion = SchemaMigrator::latestVersion();
    const QString probed = withConnectTimeout(conninfo);

    QElapsedTimer timer;
    timer.start();
    DbError connectFailure;
    const auto connection = openConnection(probed, &connectFailure);
    if (!connection) {
        result.error = connectFailure;
        return result;
    }
    result.connectMs = msSince(timer);
    result.database = describeConnection(*connection);

    QString databaseName;
    result.error = runGuarded({u"reading the server version and the role"_s, {}}, conninfo, [&] {
        pqxx::nontransaction tx(*connection);
        double best = -1;
        for (int i = 0; i < kRoundTrips; ++i) {
            timer.restart();
            tx.exec("SELECT 1");
            const double ms = msSince(timer);
            best = best < 0 ? ms : std::min(best, ms);
        }
        result.roundTripMs = best;
        const pqxx::row row = tx.exec1(
            "SELECT current_setting('server_version'), "
            "current_setting('server_version_num')::int, current_user, current_database(), "
            "(SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user), "
            "has_database_privilege(current_database(), 'CREATE') "
            "AND has_schema_privilege('public', 'CREATE')");
        result.serverVersion = QString::fromStdString(row[0].as<std::string>());
        result.serverVersionNumber = row[1].as<int>();
        result.role = QString::fromStdString(row[2].as<std::string>());
        databaseName = QString::fromStdString(row[3].as<std::string>());
        result.superuser = row[4].as<bool>(false);
        result.canCreateSchema = row[5].as<bool>(false);
    });
    if (!result.ok())
        return result;

    const SchemaReport schema = SchemaMigrator(probed).status();
    result.schemaVersion = schema.version;
    result.pendingMigrations = int(schema.pending.size());
    if (!schema.ok()) {
        result.error = schema.error;
        return result;
    }
    if (schema.version == 0 && !result.superuser && !result.canCreateSchema)
        result.error = cannotInstallError(result, databaseName);
    return result;
}

DatabaseProbe::DatabaseProbe(QObject *parent)
    : QObject(parent) {}

void DatabaseProbe::start(const QString &conninfo) {
    const quint64 generation = ++m_generation;
    m_running = true;
    QtConcurrent::run(&probePool(), probeDatabase, conninfo)
        .then(this, [this, generation](const DatabaseProbeResult &result) {
            if (generation != m_generation)
                return;
            m_running = false;
            Q_EMIT finished(result);
        });
}

void DatabaseProbe::cancel() {
    ++m_generation;
    m_running = false;
}

} // namespace resosync::db
