// Security as an attacker with read access to what a sync leaves behind would test it: the
// secrets of a real run (an OAuth2 client secret, a static token, a database password) must
// appear nowhere — output, report, run history, rejects, settings files, the process's command
// line — and the least privileges docs/SECURITY.md names must be enough to run a sync.
#include "CliProcess.h"
#include "ReplicaCheck.h"
#include "TestDatabase.h"

#include <QCoreApplication>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <pqxx/pqxx>

using namespace Qt::StringLiterals;
using namespace resosync;
using test::CliRun;
using test::runCli;
using test::SimulatorProcess;

namespace {

const QString kClientSecret = u"cs-4b1d8e2f-ClientSecret"_s;
const QString kStaticToken = u"st-9a7c2d4e-StaticToken"_s;
const QString kDbPassword = u"db-5e8a1c07-Password"_s;
const QString kWrongClientSecret = u"cs-0f0f0f0f-WrongSecret"_s;
const QString kWrongDbPassword = u"db-0e0e0e0e-WrongPassword"_s;

/// A sync run while its /proc/<pid>/cmdline is read every few milliseconds.
struct WatchedRun {
    CliRun run;
    QStringList commandLines; ///< every distinct command line seen while it ran
};

WatchedRun runWatched(const QStringList &arguments, const QStringList &environment) {
    QProcess process;
    process.setProcessEnvironment(test::environmentWith(environment));
    process.start(test::cliPath(), arguments);
    WatchedRun watched;
    if (!process.waitForStarted(10'000))
        return watched;
    const QString procFile = u"/proc/%1/cmdline"_s.arg(process.processId());
    QElapsedTimer clock;
    clock.start();
    while (!process.waitForFinished(5) && clock.elapsed() < 300'000) {
        QFile cmdline(procFile);
        if (cmdline.open(QIODevice::ReadOnly)) {
            const QString line = QString::fromUtf8(cmdline.readAll()).replace(QChar(0), u' ');
            if (!line.isEmpty() && !watched.commandLines.contains(line))
                watched.commandLines << line;
        }
    }
    if (process.state() != QProcess::NotRunning) {
        process.kill();
        process.waitForFinished();
    }
    watched.run = test::resultOf(process);
    return watched;
}

/// Everything a table holds, as text.
QString tableText(const QString &conninfo, const QString &table) {
    return test::queryValue(
        conninfo,
        u"SELECT coalesce(string_agg(row_to_json(t)::text, E'\\n'), '') FROM "_s + table + u" t"_s);
}

QString filesUnder(const QString &directory) {
    QString text;
    QDirIterator it(directory, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        QFile file(it.next());
        if (file.open(QIODevice::ReadOnly))
            text += it.filePath() + u'\n' + QString::fromUtf8(file.readAll()) + u'\n';
    }
    return text;
}

/// The first ```sql block after `marker` in docs/SECURITY.md.
QString securityDocSql(const QString &marker) {
    QFile doc(qEnvironmentVariable("RESOSYNC_SOURCE_DIR") + u"/docs/SECURITY.md"_s);
    if (!doc.open(QIODevice::ReadOnly))
        return {};
    const QString text = QString::fromUtf8(doc.readAll());
    const qsizetype at = text.indexOf(marker);
    const qsizetype begin = text.indexOf(u"```sql\n"_s, at);
    const qsizetype end = text.indexOf(u"```"_s, begin + 7);
    if (at < 0 || begin < 0 || end < 0)
        return {};
    return text.mid(begin + 7, end - begin - 7);
}

QString execute(const QString &conninfo, const QString &sql) {
    try {
        pqxx::connection connection(conninfo.toStdString());
        pqxx::nontransaction tx(connection);
        tx.exec(sql.toStdString());
    } catch (const std::exception &e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}

QStringList syncArgs(const QString &url) {
    return {u"sync"_s, u"--api"_s, url, u"--profile"_s, u"simulator"_s, u"--throttle-ms"_s, u"0"_s};
}

} // namespace

class TestSecurity final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        QVERIFY2(QFile::exists(test::cliPath()), "RESOSYNC_CLI must name resosync-cli");
    }

    void secretsAppearNowhere() {
        test::TestDatabase db(u"secrets"_s);
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        const QString role = u"resosync_secret_%1"_s.arg(QCoreApplication::applicationPid());
        QString error;
        const QString conninfo =
            test::TestDatabase::passwordRoleConninfo(role, kDbPassword, db.name(), &error);
        QVERIFY2(!conninfo.isEmpty(), qPrintable(error));
        QCOMPARE(
            execute(db.conninfo(), u"ALTER DATABASE \"%1\" OWNER TO \"%2\""_s.arg(db.name(), role)),
            QString());
        QTemporaryDir home;
        const QStringList environment{
            u"RESOSYNC_DB="_s + conninfo + u" password="_s + kDbPassword,
            u"RESOSYNC_TEST_CLIENT_SECRET="_s + kClientSecret,
            u"RESOSYNC_TEST_TOKEN="_s + kStaticToken,
            u"RESOSYNC_TEST_WRONG_SECRET="_s + kWrongClientSecret,
            u"HOME="_s + home.path(),
            u"XDG_CONFIG_HOME="_s + home.filePath(u"config"_s),
        };
        // A simulator that demands OAuth2 client credentials or the static token, and serves a
        // few malformed records so that rejects (with their payloads) are stored too.
        SimulatorProcess simulator(
            {u"--properties"_s, u"60"_s, u"--client-id"_s, u"sim-client"_s,
             u"--client-secret-env"_s, u"SIM_SECRET"_s, u"--token-env"_s, u"SIM_TOKEN"_s,
             u"--malformed-rate"_s, u"0.03"_s, u"--latency-ms"_s, u"3"_s},
            {u"SIM_SECRET="_s + kClientSecret, u"SIM_TOKEN="_s + kStaticToken});
        QVERIFY(simulator.url().startsWith(u"http://127.0.0.1:"_s));
        QString tokenUrl = simulator.url();
        tokenUrl.replace(u"/odata"_s, u"/oauth2/token"_s);

        QString seen; // everything an observer could read afterwards
        QStringList commandLines;
        const CliRun schema = runCli({u"schema"_s, u"apply"_s}, 120'000, environment);
        QVERIFY2(schema.exitCode == 0, qPrintable(schema.err));
        seen += schema.out + schema.err;

        const QString report = home.filePath(u"report.json"_s);
        const WatchedRun oauth = runWatched(
            syncArgs(simulator.url()) +
                QStringList{u"--mode"_s, u"full"_s, u"--token-url"_s, tokenUrl, u"--client-id"_s,
                            u"sim-client"_s, u"--client-secret-env"_s,
                            u"RESOSYNC_TEST_CLIENT_SECRET"_s, u"--report-json"_s, report},
            environment);
        QVERIFY2(oauth.run.exitCode == 1, qPrintable(oauth.run.err)); // rejects: partial
        seen += oauth.run.out + oauth.run.err;
        commandLines += oauth.commandLines;
        QFile reportFile(report);
        QVERIFY(reportFile.open(QIODevice::ReadOnly));
        seen += QString::fromUtf8(reportFile.readAll());

        const WatchedRun token = runWatched(
            syncArgs(simulator.url()) +
                QStringList{u"--mode"_s, u"full"_s, u"--token-env"_s, u"RESOSYNC_TEST_TOKEN"_s},
            environment);
        QVERIFY2(token.run.exitCode == 1, qPrintable(token.run.err));
        seen += token.run.out + token.run.err;
        commandLines += token.commandLines;

        // Failures are where secrets usually leak: a refused secret, a refused password.
        const CliRun wrongSecret =
            runCli(syncArgs(simulator.url()) +
                       QStringList{u"--mode"_s, u"full"_s, u"--token-url"_s, tokenUrl,
                                   u"--client-id"_s, u"sim-client"_s, u"--client-secret-env"_s,
                                   u"RESOSYNC_TEST_WRONG_SECRET"_s},
                   120'000, environment);
        QCOMPARE(wrongSecret.exitCode, 3);
        seen += wrongSecret.out + wrongSecret.err;
        QStringList wrongPassword = environment;
        wrongPassword[0] = u"RESOSYNC_DB="_s + conninfo + u" password="_s + kWrongDbPassword;
        const CliRun refusedLogin =
            runCli(syncArgs(simulator.url()) + QStringList{u"--mode"_s, u"full"_s}, 120'000,
                   wrongPassword);
        QCOMPARE(refusedLogin.exitCode, 3);
        QVERIFY2(refusedLogin.err.contains(u"password=***"_s), qPrintable(refusedLogin.err));
        seen += refusedLogin.out + refusedLogin.err;

        // What the runs left in the database and on disk.
        QVERIFY(
            test::queryValue(db.conninfo(), u"SELECT count(*) FROM resosync.rejects"_s).toInt() >
            0);
        QVERIFY(test::queryValue(db.conninfo(), u"SELECT count(*) FROM resosync.runs"_s).toInt() >=
                3);
        for (const QString &table : {u"resosync.runs"_s, u"resosync.run_samples"_s,
                                     u"resosync.rejects"_s, u"resosync.sync_cursor"_s})
            seen += tableText(db.conninfo(), table);
        seen += filesUnder(home.path());
        QVERIFY2(seen.contains(u"\"status\":\"succeeded\""_s), "the run history was read");

        QVERIFY2(!commandLines.isEmpty(), "the sync's command line was read while it ran");
        const QString everything = seen + commandLines.join(u'\n');
        for (const QString &secret :
             {kClientSecret, kStaticToken, kDbPassword, kWrongClientSecret, kWrongDbPassword}) {
            const qsizetype at = everything.indexOf(secret);
            QVERIFY2(at < 0, qPrintable(u"secret %1 found: ...%2..."_s.arg(
                                 secret, everything.mid(std::max<qsizetype>(0, at - 200), 400))));
        }
        // No Authorization header value either (the OAuth2 access token is a secret too).
        QVERIFY2(!everything.contains(u"Bearer "_s), "an Authorization header was written out");
    }

    void theLeastPrivilegesOfSecurityMdAreEnough() {
        test::TestDatabase db(u"least_privilege"_s);
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        const QString suffix = QString::number(QCoreApplication::applicationPid());
        const auto forThisTest = [&](QString sql) {
            sql.replace(u"resosync_owner"_s, u"resosync_owner_"_s + suffix);
            sql.replace(u"resosync_sync"_s, u"resosync_sync_"_s + suffix);
            sql.replace(QRegularExpression(u"\\breplica\\b"_s), u"\"%1\""_s.arg(db.name()));
            return sql;
        };
        const QString prepare = forThisTest(securityDocSql(u"<!-- grants:database -->"_s));
        const QString schema = forThisTest(securityDocSql(u"<!-- grants:schema -->"_s));
        const QString sync = forThisTest(securityDocSql(u"<!-- grants:sync -->"_s));
        QVERIFY2(!prepare.isEmpty() && !schema.isEmpty() && !sync.isEmpty(),
                 "docs/SECURITY.md has its grants:database, grants:schema and grants:sync blocks");
        QCOMPARE(execute(db.conninfo(), prepare), QString());
        QCOMPARE(execute(db.conninfo(), schema), QString());
        const QString owner = db.conninfo() + u" user=resosync_owner_"_s + suffix;
        const QString syncer = db.conninfo() + u" user=resosync_sync_"_s + suffix;

        const CliRun apply = runCli({u"schema"_s, u"apply"_s, u"--db"_s, owner});
        QVERIFY2(apply.exitCode == 0, qPrintable(apply.err));
        QCOMPARE(execute(db.conninfo(), sync), QString());

        SimulatorProcess simulator({u"--properties"_s, u"80"_s, u"--seed"_s, u"7"_s});
        const QStringList args = {u"sync"_s, u"--api"_s,     simulator.url(), u"--db"_s,
                                  syncer,    u"--profile"_s, u"simulator"_s,  u"--throttle-ms"_s,
                                  u"0"_s};
        const CliRun full = runCli(args + QStringList{u"--mode"_s, u"full"_s});
        QVERIFY2(full.exitCode == 0, qPrintable(full.err));
        QCOMPARE(simulator.mutate(u"updateProperties=5&insertProperties=3&deleteMedia=9"_s), 200);
        const CliRun incremental = runCli(args);
        QVERIFY2(incremental.exitCode == 0, qPrintable(incremental.err));
        QCOMPARE(simulator.mutate(u"deleteProperties=2"_s), 200);
        const CliRun reconcile = runCli(args + QStringList{u"--mode"_s, u"reconcile"_s});
        QVERIFY2(reconcile.exitCode == 0, qPrintable(reconcile.err));
        QCOMPARE(test::queryValue(db.conninfo(), u"SELECT count(*) FROM public.\"Property\""_s),
                 u"81"_s);

        // And nothing more: the sync role cannot change the schema or read other schemas.
        const QString refused = execute(syncer, u"CREATE TABLE public.intruder (x int)"_s);
        QVERIFY2(refused.contains(u"permission denied"_s), qPrintable(refused));
        const QString dropped = execute(syncer, u"DROP TABLE resosync.runs"_s);
        QVERIFY2(dropped.contains(u"must be owner"_s), qPrintable(dropped));
    }
};

QTEST_GUILESS_MAIN(TestSecurity)
#include "tst_security.moc"
