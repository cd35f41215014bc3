// `resosync-cli sync` as a user runs it: a simulator process, a sync process, exit statuses,
// the summary block, the JSON report, and memory that does not grow with the feed.
#include "CliProcess.h"
#include "ReplicaCheck.h"
#include "TestDatabase.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace resosync;
using test::CliRun;
using test::runCli;
using test::SimulatorProcess;

namespace {

/// A web server where the feed should be: every request gets a 200 HTML page (a wrong service
/// root, a login page in front of the API).
class HtmlServer final : public QObject {
public:
    HtmlServer() {
        m_server.listen(QHostAddress::LocalHost, 0);
        QObject::connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                QObject::connect(socket, &QTcpSocket::readyRead, socket, [socket] {
                    socket->readAll();
                    const QByteArray body = "<!DOCTYPE html><html><body><h1>Welcome to our "
                                            "website</h1></body></html>";
                    socket->write("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                                  "Content-Length: " +
                                  QByteArray::number(body.size()) + "\r\n\r\n" + body);
                });
                QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
    }
    QString url() const { return u"http://127.0.0.1:%1/odata"_s.arg(m_server.serverPort()); }

private:
    QTcpServer m_server;
};

QJsonObject readJson(const QString &path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

QStringList syncArgs(const QString &url, const QString &conninfo) {
    return {u"sync"_s,      u"--api"_s,     url,         u"--db"_s, conninfo,
            u"--profile"_s, u"simulator"_s, u"--quiet"_s};
}

} // namespace

class TestSyncCli final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        QVERIFY2(QFile::exists(test::cliPath()), "RESOSYNC_CLI must name resosync-cli");
    }

    void aFullSyncPrintsTheSummaryAndWritesTheReport() {
        test::TestDatabase db(u"cli_full"_s);
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        QCOMPARE(runCli({u"schema"_s, u"apply"_s, u"--db"_s, db.conninfo()}).exitCode, 0);
        SimulatorProcess simulator({u"--properties"_s, u"150"_s});
        QVERIFY(simulator.url().startsWith(u"http://127.0.0.1:"_s));
        QTemporaryDir dir;
        const QString report = dir.filePath(u"report.json"_s);

        // A first incremental sync with no cursor is refused: a full load must be asked for.
        const CliRun refused = runCli(syncArgs(simulator.url(), db.conninfo()));
        QCOMPARE(refused.exitCode, 2);
        QVERIFY2(refused.err.contains(u"--mode full"_s), qPrintable(refused.err));

        const CliRun run = runCli(syncArgs(simulator.url(), db.conninfo()) +
                                  QStringList{u"--mode"_s, u"full"_s, u"--report-json"_s, report,
                                              u"--throttle-ms"_s, u"0"_s});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err + run.out));
        QVERIFY(run.out.contains(u"===== PERFORMANCE METRICS SUMMARY ====="_s));
        QVERIFY(run.out.contains(u"API Requests:"_s));
        QVERIFY(run.out.contains(u"Property Validation:"_s));
        const QJsonObject json = readJson(report);
        QCOMPARE(json[u"status"_s].toString(), u"succeeded"_s);
        QVERIFY(json[u"run_id"_s].isDouble());
        QCOMPARE(json[u"config"_s][u"throttle_ms"_s].toInt(), 0);
        for (const QString &path :
             {u"api.requests"_s, u"api.p95_ms"_s, u"db.queries"_s, u"memory.peak_mb"_s,
              u"batches.parallel_efficiency"_s, u"validation.cache_hit_rate"_s}) {
            const QStringList parts = path.split(u'.');
            QVERIFY2(json[parts[0]][parts[1]].isDouble(), qPrintable(path));
        }
        const qint64 media =
            test::queryValue(db.conninfo(), u"SELECT count(*) FROM public.\"Media\""_s)
                .toLongLong();
        QCOMPARE(json[u"resources"_s][u"Media"_s][u"upserted"_s].toInteger(), media);
        QVERIFY(media > 1000);

        // Incremental now works and has nothing to do.
        const CliRun again = runCli(syncArgs(simulator.url(), db.conninfo()) +
                                    QStringList{u"--throttle-ms"_s, u"0"_s});
        QVERIFY2(again.exitCode == 0, qPrintable(again.err));
    }

    void badInputGetsAClearMessageAndStatus_data() {
        QTest::addColumn<QStringList>("extra");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("fragment");
        QTest::newRow("a batch size of zero")
            << QStringList{u"--batch-size"_s, u"0"_s} << 2 << u"--batch-size 0"_s;
        QTest::newRow("a batch size past the profile's $top")
            << QStringList{u"--batch-size"_s, u"99999"_s} << 2 << u"5000"_s;
        QTest::newRow("no concurrency")
            << QStringList{u"--concurrency"_s, u"0"_s} << 2 << u"--concurrency"_s;
        QTest::newRow("an unknown resource")
            << QStringList{u"--resources"_s, u"Propery"_s} << 2 << u"Propery"_s;
        QTest::newRow("an unknown profile")
            << QStringList{u"--profile"_s, u"nope"_s} << 2 << u"nope"_s;
        QTest::newRow("an unknown mode")
            << QStringList{u"--mode"_s, u"sometimes"_s} << 2 << u"sometimes"_s;
        QTest::newRow("an unreadable report path")
            << QStringList{u"--report-json"_s, u"/nonexistent/dir/r.json"_s} << 2
            << u"/nonexistent/dir"_s;
        QTest::newRow("a token variable that is unset")
            << QStringList{u"--token-env"_s, u"RESOSYNC_NO_SUCH_VARIABLE"_s} << 2
            << u"RESOSYNC_NO_SUCH_VARIABLE"_s;
        QTest::newRow("a negative batch size")
            << QStringList{u"--batch-size"_s, u"-5"_s} << 2
            << u"--batch-size -5 is out of range: allowed 1 to 5000"_s;
        QTest::newRow("a batch size that is not a number")
            << QStringList{u"--batch-size"_s, u"lots"_s} << 2 << u"--batch-size 'lots'"_s;
        QTest::newRow("no listings per batch")
            << QStringList{u"--property-batch-size"_s, u"0"_s} << 2
            << u"--property-batch-size 0 is out of range: allowed 1 to 10000"_s;
        QTest::newRow("no rows per statement")
            << QStringList{u"--db-batch-size"_s, u"0"_s} << 2
            << u"--db-batch-size 0 is out of range: allowed 1 to 100000"_s;
        QTest::newRow("concurrency past the profile's maximum")
            << QStringList{u"--concurrency"_s, u"99"_s} << 2
            << u"--concurrency 99 is out of range: allowed 1 to 8"_s;
        QTest::newRow("a feed URL that is not a URL")
            << QStringList{u"--api"_s, u"not a url"_s} << 2
            << u"--api 'not a url' is not an http(s) URL with a host"_s;
        QTest::newRow("a feed URL of another scheme")
            << QStringList{u"--api"_s, u"ftp://feed.example.com/odata"_s} << 2
            << u"--api 'ftp://feed.example.com/odata' is not an http(s) URL"_s;
        QTest::newRow("credentials in the feed URL")
            << QStringList{u"--api"_s, u"https://me:pw@feed.example.com/odata"_s} << 2
            << u"--api must not carry credentials"_s;
        QTest::newRow("a key page of zero")
            << QStringList{u"--mode"_s, u"reconcile"_s, u"--key-page-size"_s, u"0"_s} << 2
            << u"--key-page-size 0 is out of range: allowed 1 to 5000"_s;
        QTest::newRow("a delete share above one")
            << QStringList{u"--mode"_s, u"reconcile"_s, u"--max-delete-share"_s, u"1.5"_s} << 2
            << u"--max-delete-share 1.5 is out of range: allowed 0 to 1"_s;
        QTest::newRow("--confirm outside reconcile")
            << QStringList{u"--mode"_s, u"full"_s, u"--confirm"_s} << 2
            << u"--confirm applies to --mode reconcile only"_s;
        QTest::newRow("a CA file that does not exist")
            << QStringList{u"--ca-file"_s, u"/nonexistent/ca.pem"_s} << 2
            << u"--ca-file '/nonexistent/ca.pem' cannot be read"_s;
        QTest::newRow("a CA file without certificates")
            << QStringList{u"--ca-file"_s,
                           qEnvironmentVariable("RESOSYNC_SOURCE_DIR") + u"/README.md"_s}
            << 2 << u"holds no PEM certificate"_s;
        QTest::newRow("an error-rate alert above 100%")
            << QStringList{u"--alert-error-rate"_s, u"150"_s} << 2
            << u"--alert-error-rate '150' is out of range: expected a number from 0 (off) to 100"_s;
        QTest::newRow("a negative latency alert")
            << QStringList{u"--alert-latency-ms"_s, u"-1"_s} << 2
            << u"--alert-latency-ms '-1' is out of range: expected a number from 0 (off) to "
               "600000"_s;
        QTest::newRow("a memory alert that is not a number")
            << QStringList{u"--alert-memory-mb"_s, u"lots"_s} << 2
            << u"--alert-memory-mb 'lots' is out of range: expected a number from 0 (off) to "
               "1048576"_s;
        QTest::newRow("a rate limit past its range")
            << QStringList{u"--requests-per-hour"_s, u"2000000000"_s} << 2
            << u"--requests-per-hour '2000000000' is out of range: expected a number from 0 (no "
               "limit) to 1000000000"_s;
        QTest::newRow("a report path that is a directory")
            << QStringList{u"--report-json"_s, u"/tmp"_s} << 2
            << u"--report-json '/tmp' cannot be written"_s;
    }
    void badInputGetsAClearMessageAndStatus() {
        QFETCH(QStringList, extra);
        QFETCH(int, exitCode);
        QFETCH(QString, fragment);
        QStringList args = syncArgs(u"http://127.0.0.1:9/odata"_s, u"host=127.0.0.1 port=9"_s);
        args += extra;
        const CliRun run = runCli(args);
        QCOMPARE(run.exitCode, exitCode);
        QVERIFY2(run.err.contains(fragment), qPrintable(run.err));
    }

    void aLowLatencyThresholdRaisesAnAlert() {
        // A feed answering 300 ms late, and pages of 10 so the run lasts a few ticks.
        test::TestDatabase db(u"cli_alerts"_s);
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        QCOMPARE(runCli({u"schema"_s, u"apply"_s, u"--db"_s, db.conninfo()}).exitCode, 0);
        SimulatorProcess simulator({u"--properties"_s, u"60"_s, u"--latency-ms"_s, u"300"_s});
        QTemporaryDir dir;
        const QString report = dir.filePath(u"report.json"_s);
        const QStringList args =
            syncArgs(simulator.url(), db.conninfo()) +
            QStringList{u"--mode"_s,        u"full"_s, u"--resources"_s,   u"Property"_s,
                        u"--batch-size"_s,  u"10"_s,   u"--throttle-ms"_s, u"0"_s,
                        u"--report-json"_s, report};
        const auto alertEvents = [&] {
            const QString runId = QString::number(readJson(report)[u"run_id"_s].toInteger());
            return test::queryValue(db.conninfo(),
                                    u"SELECT string_agg(label, ' | ' ORDER BY seq) FROM "
                                    "resosync.run_events WHERE run_id = %1 AND label LIKE "
                                    "'alert: %'"_s.arg(runId));
        };

        // With the check off, a slow feed raises nothing.
        const CliRun quiet = runCli(args + QStringList{u"--alert-latency-ms"_s, u"0"_s});
        QVERIFY2(quiet.exitCode == 0, qPrintable(quiet.err));
        QVERIFY2(!quiet.err.contains(u"alert:"_s), qPrintable(quiet.err));
        QCOMPARE(alertEvents(), QString());

        // At 100 ms it alerts once (per crossing): a warning on stderr and a saved run event.
        const CliRun run = runCli(args + QStringList{u"--alert-latency-ms"_s, u"100"_s});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QRegularExpression warning(u"warning: alert: p95 API latency (\\d+) ms > 100 ms"_s);
        const QRegularExpressionMatch match = warning.match(run.err);
        QVERIFY2(match.hasMatch(), qPrintable(run.err));
        QVERIFY(match.captured(1).toInt() >= 300);
        QCOMPARE(alertEvents(), match.captured(0).mid(u"warning: "_s.size()));
    }

    void unreachableServicesExitWithThree() {
        test::TestDatabase db(u"cli_unreachable"_s);
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        QCOMPARE(runCli({u"schema"_s, u"apply"_s, u"--db"_s, db.conninfo()}).exitCode, 0);
        // The database: nothing listens on port 9.
        const CliRun noDb =
            runCli(syncArgs(u"http://127.0.0.1:9/odata"_s,
                            u"host=127.0.0.1 port=9 connect_timeout=3 password=hunter2secret"_s) +
                   QStringList{u"--mode"_s, u"full"_s});
        QCOMPARE(noDb.exitCode, 3);
        QVERIFY(!noDb.err.contains(u"hunter2secret"_s) && !noDb.out.contains(u"hunter2secret"_s));
        // The feed: nothing listens there either.
        const CliRun noFeed = runCli(syncArgs(u"http://127.0.0.1:9/odata"_s, db.conninfo()) +
                                     QStringList{u"--mode"_s, u"full"_s});
        QVERIFY2(noFeed.exitCode == 3, qPrintable(noFeed.err));
        QVERIFY2(noFeed.err.contains(u"127.0.0.1"_s), qPrintable(noFeed.err));
    }

    void wrongDatabasePasswordExitsWithThree() {
        test::TestDatabase db(u"cli_wrong_password"_s);
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        QString error;
        const QString conninfo = test::TestDatabase::passwordRoleConninfo(
            u"resosync_pw_cli"_s, u"right-Pw-31f9"_s, db.name(), &error);
        QVERIFY2(!conninfo.isEmpty(), qPrintable(error));
        // The password comes from RESOSYNC_DB, as it should (never on the command line).
        const CliRun run =
            runCli({u"sync"_s, u"--api"_s, u"http://127.0.0.1:9/odata"_s, u"--profile"_s,
                    u"simulator"_s, u"--mode"_s, u"full"_s},
                   60'000, {u"RESOSYNC_DB="_s + conninfo + u" password=wrong-Pw-77c2"_s});
        QCOMPARE(run.exitCode, 3);
        QVERIFY2(run.err.contains(u"password authentication failed"_s), qPrintable(run.err));
        QVERIFY2(run.err.contains(u"Check the user name and password"_s), qPrintable(run.err));
        QVERIFY(!run.err.contains(u"wrong-Pw-77c2"_s) && !run.out.contains(u"wrong-Pw-77c2"_s));
        QVERIFY2(!run.err.contains(u"terminate called"_s) && !run.err.contains(u"what():"_s),
                 qPrintable(run.err));
    }

    void aFeedAnsweringHtmlIsReportedAsSuch() {
        test::TestDatabase db(u"cli_html_feed"_s);
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        QCOMPARE(runCli({u"schema"_s, u"apply"_s, u"--db"_s, db.conninfo()}).exitCode, 0);
        HtmlServer website;
        const CliRun run = test::runCliServing(syncArgs(website.url(), db.conninfo()) +
                                               QStringList{u"--mode"_s, u"full"_s});
        QCOMPARE(run.exitCode, 3);
        QVERIFY2(run.err.contains(u"the feed at %1/Property answered text/html, not OData "
                                  "JSON"_s.arg(website.url())),
                 qPrintable(run.err));
        QVERIFY2(run.err.contains(u"Check the service root URL"_s), qPrintable(run.err));
    }

    void aDatabaseWithoutTheSchemaIsABadSetting() {
        test::TestDatabase db(u"cli_no_schema"_s);
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        const CliRun run = runCli(syncArgs(u"http://127.0.0.1:9/odata"_s, db.conninfo()) +
                                  QStringList{u"--mode"_s, u"full"_s});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(u"resosync-cli schema apply"_s), qPrintable(run.err));
    }

    void reconcileFromTheCommandLine() {
        test::TestDatabase db(u"cli_reconcile"_s);
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        QCOMPARE(runCli({u"schema"_s, u"apply"_s, u"--db"_s, db.conninfo()}).exitCode, 0);
        {
            SimulatorProcess simulator({u"--properties"_s, u"120"_s, u"--seed"_s, u"4"_s});
            const CliRun full =
                runCli(syncArgs(simulator.url(), db.conninfo()) +
                       QStringList{u"--mode"_s, u"full"_s, u"--throttle-ms"_s, u"0"_s});
            QVERIFY2(full.exitCode == 0, qPrintable(full.err));
            QCOMPARE(simulator.mutate(u"deleteProperties=6"_s), 200);

            QTemporaryDir dir;
            const QString report = dir.filePath(u"report.json"_s);
            const CliRun run = runCli(syncArgs(simulator.url(), db.conninfo()) +
                                      QStringList{u"--mode"_s, u"reconcile"_s, u"--key-page-size"_s,
                                                  u"50"_s, u"--report-json"_s, report});
            QVERIFY2(run.exitCode == 0, qPrintable(run.err + run.out));
            QVERIFY2(run.out.contains(u"Reconcile Property: 114 keys in the feed, 120 rows stored, "
                                      "6 deleted"_s),
                     qPrintable(run.out));
            const QJsonObject json = readJson(report);
            QCOMPARE(json[u"config"_s][u"mode"_s].toString(), u"reconcile"_s);
            QCOMPARE(json[u"reconcile"_s][u"Property"_s][u"deleted"_s].toInteger(), 6);
            QCOMPARE(json[u"resources"_s][u"Property"_s][u"deleted"_s].toInteger(), 6);
            QVERIFY(json[u"reconcile"_s][u"Media"_s][u"seconds"_s].isDouble());
            QCOMPARE(test::queryValue(db.conninfo(), u"SELECT count(*) FROM public.\"Property\""_s),
                     u"114"_s);
        }
        // An empty feed must not wipe the database: refused, exit 2, nothing deleted.
        SimulatorProcess empty({u"--properties"_s, u"0"_s});
        const CliRun refused =
            runCli(syncArgs(empty.url(), db.conninfo()) + QStringList{u"--mode"_s, u"reconcile"_s});
        QCOMPARE(refused.exitCode, 2);
        QVERIFY2(refused.err.contains(u"the feed listed no keys while the table holds 114 rows"_s),
                 qPrintable(refused.err));
        QVERIFY2(refused.out.contains(u"REFUSED, nothing deleted"_s), qPrintable(refused.out));
        QCOMPARE(test::queryValue(db.conninfo(), u"SELECT count(*) FROM public.\"Property\""_s),
                 u"114"_s);
        const CliRun confirmed = runCli(syncArgs(empty.url(), db.conninfo()) +
                                        QStringList{u"--mode"_s, u"reconcile"_s, u"--confirm"_s});
        QVERIFY2(confirmed.exitCode == 0, qPrintable(confirmed.err));
        QCOMPARE(test::queryValue(db.conninfo(), u"SELECT count(*) FROM public.\"Media\""_s),
                 u"0"_s);
    }

    void peakMemoryDoesNotGrowWithTheFeed() {
        // Two feed sizes, five times apart: the sync's peak RSS must stay nearly flat. Memory
        // is set by page size x slots (each worker keeps its parser's buffers for the largest
        // page it has seen), so small pages and batches of 50 listings let the smaller run
        // reach the steady state the larger one stays in.
        QList<double> peaks, reconcilePeaks;
        for (const int properties : {600, 3000}) {
            test::TestDatabase db(u"cli_memory_%1"_s.arg(properties));
            QVERIFY2(db.isValid(), qPrintable(db.error()));
            QCOMPARE(runCli({u"schema"_s, u"apply"_s, u"--db"_s, db.conninfo()}).exitCode, 0);
            SimulatorProcess simulator({u"--properties"_s, QString::number(properties)});
            QTemporaryDir dir;
            const QString report = dir.filePath(u"report.json"_s);
            const CliRun run =
                runCli(syncArgs(simulator.url(), db.conninfo()) +
                       QStringList{u"--mode"_s, u"full"_s, u"--throttle-ms"_s, u"0"_s,
                                   u"--property-batch-size"_s, u"50"_s, u"--batch-size"_s, u"200"_s,
                                   u"--report-json"_s, report});
            QVERIFY2(run.exitCode == 0, qPrintable(run.err));
            peaks << readJson(report)[u"memory"_s][u"peak_mb"_s].toDouble();
            // A reconcile streams the keys into the database page by page: its memory does
            // not grow with the number of keys either (about 15,000 vs 75,000 media keys).
            const CliRun sweep =
                runCli(syncArgs(simulator.url(), db.conninfo()) +
                       QStringList{u"--mode"_s, u"reconcile"_s, u"--key-page-size"_s, u"500"_s,
                                   u"--report-json"_s, report});
            QVERIFY2(sweep.exitCode == 0, qPrintable(sweep.err));
            const QJsonObject swept = readJson(report);
            QVERIFY(swept[u"reconcile"_s][u"Media"_s][u"keys_seen"_s].toInteger() >
                    properties * 15);
            reconcilePeaks << swept[u"memory"_s][u"peak_mb"_s].toDouble();
        }
        qInfo("peak RSS: %.1f MB at 600 listings, %.1f MB at 3000 listings", peaks[0], peaks[1]);
        qInfo("reconcile peak RSS: %.1f MB at 600 listings, %.1f MB at 3000 listings",
              reconcilePeaks[0], reconcilePeaks[1]);
        QVERIFY2(
            reconcilePeaks[1] < reconcilePeaks[0] * 1.10 + 4,
            qPrintable(
                u"reconcile peak %1 MB vs %2 MB"_s.arg(reconcilePeaks[1]).arg(reconcilePeaks[0])));
        QVERIFY(peaks[0] > 5);
        QVERIFY2(peaks[1] < peaks[0] * 1.10 + 4,
                 qPrintable(u"peak %1 MB vs %2 MB"_s.arg(peaks[1]).arg(peaks[0])));
    }

    void aSmallBenchMeasuresTheSameRowsEverywhere() {
        // The bench creates (and drops) its own scratch database on the server it is given.
        QString error;
        const QString server = test::TestDatabase::maintenanceConninfo(&error);
        QVERIFY2(!server.isEmpty(), qPrintable(error));
        const QStringList args{u"bench"_s,
                               u"--db"_s,
                               server,
                               u"--properties"_s,
                               u"200"_s,
                               u"--large"_s,
                               u"0"_s,
                               u"--concurrency"_s,
                               u"1,3"_s,
                               u"--no-seed"_s,
                               u"--no-latency"_s,
                               u"--rendered-mb"_s,
                               u"16"_s};
        const CliRun run = runCli(args + QStringList{u"--json"_s});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QJsonObject json = QJsonDocument::fromJson(run.out.toUtf8()).object();
        QVERIFY2(json[u"errors"_s].toArray().isEmpty(), qPrintable(run.out));

        // Every floor and every run handled exactly the feed's Media rows.
        const QJsonObject floor = json[u"database_floor"_s].toObject();
        const qint64 rows = floor[u"rows"_s].toInteger();
        QVERIFY(rows > 200 * 10);
        QCOMPARE(json[u"logged_floor"_s][u"rows"_s].toInteger(), rows);
        QCOMPARE(json[u"feed_floor"_s][u"records"_s].toInteger(), rows);
        const QJsonArray runs = json[u"media_runs"_s].toArray();
        QCOMPARE(runs.size(), 3); // concurrency 1 and 3, and the adaptive tuner
        // Each unthrottled run, like each floor, is the fastest of three attempts.
        for (const QJsonValue &media : runs) {
            QCOMPARE(media[u"records"_s].toInteger(), rows);
            QCOMPARE(media[u"attempts"_s].toInt(), 3);
            QVERIFY(media[u"seconds"_s].toDouble() <= media[u"slowest_seconds"_s].toDouble());
        }
        for (const QString &name : {u"database_floor"_s, u"logged_floor"_s}) {
            const QJsonObject measured = json[name].toObject();
            QCOMPARE(measured[u"attempts"_s].toInt(), 3);
            QVERIFY(measured[u"seconds"_s].toDouble() > 0);
            QVERIFY(measured[u"seconds"_s].toDouble() <= measured[u"slowest_seconds"_s].toDouble());
        }
        QVERIFY(json[u"best"_s].toString().startsWith(u"concurrency "_s));
        const double share = json[u"targets"_s][u"media_share_of_db_floor"_s].toDouble();
        QVERIFY(share > 0);
        const QJsonArray memory = json[u"memory_runs"_s].toArray();
        QCOMPARE(memory.size(), 1); // --large 0 skips the second size
        QVERIFY(memory[0][u"peak_mb"_s].toDouble() > 5);
        // The median of three peaks, within the range it prints.
        QCOMPARE(memory[0][u"attempts"_s].toInt(), 3);
        QVERIFY(memory[0][u"lowest_peak_mb"_s].toDouble() <= memory[0][u"peak_mb"_s].toDouble());
        QVERIFY(memory[0][u"peak_mb"_s].toDouble() <= memory[0][u"highest_peak_mb"_s].toDouble());
        QVERIFY(memory[0][u"records"_s].toInteger() > rows);

        // The tables a person reads.
        const CliRun text = runCli(args);
        QVERIFY2(text.exitCode == 0, qPrintable(text.err));
        for (const QString &shown :
             {u"database floor (plain COPY, unlogged)"_s, u"durable floor (plain COPY, logged)"_s,
              u"feed floor (fetch + parse, no database)"_s, u"fastest of 3"_s, u"concurrency 3"_s,
              u"the range of peaks"_s, u"===== PERFORMANCE METRICS SUMMARY ====="_s})
            QVERIFY2(text.out.contains(shown),
                     qPrintable(shown + u" missing from:\n"_s + text.out));
    }
};

QTEST_GUILESS_MAIN(TestSyncCli)
#include "tst_sync_cli.moc"
