#include "db/SchemaMigrator.h"

#include "db/Connection.h"

#include <QDir>
#include <QFile>
#include <QLoggingCategory>
#include <QRegularExpression>

#include <pqxx/result>
#include <pqxx/transaction>

#include <algorithm>

namespace resosync::db {

using namespace Qt::StringLiterals;

namespace {

Q_LOGGING_CATEGORY(lcSchema, "resosync.db.schema", QtInfoMsg)

QList<Migration> loadMigrations() {
    // Compiled in by resources/CMakeLists.txt; a malformed list is a build defect.
    static const QRegularExpression pattern(u"^(\\d{4})_([a-z0-9_]+)\\.sql$"_s);
    const QString dir = u":/sql/migrations"_s;
    QList<Migration> list;
    for (const QString &file : QDir(dir).entryList(QDir::Files, QDir::Name)) {
        const QRegularExpressionMatch match = pattern.match(file);
        if (!match.hasMatch())
            qFatal("ResoSync: migration %s is not named NNNN_name.sql", qPrintable(file));
        Migration migration;
        migration.version = match.captured(1).toInt();
        migration.name = match.captured(2);
        migration.resourcePath = dir + u'/' + file;
        for (const Migration &other : std::as_const(list)) {
            if (other.version == migration.version)
                qFatal("ResoSync: two migrations have version %d", migration.version);
        }
        list.append(std::move(migration));
    }
    if (list.isEmpty())
        qFatal("ResoSync: no schema migrations are compiled into this build");
    std::sort(list.begin(), list.end(),
              [](const Migration &a, const Migration &b) { return a.version < b.version; });
    return list;
}

/// The versions recorded in resosync.schema_migrations, if that table exists.
struct Installed {
    bool bookkeepingExists = false;
    QList<int> versions; // ascending

    int version() const { return versions.isEmpty() ? 0 : versions.last(); }
};

Installed readInstalled(pqxx::transaction_base &tx) {
    Installed installed;
    // to_regclass gives NULL rather than an error when the schema or table is missing.
    installed.bookkeepingExists =
        tx.exec1("SELECT to_regclass('resosync.schema_migrations') IS NOT NULL")[0].as<bool>();
    if (!installed.bookkeepingExists)
        return installed;
    for (const pqxx::row &row :
         tx.exec("SELECT version FROM resosync.schema_migrations ORDER BY version"))
        installed.versions.append(row[0].as<int>());
    return installed;
}

void createBookkeeping(pqxx::transaction_base &tx) {
    tx.exec(
        "CREATE SCHEMA IF NOT EXISTS resosync;"
        "CREATE TABLE IF NOT EXISTS resosync.schema_migrations ("
        "  version    int PRIMARY KEY,"
        "  name       text NOT NULL,"
        "  applied_at timestamptz NOT NULL DEFAULT now());"
        "COMMENT ON TABLE resosync.schema_migrations IS "
        "  'ResoSync schema migrations applied to this database (sql/migrations/NNNN_name.sql)'");
}

QList<Migration> pendingAfter(const QList<int> &installed) {
    QList<Migration> pending;
    const int newest =
        installed.isEmpty() ? 0 : *std::max_element(installed.begin(), installed.end());
    if (newest > SchemaMigrator::latestVersion())
        return pending; // a newer schema: nothing of ours is "pending" there
    for (const Migration &migration : SchemaMigrator::migrations()) {
        if (!installed.contains(migration.version))
            pending.append(migration);
    }
    return pending;
}

DbError tooNewError(int installed, const QString &database) {
    DbError error;
    error.kind = DbErrorKind::SchemaTooNew;
    error.message =
        u"The ResoSync schema in %1 is at version %2, newer than this build of ResoSync knows "
        "(up to version %3); nothing was changed.\nUse a ResoSync release that knows version %2 "
        "or later."_s.arg(database)
            .arg(installed)
            .arg(SchemaMigrator::latestVersion());
    return error;
}

bool isConflict(const DbError &error) {
    // duplicate_table, duplicate_schema, duplicate_object, duplicate_function
    return error.sqlState == "42P07"_L1 || error.sqlState == "42P06"_L1 ||
           error.sqlState == "42710"_L1 || error.sqlState == "42723"_L1;
}

} // namespace

QString Migration::label() const {
    return u"%1_%2"_s.arg(version, 4, 10, QChar(u'0')).arg(name);
}

QString Migration::sql() const {
    QFile file(resourcePath);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("ResoSync: migration resource %s is missing", qPrintable(resourcePath));
    return QString::fromUtf8(file.readAll());
}

SchemaMigrator::SchemaMigrator(QString conninfo)
    : m_conninfo(std::move(conninfo)) {}

const QList<Migration> &SchemaMigrator::migrations() {
    static const QList<Migration> kMigrations = loadMigrations();
    return kMigrations;
}

int SchemaMigrator::latestVersion() {
    return migrations().last().version;
}

SchemaReport SchemaMigrator::apply() const {
    SchemaReport report;
    report.latestVersion = latestVersion();
    DbError connectFailure;
    const auto connection = openConnection(m_conninfo, &connectFailure);
    if (!connection) {
        report.error = connectFailure;
        return report;
    }
    report.database = describeConnection(*connection);
    const QString database = QString::fromUtf8(connection->dbname());
    const QString role = QString::fromUtf8(connection->username());
    const QString privileges =
        u"CREATE on the database (for schema resosync) and CREATE on schema public, which "
        "PostgreSQL 15 no longer grants to every role:\n  GRANT CREATE ON DATABASE \"%1\" TO "
        "\"%2\";\n  GRANT CREATE ON SCHEMA public TO \"%2\";\nor apply the schema as the "
        "database's owner. Once installed, checking it needs USAGE on schema resosync and "
        "SELECT on resosync.schema_migrations."_s.arg(database, role);

    QList<int> installed;
    bool firstLook = true;
    for (const Migration &migration : migrations()) {
        std::optional<DbError> refusal;
        bool appliedNow = false;
        const DbAction action{u"applying migration %1"_s.arg(migration.label()), privileges};
        std::optional<DbError> failure = runGuarded(action, m_conninfo, [&] {
            pqxx::work tx(*connection, "resosync_schema_apply");
            // Held until this transaction ends: a concurrent applier waits here, then sees
            // this migration recorded and skips it.
            tx.exec_params("SELECT pg_advisory_xact_lock($1)", kAdvisoryLockKey);
            const Installed state = readInstalled(tx);
            installed = state.versions;
            if (firstLook) {
                report.versionBefore = state.version();
                firstLook = false;
            }
            if (state.version() > latestVersion()) {
                refusal = tooNewError(state.version(), report.database);
                tx.abort();
                return;
            }
            if (state.versions.contains(migration.version)) {
                tx.abort(); // nothing to do; releases the lock
                return;
            }
            if (!state.bookkeepingExists)
                createBookkeeping(tx);
            // Unqualified names in a migration mean public, whoever runs it: with the default
            // search_path a role named like a schema ("resosync") would create them there.
            tx.exec("SET LOCAL search_path TO public");
            tx.exec(migration.sql().toStdString());
            tx.exec_params("INSERT INTO resosync.schema_migrations (version, name) VALUES ($1, $2)",
                           migration.version, migration.name.toStdString());
            tx.commit();
            appliedNow = true;
        });
        if (failure && isConflict(*failure)) {
            failure->kind = DbErrorKind::SchemaConflict;
            failure->message +=
                u"\nThe database already holds objects that ResoSync's schema creates, but "
                "resosync.schema_migrations does not record them: use an empty database, or "
                "drop or rename the conflicting objects."_s;
        }
        if (!failure && refusal)
            failure = refusal;
        if (failure) {
            report.error = failure;
            break;
        }
        if (appliedNow) {
            installed.append(migration.version);
            report.applied.append(migration);
            qCDebug(lcSchema) << "applied migration" << migration.label() << "to"
                              << report.database;
        }
    }
    std::sort(installed.begin(), installed.end());
    report.version = installed.isEmpty() ? 0 : installed.last();
    report.pending = pendingAfter(installed);
    return report;
}

SchemaReport SchemaMigrator::status() const {
    SchemaReport report;
    report.latestVersion = latestVersion();
    DbError connectFailure;
    const auto connection = openConnection(m_conninfo, &connectFailure);
    if (!connection) {
        report.error = connectFailure;
        return report;
    }
    report.database = describeConnection(*connection);
    const DbAction action{u"reading the installed schema version"_s,
                          u"USAGE on schema resosync and SELECT on "
                          "resosync.schema_migrations:\n  GRANT USAGE ON SCHEMA resosync TO "
                          "\"%1\";\n  GRANT SELECT ON resosync.schema_migrations TO \"%1\";"_s.arg(
                              QString::fromUtf8(connection->username()))};
    Installed state;
    report.error = runGuarded(action, m_conninfo, [&] {
        pqxx::read_transaction tx(*connection, "resosync_schema_status");
        state = readInstalled(tx);
    });
    if (!report.ok())
        return report;
    report.versionBefore = report.version = state.version();
    report.pending = pendingAfter(state.versions);
    if (state.version() > report.latestVersion)
        report.error = tooNewError(state.version(), report.database);
    return report;
}

} // namespace resosync::db
