// `resosync-cli sync` as a user runs it: a simulator process, a sync process, exit statuses,
// the summary block, the JSON report, and memory that does not grow with the feed.
#include "ReplicaCheck.h"
#include "TestDatabase.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace resosync;

namespace {

QString cli() {
    return qEnvironmentVariable("RESOSYNC_CLI");
}

/// A `resosync-cli simulate` process; its first stdout line is the feed's URL.
class SimulatorProcess {
public:
    explicit SimulatorProcess(const QStringList &arguments) {
        m_process.start(cli(), QStringList{u"simulate"_s, u"--port"_s, u"0"_s} + arguments);
        if (m_process.waitForReadyRead(60'000))
            m_url = QString::fromUtf8(m_process.readLine()).trimmed();
    }
    ~SimulatorProcess() {
        m_process.terminate();
        if (!m_process.waitForFinished(10'000))
            m_process.kill();
    }
    QString url() const { return m_url; }

private:
    QProcess m_process;
    QString m_url;
};

struct CliRun {
    int exitCode = -1;
    QString out;
    QString err;
};

CliRun runCli(const QStringList &arguments, int timeoutMs = 300'000) {
    QProcess process;
    process.start(cli(), arguments);
    CliRun run;
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        run.err = u"timed out"_s;
        return run;
    }
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.out = QString::fromUtf8(process.readAllStandardOutput());
    run.err = QString::fromUtf8(process.readAllStandardError());
    return run;
}

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
    void initTestCase() { QVERIFY2(QFile::exists(cli()), "RESOSYNC_CLI must name resosync-cli"); }

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

    void peakMemoryDoesNotGrowWithTheFeed() {
        // Two feed sizes, five times apart: the sync's peak RSS must stay nearly flat. Memory
        // is set by page size x slots (each worker keeps its parser's buffers for the largest
        // page it has seen), so small pages and batches of 50 listings let the smaller run
        // reach the steady state the larger one stays in.
        QList<double> peaks;
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
        }
        qInfo("peak RSS: %.1f MB at 600 listings, %.1f MB at 3000 listings", peaks[0], peaks[1]);
        QVERIFY(peaks[0] > 5);
        QVERIFY2(peaks[1] < peaks[0] * 1.10 + 4,
                 qPrintable(u"peak %1 MB vs %2 MB"_s.arg(peaks[1]).arg(peaks[0])));
    }
};

QTEST_GUILESS_MAIN(TestSyncCli)
#include "tst_sync_cli.moc"
