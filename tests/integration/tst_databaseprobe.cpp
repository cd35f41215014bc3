// The database connection test against the throwaway PostgreSQL: what it measures on a
// fresh and on an installed database, and how it classifies an unknown role, a missing
// database, a closed port and a role that could not install the schema.
#include "SimulatorFixture.h"
#include "TestDatabase.h"
#include "db/DatabaseProbe.h"
#include "db/SchemaMigrator.h"

#include <QSignalSpy>
#include <QTest>

#include <pqxx/pqxx>

using namespace Qt::StringLiterals;
using namespace resosync;
using db::DatabaseProbeResult;
using db::DbErrorKind;

namespace {

QString describe(const DatabaseProbeResult &r) {
    return r.summary();
}

void runSql(const QString &conninfo, const QString &sql) {
    pqxx::connection connection(conninfo.toStdString());
    pqxx::nontransaction tx(connection);
    tx.exec(sql.toStdString());
}

} // namespace

class TestDatabaseProbe : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { qRegisterMetaType<DatabaseProbeResult>(); }

    void measuresAFreshDatabase() {
        test::TestDatabase database(u"probe fresh"_s);
        QVERIFY2(database.isValid(), qPrintable(database.error()));
        const DatabaseProbeResult r = db::probeDatabase(database.conninfo());
        QVERIFY2(r.ok(), qPrintable(describe(r)));
        QVERIFY2(r.serverVersionNumber >= 150000, qPrintable(r.serverVersion));
        QVERIFY(r.serverVersion.startsWith(u"15"_s) || r.serverVersionNumber >= 160000);
        QCOMPARE(r.role, u"resosync"_s);
        QVERIFY(r.database.contains(database.name()));
        QVERIFY(r.connectMs >= 0);
        QVERIFY(r.roundTripMs >= 0 && r.roundTripMs < 1000);
        QCOMPARE(r.schemaVersion, 0);
        QCOMPARE(r.latestSchemaVersion, db::SchemaMigrator::latestVersion());
        QVERIFY(r.summary().contains(u"not installed"_s));
    }

    void reportsTheInstalledSchemaInTheBackground() {
        test::TestDatabase database(u"probe installed"_s);
        QVERIFY2(database.isValid(), qPrintable(database.error()));
        const db::SchemaReport applied = db::SchemaMigrator(database.conninfo()).apply();
        QVERIFY2(applied.ok(), qPrintable(applied.error->message));

        db::DatabaseProbe probe;
        QSignalSpy finished(&probe, &db::DatabaseProbe::finished);
        probe.start(database.conninfo());
        QVERIFY(probe.isRunning());
        QVERIFY(finished.wait(20'000));
        QVERIFY(!probe.isRunning());
        const auto r = finished.first().first().value<DatabaseProbeResult>();
        QVERIFY2(r.ok(), qPrintable(describe(r)));
        QCOMPARE(r.schemaVersion, db::SchemaMigrator::latestVersion());
        QCOMPARE(r.pendingMigrations, 0);
        QVERIFY(r.summary().contains(u"up to date"_s));
    }

    void classifiesAnUnknownRole() {
        test::TestDatabase database(u"probe role"_s);
        QVERIFY2(database.isValid(), qPrintable(database.error()));
        // The test cluster trusts local logins, so a wrong password would pass: a role that
        // does not exist is the login failure it really refuses.
        const QString conninfo =
            database.conninfo() + u" user=no_such_role_probe password=hunter2-probe"_s;
        const DatabaseProbeResult r = db::probeDatabase(conninfo);
        QVERIFY(!r.ok());
        QCOMPARE(r.error->kind, DbErrorKind::AuthenticationFailed);
        QVERIFY2(r.error->message.contains(u"role does not exist"_s), qPrintable(r.error->message));
        QVERIFY(!r.summary().contains(u"hunter2-probe"_s));
    }

    void classifiesAMissingDatabase() {
        const QString base = test::TestDatabase::maintenanceConninfo();
        QVERIFY(!base.isEmpty());
        const DatabaseProbeResult r = db::probeDatabase(base + u" dbname=no_such_database_probe"_s);
        QVERIFY(!r.ok());
        QCOMPARE(r.error->kind, DbErrorKind::Unreachable);
        QVERIFY2(r.error->message.contains(u"createdb"_s), qPrintable(r.error->message));
    }

    void classifiesAClosedPort() {
        const quint16 port = test::unusedLocalPort();
        const DatabaseProbeResult r =
            db::probeDatabase(u"host=127.0.0.1 port=%1 dbname=reso user=resosync"_s.arg(port));
        QVERIFY(!r.ok());
        QCOMPARE(r.error->kind, DbErrorKind::Unreachable);
        QVERIFY2(r.error->message.contains(u"port %1"_s.arg(port)), qPrintable(r.error->message));
        QCOMPARE(r.connectMs, -1.0);
    }

    void refusesARoleThatCannotInstallTheSchema() {
        test::TestDatabase database(u"probe privilege"_s);
        QVERIFY2(database.isValid(), qPrintable(database.error()));
        const QString role = u"probe_reader_%1"_s.arg(QCoreApplication::applicationPid());
        const QString maintenance = test::TestDatabase::maintenanceConninfo();
        runSql(maintenance, u"DROP ROLE IF EXISTS \"%1\""_s.arg(role));
        runSql(maintenance, u"CREATE ROLE \"%1\" LOGIN"_s.arg(role));
        const DatabaseProbeResult r =
            db::probeDatabase(database.conninfo() + u" user=%1"_s.arg(role));
        runSql(maintenance, u"DROP ROLE IF EXISTS \"%1\""_s.arg(role));
        QVERIFY(!r.ok());
        QCOMPARE(r.error->kind, DbErrorKind::InsufficientPrivilege);
        QCOMPARE(r.role, role);
        QVERIFY(!r.canCreateSchema);
        QVERIFY2(r.error->message.contains(u"GRANT CREATE ON DATABASE"_s),
                 qPrintable(r.error->message));
        QVERIFY(!r.serverVersion.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestDatabaseProbe)
#include "tst_databaseprobe.moc"
