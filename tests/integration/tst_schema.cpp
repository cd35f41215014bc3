// The database schema, its migrations and `resosync-cli schema`, against a real PostgreSQL.
#include "TestDatabase.h"

#include "db/Conninfo.h"
#include "db/SchemaMigrator.h"
#include "reso/FieldCatalog.h"
#include "reso/Resource.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>
#include <QtConcurrent>

#include <pqxx/pqxx>

#include <memory>

using namespace Qt::StringLiterals;
using resosync::db::DbErrorKind;
using resosync::db::SchemaMigrator;
using resosync::db::SchemaReport;
using resosync::reso::FieldCatalog;
using resosync::reso::Resource;
using resosync::test::TestDatabase;

namespace {

const QString kSecret = u"hunter2secret"_s;

/// Runs one statement in its own read-only transaction and returns its result.
template<typename... Args>
pqxx::result query(const QString &conninfo, const std::string &sql, Args &&...args) {
    pqxx::connection connection(conninfo.toStdString());
    pqxx::read_transaction tx(connection);
    return tx.exec_params(sql, std::forward<Args>(args)...);
}

/// Runs statements that change something, committed.
void execute(const QString &conninfo, const std::string &sql) {
    pqxx::connection connection(conninfo.toStdString());
    pqxx::work tx(connection);
    tx.exec(sql);
    tx.commit();
}

QString text(const pqxx::field &field) {
    return field.is_null() ? QString() : QString::fromStdString(field.as<std::string>());
}

/// What format_type() prints for a type the catalog spells the short way.
QString formatTypeOf(const QString &sqlType) {
    QString type = sqlType;
    type.replace("timestamptz"_L1, "timestamp with time zone"_L1);
    return type;
}

/// The report's error message, or nothing: QVERIFY2 evaluates its message even on success.
QString errorOf(const SchemaReport &report) {
    return report.error ? report.error->message : QString();
}

QStringList appliedLabels(const SchemaReport &report) {
    QStringList labels;
    for (const auto &migration : report.applied)
        labels << migration.label();
    return labels;
}

QStringList pendingLabels(const SchemaReport &report) {
    QStringList labels;
    for (const auto &migration : report.pending)
        labels << migration.label();
    return labels;
}

QStringList allLabels() {
    QStringList labels;
    for (const auto &migration : SchemaMigrator::migrations())
        labels << migration.label();
    return labels;
}

bool relationExists(const QString &conninfo, const QString &qualifiedName) {
    return query(conninfo, "SELECT to_regclass($1) IS NOT NULL", qualifiedName.toStdString())[0][0]
        .as<bool>();
}

int migrationRows(const QString &conninfo) {
    if (!relationExists(conninfo, u"resosync.schema_migrations"_s))
        return 0;
    return query(conninfo, "SELECT count(*) FROM resosync.schema_migrations")[0][0].as<int>();
}

struct CliRun {
    int exitCode = -1;
    bool finished = false;
    QString out;
    QString err;
};

CliRun runCli(const QStringList &arguments, const QStringList &extraEnvironment = {}) {
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    // The tests decide where the CLI connects; a developer's own settings must not leak in.
    for (const char *name : {"RESOSYNC_DB", "PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE",
                             "PGUSER", "PGPASSWORD", "PGSERVICE", "PGCONNECT_TIMEOUT"})
        environment.remove(QString::fromLatin1(name));
    for (const QString &assignment : extraEnvironment) {
        const qsizetype eq = assignment.indexOf(u'=');
        environment.insert(assignment.left(eq), assignment.mid(eq + 1));
    }
    QProcess process;
    process.setProcessEnvironment(environment);
    process.start(qEnvironmentVariable("RESOSYNC_CLI"), arguments);
    CliRun run;
    run.finished = process.waitForFinished(60'000) && process.exitStatus() == QProcess::NormalExit;
    if (!run.finished)
        process.kill();
    run.exitCode = process.exitCode();
    run.out = QString::fromLocal8Bit(process.readAllStandardOutput());
    run.err = QString::fromLocal8Bit(process.readAllStandardError());
    return run;
}

QString describe(const CliRun &run) {
    return u"exit %1\n--- stdout:\n%2--- stderr:\n%3"_s.arg(run.exitCode).arg(run.out, run.err);
}

/// A login role for one test, dropped (with its grants) when the test ends however it ends.
class TestRole final {
public:
    TestRole(const QString &name, const QString &database)
        : m_name(name)
        , m_database(database) {
        drop();
        execute(TestDatabase::maintenanceConninfo(),
                u"CREATE ROLE \"%1\" LOGIN"_s.arg(m_name).toStdString());
    }
    ~TestRole() { drop(); }
    TestRole(const TestRole &) = delete;
    TestRole &operator=(const TestRole &) = delete;

private:
    void drop() {
        try {
            execute(TestDatabase::maintenanceConninfo(),
                    u"DO $$ BEGIN IF EXISTS (SELECT FROM pg_roles WHERE rolname = '%1') THEN "
                    "EXECUTE 'REVOKE ALL ON DATABASE \"%2\" FROM \"%1\"'; "
                    "EXECUTE 'DROP ROLE \"%1\"'; END IF; END $$"_s.arg(m_name, m_database)
                        .toStdString());
        } catch (const std::exception &e) {
            qWarning("Could not drop role %s: %s", qPrintable(m_name), e.what());
        }
    }

    QString m_name;
    QString m_database;
};

} // namespace

class TestSchema final : public QObject {
    Q_OBJECT

private:
    /// One database with the schema applied, for the checks that only read the catalog.
    std::unique_ptr<TestDatabase> m_installed;

private Q_SLOTS:
    void initTestCase() {
        m_installed = std::make_unique<TestDatabase>(u"schema installed"_s);
        QVERIFY2(m_installed->isValid(), qPrintable(m_installed->error()));
        const SchemaReport report = SchemaMigrator(m_installed->conninfo()).apply();
        QVERIFY2(report.ok(), qPrintable(errorOf(report)));
        const QString cli = qEnvironmentVariable("RESOSYNC_CLI");
        QVERIFY2(
            QFileInfo(cli).isExecutable(),
            qPrintable(u"RESOSYNC_CLI ('%1') is not an executable: run with ctest"_s.arg(cli)));
    }

    void cleanupTestCase() { m_installed.reset(); }

    // --- migrations -----------------------------------------------------------------------

    void migrationsAreCompiledInAndNumberedFromOne() {
        // Ascending from 1; a number may be missing while branches that reserved it are
        // merged (the migrator applies each version a database lacks, in order).
        const auto &migrations = SchemaMigrator::migrations();
        QVERIFY(!migrations.isEmpty());
        QCOMPARE(migrations.first().label(), u"0001_initial"_s);
        for (qsizetype i = 0; i < migrations.size(); ++i) {
            if (i > 0)
                QVERIFY(migrations.at(i).version > migrations.at(i - 1).version);
            QVERIFY2(!migrations.at(i).sql().trimmed().isEmpty(),
                     qPrintable(migrations.at(i).label()));
        }
        QCOMPARE(SchemaMigrator::latestVersion(), migrations.last().version);
    }

    void applyInstallsEveryMigrationOnAnEmptyDatabase() {
        TestDatabase db(u"schema apply empty"_s);
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        const SchemaReport report = SchemaMigrator(db.conninfo()).apply();
        QVERIFY2(report.ok(), qPrintable(errorOf(report)));
        QCOMPARE(report.versionBefore, 0);
        QCOMPARE(report.version, SchemaMigrator::latestVersion());
        QCOMPARE(appliedLabels(report), allLabels());
        QVERIFY(report.pending.isEmpty());
        QVERIFY2(report.database.contains(db.name()), qPrintable(report.database));
        const pqxx::result rows =
            query(db.conninfo(),
                  "SELECT version, name, applied_at IS NOT NULL FROM resosync.schema_migrations");
        QCOMPARE(rows.size(), pqxx::result::size_type(SchemaMigrator::migrations().size()));
        QCOMPARE(rows[0][0].as<int>(), 1);
        QCOMPARE(text(rows[0][1]), u"initial"_s);
        QVERIFY(rows[0][2].as<bool>());
    }

    void resoTablesGoToPublicWhateverTheSearchPath() {
        // As for a role named resosync, whose default search_path starts at schema resosync.
        TestDatabase db(u"schema search path"_s);
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        const QString conninfo = db.conninfo() + u" options='-csearch_path=resosync,public'"_s;
        const SchemaReport report = SchemaMigrator(conninfo).apply();
        QVERIFY2(report.ok(), qPrintable(errorOf(report)));
        for (const Resource resource : resosync::reso::kAllResources) {
            const QString table = resosync::reso::resourceName(resource);
            QVERIFY2(relationExists(db.conninfo(), u"public.\"%1\""_s.arg(table)),
                     qPrintable(table));
            QVERIFY2(!relationExists(db.conninfo(), u"resosync.\"%1\""_s.arg(table)),
                     qPrintable(table));
        }
    }

    void applyingAgainAppliesNothing() {
        TestDatabase db(u"schema apply twice"_s);
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        QVERIFY(SchemaMigrator(db.conninfo()).apply().ok());
        const SchemaReport again = SchemaMigrator(db.conninfo()).apply();
        QVERIFY2(again.ok(), qPrintable(errorOf(again)));
        QCOMPARE(again.versionBefore, SchemaMigrator::latestVersion());
        QCOMPARE(again.version, SchemaMigrator::latestVersion());
        QVERIFY(again.applied.isEmpty());
        QVERIFY(again.pending.isEmpty());
        QCOMPARE(migrationRows(db.conninfo()), int(SchemaMigrator::migrations().size()));
    }

    void statusReportsWithoutChangingAnything() {
        TestDatabase db(u"schema status"_s);
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        const SchemaReport before = SchemaMigrator(db.conninfo()).status();
        QVERIFY2(before.ok(), qPrintable(errorOf(before)));
        QCOMPARE(before.version, 0);
        QCOMPARE(before.latestVersion, SchemaMigrator::latestVersion());
        QCOMPARE(pendingLabels(before), allLabels());
        QVERIFY(before.applied.isEmpty());
        QVERIFY2(
            query(db.conninfo(), "SELECT to_regnamespace('resosync') IS NULL")[0][0].as<bool>(),
            "status created the resosync schema");

        QVERIFY(SchemaMigrator(db.conninfo()).apply().ok());
        const SchemaReport after = SchemaMigrator(db.conninfo()).status();
        QVERIFY2(after.ok(), qPrintable(errorOf(after)));
        QCOMPARE(after.version, SchemaMigrator::latestVersion());
        QVERIFY(after.pending.isEmpty());
    }

    void newerSchemaIsRefusedUntouched_data() {
        QTest::addColumn<bool>("installCurrentFirst");
        QTest::newRow("bookkeeping alone, at a future version") << false;
        QTest::newRow("the current schema plus a future migration") << true;
    }
    void newerSchemaIsRefusedUntouched() {
        QFETCH(bool, installCurrentFirst);
        TestDatabase db(u"schema newer"_s);
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        if (installCurrentFirst)
            QVERIFY(SchemaMigrator(db.conninfo()).apply().ok());
        const int future = SchemaMigrator::latestVersion() + 1;
        execute(db.conninfo(),
                u"CREATE SCHEMA IF NOT EXISTS resosync;"
                "CREATE TABLE IF NOT EXISTS resosync.schema_migrations (version int PRIMARY KEY,"
                " name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());"
                "INSERT INTO resosync.schema_migrations (version, name) VALUES (%1, 'future')"_s
                    .arg(future)
                    .toStdString());
        const int rowsBefore = migrationRows(db.conninfo());

        const SchemaReport report = SchemaMigrator(db.conninfo()).apply();
        QVERIFY(!report.ok());
        QCOMPARE(report.error->kind, DbErrorKind::SchemaTooNew);
        QVERIFY2(report.error->message.contains(QString::number(future)),
                 qPrintable(errorOf(report)));
        QVERIFY(report.applied.isEmpty());
        QCOMPARE(report.version, future);
        QCOMPARE(migrationRows(db.conninfo()), rowsBefore);
        QCOMPARE(relationExists(db.conninfo(), u"public.\"Property\""_s), installCurrentFirst);

        const SchemaReport status = SchemaMigrator(db.conninfo()).status();
        QVERIFY(!status.ok());
        QCOMPARE(status.error->kind, DbErrorKind::SchemaTooNew);
        QCOMPARE(status.version, future);

        const CliRun cli = runCli({u"schema"_s, u"apply"_s, u"--db"_s, db.conninfo()});
        QVERIFY2(cli.finished && cli.exitCode == 2, qPrintable(describe(cli)));
        QVERIFY2(cli.err.contains(u"newer"_s), qPrintable(describe(cli)));
    }

    void concurrentAppliersApplyEachMigrationOnce() {
        TestDatabase db(u"schema concurrent"_s);
        QVERIFY2(db.isValid(), qPrintable(db.error()));

        // Hold the migrators' lock so that both threads are surely waiting on it together.
        pqxx::connection holder(db.conninfo().toStdString());
        pqxx::work hold(holder);
        hold.exec_params("SELECT pg_advisory_xact_lock($1)", SchemaMigrator::kAdvisoryLockKey);

        const QString conninfo = db.conninfo();
        QFuture<SchemaReport> first =
            QtConcurrent::run([conninfo] { return SchemaMigrator(conninfo).apply(); });
        QFuture<SchemaReport> second =
            QtConcurrent::run([conninfo] { return SchemaMigrator(conninfo).apply(); });
        const auto waiters = [&conninfo] {
            return query(conninfo,
                         "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                         " AND database = (SELECT oid FROM pg_database"
                         "                 WHERE datname = current_database())")[0][0]
                .as<int>();
        };
        QTRY_COMPARE_WITH_TIMEOUT(waiters(), 2, 30'000);
        hold.commit();

        const SchemaReport a = first.result();
        const SchemaReport b = second.result();
        QVERIFY2(a.ok(), qPrintable(errorOf(a)));
        QVERIFY2(b.ok(), qPrintable(errorOf(b)));
        QCOMPARE(a.version, SchemaMigrator::latestVersion());
        QCOMPARE(b.version, SchemaMigrator::latestVersion());
        QCOMPARE(appliedLabels(a) + appliedLabels(b), allLabels());
        QCOMPARE(migrationRows(db.conninfo()), int(SchemaMigrator::migrations().size()));
    }

    void existingTablesAreAConflictNotAnOverwrite() {
        TestDatabase db(u"schema conflict"_s);
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        execute(db.conninfo(), "CREATE TABLE \"Media\" (id int)");
        const SchemaReport report = SchemaMigrator(db.conninfo()).apply();
        QVERIFY(!report.ok());
        QCOMPARE(report.error->kind, DbErrorKind::SchemaConflict);
        QCOMPARE(report.error->sqlState, u"42P07"_s);
        QVERIFY2(report.error->message.contains(u"\"Media\""_s), qPrintable(errorOf(report)));
        QCOMPARE(report.version, 0);
        QCOMPARE(migrationRows(db.conninfo()), 0);
        QVERIFY(!relationExists(db.conninfo(), u"public.\"Property\""_s));
    }

    void missingPrivilegeIsNamed_data() {
        QTest::addColumn<QString>("grants");
        QTest::addColumn<QString>("refused");
        QTest::newRow("a role without CREATE on the database") << QString() << u"database"_s;
        QTest::newRow("a role without CREATE on schema public (PostgreSQL 15's default)")
            << u"GRANT CREATE ON DATABASE \"%1\" TO \"%2\""_s << u"schema public"_s;
    }
    void missingPrivilegeIsNamed() {
        QFETCH(QString, grants);
        QFETCH(QString, refused);
        TestDatabase db(u"schema privilege"_s);
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        const QString roleName =
            u"schema_unprivileged_%1"_s.arg(QCoreApplication::applicationPid());
        const TestRole role(roleName, db.name());
        if (!grants.isEmpty())
            execute(db.conninfo(), grants.arg(db.name(), roleName).toStdString());
        const QString conninfo = db.conninfo() + u" user="_s + roleName;

        const SchemaReport report = SchemaMigrator(conninfo).apply();
        QVERIFY(!report.ok());
        QCOMPARE(report.error->kind, DbErrorKind::InsufficientPrivilege);
        QCOMPARE(report.error->sqlState, u"42501"_s);
        QVERIFY2(report.error->message.contains(u"permission denied for "_s + refused),
                 qPrintable(errorOf(report)));
        QVERIFY2(report.error->message.contains(u"GRANT CREATE ON SCHEMA public"_s),
                 qPrintable(errorOf(report)));
        QVERIFY2(report.error->message.contains(u"GRANT CREATE ON DATABASE"_s),
                 qPrintable(errorOf(report)));
        QCOMPARE(migrationRows(db.conninfo()), 0);

        const CliRun cli = runCli({u"schema"_s, u"apply"_s, u"--db"_s, conninfo});
        QVERIFY2(cli.finished && cli.exitCode == 3, qPrintable(describe(cli)));
        QVERIFY2(cli.err.contains(u"Permission denied"_s), qPrintable(describe(cli)));
    }

    // --- the RESO tables --------------------------------------------------------------------

    void columnsHaveTheCatalogsTypes_data() {
        QTest::addColumn<QString>("table");
        QTest::addColumn<QString>("column");
        QTest::addColumn<QString>("type");
        QTest::addColumn<bool>("isKey");
        for (const Resource resource : resosync::reso::kAllResources) {
            const QString table = resosync::reso::resourceName(resource);
            for (const auto &column : FieldCatalog::columns(resource)) {
                QTest::addRow("%s.%s is %s", qPrintable(table), qPrintable(column.field.name),
                              qPrintable(column.sqlType))
                    << table << column.field.name << formatTypeOf(column.sqlType) << column.isKey;
            }
        }
    }
    void columnsHaveTheCatalogsTypes() {
        QFETCH(QString, table);
        QFETCH(QString, column);
        QFETCH(QString, type);
        QFETCH(bool, isKey);
        const pqxx::result rows =
            query(m_installed->conninfo(),
                  "SELECT format_type(atttypid, atttypmod), attnotnull FROM pg_attribute"
                  " WHERE attrelid = to_regclass('public.' || quote_ident($1))"
                  "   AND attname = $2 AND attnum > 0 AND NOT attisdropped",
                  table.toStdString(), column.toStdString());
        QVERIFY2(rows.size() == 1, "the column is missing");
        QCOMPARE(text(rows[0][0]), type);
        QCOMPARE(rows[0][1].as<bool>(), isKey); // only the key is NOT NULL
    }

    void tablesHoldTheCatalogAndTheRecord_data() {
        QTest::addColumn<QString>("table");
        QTest::addColumn<QString>("key");
        QTest::addColumn<QStringList>("columns");
        for (const Resource resource : resosync::reso::kAllResources) {
            QStringList columns;
            for (const auto &column : FieldCatalog::columns(resource))
                columns << column.field.name;
            columns << u"record"_s << u"replicated_at"_s;
            const auto &info = resosync::reso::resourceInfo(resource);
            QTest::addRow("%s is keyed by %s", qPrintable(QString(info.name)),
                          qPrintable(QString(info.keyField)))
                << QString(info.name) << QString(info.keyField) << columns;
        }
    }
    void tablesHoldTheCatalogAndTheRecord() {
        QFETCH(QString, table);
        QFETCH(QString, key);
        QFETCH(QStringList, columns);
        const QString conninfo = m_installed->conninfo();
        const std::string relation = u"public.\"%1\""_s.arg(table).toStdString();

        QStringList actual;
        for (const pqxx::row &row :
             query(conninfo,
                   "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass($1)"
                   " AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
                   relation))
            actual << text(row[0]);
        QCOMPARE(actual, columns);

        const pqxx::result primaryKey =
            query(conninfo,
                  "SELECT a.attname FROM pg_index i JOIN pg_attribute a"
                  "  ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)"
                  " WHERE i.indrelid = to_regclass($1) AND i.indisprimary",
                  relation);
        QCOMPARE(primaryKey.size(), pqxx::result::size_type(1));
        QCOMPARE(text(primaryKey[0][0]), key);

        const pqxx::result indexes =
            query(conninfo,
                  "SELECT count(*), count(*) FILTER (WHERE indisprimary) FROM pg_index"
                  " WHERE indrelid = to_regclass($1)",
                  relation);
        QCOMPARE(indexes[0][0].as<int>(), 1); // the recommended ones are the wizard's job
        QCOMPARE(indexes[0][1].as<int>(), 1);

        const pqxx::result extra =
            query(conninfo,
                  "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,"
                  "       pg_get_expr(d.adbin, d.adrelid)"
                  "  FROM pg_attribute a LEFT JOIN pg_attrdef d"
                  "    ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
                  " WHERE a.attrelid = to_regclass($1) AND a.attname IN ('record', 'replicated_at')"
                  " ORDER BY a.attnum",
                  relation);
        QCOMPARE(extra.size(), pqxx::result::size_type(2));
        QCOMPARE(text(extra[0][1]), u"jsonb"_s);
        QVERIFY2(extra[0][2].as<bool>(), "record must be NOT NULL");
        QCOMPARE(text(extra[1][1]), u"timestamp with time zone"_s);
        QVERIFY2(extra[1][2].as<bool>(), "replicated_at must be NOT NULL");
        QCOMPARE(text(extra[1][3]), u"now()"_s);

        const QString comment = text(
            query(conninfo, "SELECT obj_description(to_regclass($1), 'pg_class')", relation)[0][0]);
        QVERIFY2(comment.contains(u"FieldCatalog"_s) && comment.contains(u"Data Dictionary"_s),
                 qPrintable(comment));
    }

    void timestampsKeepMicroseconds() {
        pqxx::connection connection(m_installed->conninfo().toStdString());
        pqxx::work tx(connection); // never committed
        const pqxx::row row =
            tx.exec1("INSERT INTO \"Property\" (\"ListingKey\", \"ModificationTimestamp\", record)"
                     " VALUES ('k1', '2024-01-01T00:00:00.123456Z', '{}')"
                     " RETURNING to_char(\"ModificationTimestamp\" AT TIME ZONE 'UTC', 'US'), "
                     "replicated_at IS NOT NULL");
        QCOMPARE(text(row[0]), u"123456"_s);
        QVERIFY(row[1].as<bool>());
    }

    // --- ResoSync's own tables --------------------------------------------------------------

    void ownStateTablesExist_data() {
        QTest::addColumn<QString>("table");
        QTest::addColumn<QString>("column");
        QTest::addColumn<QString>("type");
        QTest::addColumn<bool>("notNull");
        struct Column {
            const char *table;
            const char *column;
            const char *type;
            bool notNull;
        };
        static constexpr Column kColumns[] = {
            {"schema_migrations", "version", "integer", true},
            {"schema_migrations", "name", "text", true},
            {"schema_migrations", "applied_at", "timestamp with time zone", true},
            {"sync_cursor", "resource", "text", true},
            {"sync_cursor", "cursor_timestamp", "timestamp with time zone", false},
            {"sync_cursor", "cursor_key", "text", false},
            {"sync_cursor", "fence", "timestamp with time zone", false},
            {"sync_cursor", "run_id", "bigint", false},
            {"sync_cursor", "updated_at", "timestamp with time zone", true},
            {"child_sync", "resource", "text", true},
            {"child_sync", "listing_key", "text", true},
            {"child_sync", "property_timestamp", "timestamp with time zone", true},
            {"child_sync", "run_id", "bigint", false},
            {"runs", "run_id", "bigint", true},
            {"runs", "started_at", "timestamp with time zone", true},
            {"runs", "finished_at", "timestamp with time zone", false},
            {"runs", "status", "text", true},
            {"runs", "mode", "text", false},
            {"runs", "resources", "text[]", false},
            {"runs", "feed", "text", false},
            {"runs", "config", "jsonb", false},
            {"runs", "summary", "jsonb", false},
            {"runs", "error", "text", false},
            {"run_samples", "run_id", "bigint", true},
            {"run_samples", "at", "timestamp with time zone", true},
            {"run_samples", "series", "text", true},
            {"run_samples", "value", "double precision", true},
            {"run_events", "run_id", "bigint", true},
            {"run_events", "seq", "integer", true},
            {"run_events", "at", "timestamp with time zone", true},
            {"run_events", "label", "text", true},
            {"rejects", "reject_id", "bigint", true},
            {"rejects", "run_id", "bigint", false},
            {"rejects", "resource", "text", true},
            {"rejects", "record_key", "text", false},
            {"rejects", "reason", "text", true},
            {"rejects", "payload", "text", true},
            {"rejects", "rejected_at", "timestamp with time zone", true},
        };
        for (const Column &c : kColumns) {
            QTest::addRow("resosync.%s.%s is %s%s", c.table, c.column, c.type,
                          c.notNull ? " not null" : "")
                << QString::fromLatin1(c.table) << QString::fromLatin1(c.column)
                << QString::fromLatin1(c.type) << c.notNull;
        }
    }
    void ownStateTablesExist() {
        QFETCH(QString, table);
        QFETCH(QString, column);
        QFETCH(QString, type);
        QFETCH(bool, notNull);
        const pqxx::result rows =
            query(m_installed->conninfo(),
                  "SELECT format_type(atttypid, atttypmod), attnotnull FROM pg_attribute"
                  " WHERE attrelid = to_regclass('resosync.' || $1) AND attname = $2"
                  "   AND attnum > 0 AND NOT attisdropped",
                  table.toStdString(), column.toStdString());
        QVERIFY2(rows.size() == 1, "the column is missing");
        QCOMPARE(text(rows[0][0]), type);
        QCOMPARE(rows[0][1].as<bool>(), notNull);
    }

    void ownStateTablesHaveTheirKeys_data() {
        QTest::addColumn<QString>("table");
        QTest::addColumn<QStringList>("key");
        QTest::newRow("schema_migrations by version")
            << u"schema_migrations"_s << QStringList{u"version"_s};
        QTest::newRow("sync_cursor by resource") << u"sync_cursor"_s << QStringList{u"resource"_s};
        QTest::newRow("child_sync by resource and listing")
            << u"child_sync"_s << QStringList{u"resource"_s, u"listing_key"_s};
        QTest::newRow("runs by run_id") << u"runs"_s << QStringList{u"run_id"_s};
        QTest::newRow("run_samples by run, series and time")
            << u"run_samples"_s << QStringList{u"run_id"_s, u"series"_s, u"at"_s};
        QTest::newRow("run_events by run and position")
            << u"run_events"_s << QStringList{u"run_id"_s, u"seq"_s};
        QTest::newRow("rejects by reject_id") << u"rejects"_s << QStringList{u"reject_id"_s};
    }
    void ownStateTablesHaveTheirKeys() {
        QFETCH(QString, table);
        QFETCH(QStringList, key);
        QStringList actual;
        for (const pqxx::row &row :
             query(m_installed->conninfo(),
                   "SELECT a.attname FROM pg_index i"
                   " CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)"
                   " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum"
                   " WHERE i.indrelid = to_regclass('resosync.' || $1) AND i.indisprimary"
                   " ORDER BY k.n",
                   table.toStdString()))
            actual << text(row[0]);
        QCOMPARE(actual, key);
    }

    void ownStateConstraintsHold_data() {
        QTest::addColumn<QString>("statement");
        QTest::addColumn<QString>("sqlState"); // empty: must succeed
        QTest::newRow("a run starts as running")
            << u"INSERT INTO resosync.runs (mode) VALUES ('full') RETURNING "
               "CASE WHEN status = 'running' THEN 1 ELSE status::int END"_s
            << QString();
        QTest::newRow("an unknown run status is refused")
            << u"INSERT INTO resosync.runs (status) VALUES ('done')"_s << u"23514"_s;
        QTest::newRow("a feed URL with credentials is refused")
            << u"INSERT INTO resosync.runs (feed) VALUES ('https://user:pw@api.example.com/odata')"_s
            << u"23514"_s;
        QTest::newRow("a feed URL without credentials is stored")
            << u"INSERT INTO resosync.runs (feed) VALUES ('https://api.example.com/odata?x=a@b')"_s
            << QString();
        QTest::newRow("a cursor for an unknown resource is refused")
            << u"INSERT INTO resosync.sync_cursor (resource) VALUES ('Member')"_s << u"23514"_s;
        QTest::newRow("a cursor key without its timestamp is refused")
            << u"INSERT INTO resosync.sync_cursor (resource, cursor_key) VALUES ('Property', 'k')"_s
            << u"23514"_s;
        QTest::newRow("a child sync needs the parent's timestamp")
            << u"INSERT INTO resosync.child_sync (resource, listing_key) VALUES ('Media', 'k')"_s
            << u"23502"_s;
        QTest::newRow("samples go with their run")
            << u"WITH r AS (INSERT INTO resosync.runs DEFAULT VALUES RETURNING run_id),"
               " s AS (INSERT INTO resosync.run_samples SELECT run_id, now(), 'api.latency', 1.5 "
               "FROM r)"
               " SELECT 1"_s
            << QString();
        QTest::newRow("samples of an unknown run are refused")
            << u"INSERT INTO resosync.run_samples VALUES (-1, now(), 'x', 1)"_s << u"23503"_s;
        QTest::newRow("events of an unknown run are refused")
            << u"INSERT INTO resosync.run_events VALUES (-1, 0, now(), 'paused')"_s << u"23503"_s;
        QTest::newRow("a reject keeps a payload that is not JSON")
            << u"INSERT INTO resosync.rejects (resource, record_key, reason, payload)"
               " VALUES ('Property', 'k', 'bad timestamp', '{\"ListingKey\": \"k\", trunc')"_s
            << QString();
    }
    void ownStateConstraintsHold() {
        QFETCH(QString, statement);
        QFETCH(QString, sqlState);
        pqxx::connection connection(m_installed->conninfo().toStdString());
        pqxx::work tx(connection); // never committed: the shared database stays as installed
        QString actual;
        try {
            tx.exec(statement.toStdString());
        } catch (const pqxx::sql_error &e) {
            actual = QString::fromStdString(e.sqlstate());
            if (sqlState.isEmpty())
                QFAIL(e.what());
        }
        QCOMPARE(actual, sqlState);
    }

    void deletingARunCascadesToSamplesAndEventsAndKeepsRejects() {
        pqxx::connection connection(m_installed->conninfo().toStdString());
        pqxx::work tx(connection); // never committed
        const auto runId = tx.exec1("INSERT INTO resosync.runs DEFAULT VALUES RETURNING run_id")[0]
                               .as<long long>();
        tx.exec_params("INSERT INTO resosync.run_samples VALUES ($1, now(), 'db.ms', 2)", runId);
        tx.exec_params("INSERT INTO resosync.run_events VALUES ($1, 0, now(), 'paused')", runId);
        const auto rejectId =
            tx.exec_params1("INSERT INTO resosync.rejects (run_id, resource, reason, payload)"
                            " VALUES ($1, 'Media', 'r', 'p') RETURNING reject_id",
                            runId)[0]
                .as<long long>();
        tx.exec_params("DELETE FROM resosync.runs WHERE run_id = $1", runId);
        QCOMPARE(
            tx.exec_params1("SELECT count(*) FROM resosync.run_samples WHERE run_id = $1", runId)[0]
                .as<int>(),
            0);
        QCOMPARE(
            tx.exec_params1("SELECT count(*) FROM resosync.run_events WHERE run_id = $1", runId)[0]
                .as<int>(),
            0);
        QVERIFY(
            tx.exec_params1("SELECT run_id FROM resosync.rejects WHERE reject_id = $1", rejectId)[0]
                .is_null());
    }

    // --- connection strings ---------------------------------------------------------------

    void redactsPasswords_data() {
        QTest::addColumn<QString>("conninfo");
        QTest::addColumn<QString>("redacted");
        QTest::newRow("a key=value password")
            << u"host=db port=5432 user=sync password=hunter2secret dbname=sales"_s
            << u"host=db port=5432 user=sync password=*** dbname=sales"_s;
        QTest::newRow("a quoted password with spaces and escapes")
            << u"host=db password='hunter2 secret\\'s' dbname=sales"_s
            << u"host=db password=*** dbname=sales"_s;
        QTest::newRow("spaces around the equals sign")
            << u"host = db password = hunter2secret"_s << u"host = db password = ***"_s;
        QTest::newRow("an sslpassword")
            << u"sslkey=/k.pem sslpassword=hunter2secret"_s << u"sslkey=/k.pem sslpassword=***"_s;
        QTest::newRow("a misspelt key keeps its value hidden")
            << u"pasword=hunter2secret host=db"_s << u"pasword=*** host=db"_s;
        QTest::newRow("an unterminated quote hides the rest")
            << u"host=db password='hunter2secret"_s << u"host=db password=***"_s;
        QTest::newRow("a key without '=' hides the rest")
            << u"host=db password hunter2secret"_s << u"host=db ***"_s;
        QTest::newRow("a URI with the password in the user info")
            << u"postgresql://sync:hunter2secret@db:5432/sales"_s
            << u"postgresql://sync:***@db:5432/sales"_s;
        QTest::newRow("a URI with the password as a parameter")
            << u"postgresql://db/sales?user=sync&password=hunter2secret&sslmode=require"_s
            << u"postgresql://db/sales?user=sync&password=***&sslmode=require"_s;
        QTest::newRow("a postgres:// URI with several hosts")
            << u"postgres://sync:hunter2secret@h1:5432,h2:5433/sales"_s
            << u"postgres://sync:***@h1:5432,h2:5433/sales"_s;
        QTest::newRow("a URI password holding an unencoded '@'")
            << u"postgresql://sync:hunter2@secret@db/sales"_s
            << u"postgresql://sync:***@db/sales"_s;
        QTest::newRow("a URI password holding an unencoded '/'")
            << u"postgresql://sync:hunter2/secret@db/sales"_s
            << u"postgresql://sync:***@db/sales"_s;
        QTest::newRow("a URI without a password stays as it is")
            << u"postgresql://sync@db/sales?connect_timeout=5"_s
            << u"postgresql://sync@db/sales?connect_timeout=5"_s;
        QTest::newRow("a key=value string without a password stays as it is")
            << u"host=db dbname=sales connect_timeout=5"_s
            << u"host=db dbname=sales connect_timeout=5"_s;
        QTest::newRow("an empty string stays empty") << QString() << QString();
    }
    void redactsPasswords() {
        QFETCH(QString, conninfo);
        QFETCH(QString, redacted);
        const QString actual = resosync::db::redactedConninfo(conninfo);
        QCOMPARE(actual, redacted);
        QVERIFY(!actual.contains(u"hunter2"_s));
        QVERIFY(!resosync::db::describeTarget(conninfo).contains(u"hunter2"_s));
    }

    void describesTheTarget_data() {
        QTest::addColumn<QString>("conninfo");
        QTest::addColumn<QString>("description");
        QTest::newRow("key=value")
            << u"host=db.example.com port=6543 dbname=sales user=sync password=x"_s
            << u"host db.example.com, port 6543, database sales, user sync"_s;
        QTest::newRow("a URI with an IPv6 host")
            << u"postgresql://sync:pw@[::1]:6543/sales"_s
            << u"host ::1, port 6543, database sales, user sync"_s;
        QTest::newRow("URI parameters override the URI's parts")
            << u"postgresql://sync@db/sales?port=7000&dbname=other"_s
            << u"host db, port 7000, database other, user sync"_s;
    }
    void describesTheTarget() {
        QFETCH(QString, conninfo);
        QFETCH(QString, description);
        QCOMPARE(resosync::db::describeTarget(conninfo), description);
    }

    // --- resosync-cli schema, end to end -------------------------------------------------

    void cliAppliesThenReports() {
        TestDatabase db(u"schema cli"_s);
        QVERIFY2(db.isValid(), qPrintable(db.error()));

        const CliRun status0 = runCli({u"schema"_s, u"status"_s, u"--db"_s, db.conninfo()});
        QVERIFY2(status0.finished && status0.exitCode == 0, qPrintable(describe(status0)));
        QVERIFY2(status0.out.contains(u"Schema at version 0"_s) &&
                     status0.out.contains(u"pending: 0001_initial"_s),
                 qPrintable(describe(status0)));

        const CliRun apply = runCli({u"schema"_s, u"apply"_s, u"--db"_s, db.conninfo()});
        QVERIFY2(apply.finished && apply.exitCode == 0, qPrintable(describe(apply)));
        QVERIFY2(apply.out.startsWith(
                     u"Schema at version %1 (applied: %2)"_s.arg(SchemaMigrator::latestVersion())
                         .arg(allLabels().join(", "_L1))),
                 qPrintable(describe(apply)));

        const CliRun again = runCli({u"schema"_s, u"apply"_s, u"--db"_s, db.conninfo()});
        QVERIFY2(again.finished && again.exitCode == 0, qPrintable(describe(again)));
        QVERIFY2(again.out.startsWith(u"Schema already at version %1; nothing to apply"_s.arg(
                     SchemaMigrator::latestVersion())),
                 qPrintable(describe(again)));

        // --db defaults to RESOSYNC_DB.
        const CliRun status =
            runCli({u"schema"_s, u"status"_s}, {u"RESOSYNC_DB="_s + db.conninfo()});
        QVERIFY2(status.finished && status.exitCode == 0, qPrintable(describe(status)));
        QVERIFY2(
            status.out.contains(u"Schema at version %1"_s.arg(SchemaMigrator::latestVersion())) &&
                status.out.contains(u"up to date"_s),
            qPrintable(describe(status)));

        const CliRun json =
            runCli({u"schema"_s, u"status"_s, u"--json"_s, u"--db"_s, db.conninfo()});
        QVERIFY2(json.finished && json.exitCode == 0, qPrintable(describe(json)));
        const QJsonObject object = QJsonDocument::fromJson(json.out.toUtf8()).object();
        QCOMPARE(object.value(u"version"_s).toInt(), SchemaMigrator::latestVersion());
        QCOMPARE(object.value(u"latestVersion"_s).toInt(), SchemaMigrator::latestVersion());
        QCOMPARE(object.value(u"ok"_s).toBool(), true);
        QVERIFY(object.value(u"pending"_s).toArray().isEmpty());
    }

    void cliRefusesBadUsage_data() {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("message");
        QTest::newRow("no action") << QStringList{u"schema"_s} << u"'apply' or 'status'"_s;
        QTest::newRow("an unknown action")
            << QStringList{u"schema"_s, u"upgrade"_s} << u"unknown action 'upgrade'"_s;
        QTest::newRow("two actions")
            << QStringList{u"schema"_s, u"apply"_s, u"status"_s} << u"one action at a time"_s;
        QTest::newRow("an unknown option")
            << QStringList{u"schema"_s, u"apply"_s, u"--frobnicate"_s} << u"frobnicate"_s;
        QTest::newRow("--db without a value")
            << QStringList{u"schema"_s, u"apply"_s, u"--db"_s} << u"db"_s;
        QTest::newRow("a malformed connection string")
            << QStringList{u"schema"_s, u"status"_s, u"--db"_s, u"host=127.0.0.1 nonsense=1"_s}
            << u"invalid connection option"_s;
    }
    void cliRefusesBadUsage() {
        QFETCH(QStringList, arguments);
        QFETCH(QString, message);
        const CliRun run = runCli(arguments);
        QVERIFY2(run.finished && run.exitCode == 2, qPrintable(describe(run)));
        QVERIFY2(run.err.contains(message), qPrintable(describe(run)));
    }

    void cliHelpDescribesTheActions() {
        const CliRun run = runCli({u"schema"_s, u"--help"_s});
        QVERIFY2(run.finished && run.exitCode == 0, qPrintable(describe(run)));
        QVERIFY2(run.out.contains(u"apply|status"_s) && run.out.contains(u"--db"_s) &&
                     run.out.contains(u"RESOSYNC_DB"_s),
                 qPrintable(describe(run)));
        const CliRun top = runCli({u"--help"_s});
        QVERIFY2(top.out.contains(u"schema"_s), qPrintable(describe(top)));
    }

    void cliReportsAnUnusableDatabase_data() {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QStringList>("environment");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QStringList>("mentions");
        const QStringList closedPort{u"127.0.0.1"_s, u"port 1"_s, u"Connection refused"_s,
                                     u"Check"_s};
        QTest::newRow("a key=value string naming a closed port")
            << QStringList{u"schema"_s, u"apply"_s, u"--db"_s,
                           u"host=127.0.0.1 port=1 connect_timeout=2 password="_s + kSecret}
            << QStringList() << 3 << closedPort + QStringList{u"password=***"_s};
        QTest::newRow("a URI with the password in the user info")
            << QStringList{u"schema"_s, u"status"_s, u"--db"_s,
                           u"postgresql://sync:%1@127.0.0.1:1/sales?connect_timeout=2"_s.arg(
                               kSecret)}
            << QStringList() << 3 << closedPort + QStringList{u"sync:***@"_s, u"database sales"_s};
        QTest::newRow("a URI with the password as a parameter")
            << QStringList{u"schema"_s, u"apply"_s, u"--db"_s,
                           u"postgresql://127.0.0.1:1/sales?password=%1&connect_timeout=2"_s.arg(
                               kSecret)}
            << QStringList() << 3 << closedPort;
        QTest::newRow("RESOSYNC_DB naming a closed port")
            << QStringList{u"schema"_s, u"apply"_s}
            << QStringList{u"RESOSYNC_DB=host=127.0.0.1 port=1 password="_s + kSecret} << 3
            << closedPort;
        QTest::newRow("PG* variables naming a closed port, with PGPASSWORD")
            << QStringList{u"schema"_s, u"apply"_s, u"--db"_s, QString()}
            << QStringList{u"PGHOST=127.0.0.1"_s, u"PGPORT=1"_s, u"PGCONNECT_TIMEOUT=2"_s,
                           u"PGPASSWORD="_s + kSecret}
            << 3 << closedPort + QStringList{u"PG* environment"_s};
        QTest::newRow("a URI password libpq would echo in its error")
            << QStringList{u"schema"_s, u"apply"_s, u"--db"_s,
                           u"postgresql://sync:%zz%1@127.0.0.1:1/sales"_s.arg(kSecret)}
            << QStringList() << 2 << QStringList{u"127.0.0.1"_s, u"percent-encoded"_s};
        // The test cluster trusts every role that exists; this one does not.
        QTest::newRow("an unknown role")
            << QStringList{u"schema"_s, u"apply"_s, u"--db"_s,
                           TestDatabase::maintenanceConninfo() + u" user=no_such_role password="_s +
                               kSecret}
            << QStringList() << 3
            << QStringList{u"role \"no_such_role\" does not exist"_s, u"user no_such_role"_s};
    }
    void cliReportsAnUnusableDatabase() {
        QFETCH(QStringList, arguments);
        QFETCH(QStringList, environment);
        QFETCH(int, exitCode);
        QFETCH(QStringList, mentions);
        const CliRun run = runCli(arguments, environment);
        QVERIFY2(run.finished, qPrintable(describe(run)));
        QCOMPARE(run.exitCode, exitCode);
        for (const QString &mention : mentions)
            QVERIFY2(run.err.contains(mention),
                     qPrintable(u"no '%1' in:\n"_s.arg(mention) + describe(run)));
        QVERIFY2(!run.err.contains(kSecret) && !run.out.contains(kSecret),
                 qPrintable(describe(run)));
        QVERIFY2(!run.err.contains(u"terminate called"_s), qPrintable(describe(run)));
    }
};

QTEST_GUILESS_MAIN(TestSchema)
#include "tst_schema.moc"
