// Database faults the sync must survive (issue #6): the writer's connection terminated
// mid-batch, the server restarted mid-sync, statement timeouts, a record the database
// refuses. Each run ends with the database equal to the feed. RUN_SERIAL: the restart test
// restarts the shared test cluster.
#include "ReplicaCheck.h"
#include "SimulatorFixture.h"
#include "SyncHarness.h"
#include "TestDatabase.h"
#include "metrics/MetricsRecorder.h"
#include "sim/FeedSimulator.h"

#include <QFileInfo>
#include <QProcess>
#include <QReadLocker>
#include <QTest>

#include <pqxx/pqxx>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

using namespace Qt::StringLiterals;
using namespace resosync;
using reso::Resource;
using sync::RunOutcome;

namespace {

constexpr int kProperties = 120;

sim::SimulatorOptions feedOptions() {
    sim::SimulatorOptions o;
    o.seed = 13;
    o.properties = kProperties;
    o.faults.latencyMs = 3; // so the sync lasts long enough to be hit mid-run
    return o;
}

/// From a thread and a connection of its own, terminates the sync writer's backends
/// (application_name resosync-writer) while they are inside a transaction: mid-batch.
class WriterKiller {
public:
    WriterKiller(const QString &conninfo, int intervalMs, int limit)
        : m_thread([this, conninfo, intervalMs, limit] { loop(conninfo, intervalMs, limit); }) {}
    ~WriterKiller() { stop(); }
    void stop() {
        m_stop = true;
        if (m_thread.joinable())
            m_thread.join();
    }
    int killed() const { return m_killed; }

private:
    void loop(const QString &conninfo, int intervalMs, int limit) {
        pqxx::connection connection(conninfo.toStdString());
        while (!m_stop && m_killed < limit) {
            pqxx::nontransaction tx(connection);
            const pqxx::row row = tx.exec1(
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND application_name = 'resosync-writer' "
                "AND xact_start IS NOT NULL AND pid <> pg_backend_pid()");
            m_killed += row[0].as<int>();
            std::this_thread::sleep_for(std::chrono::milliseconds(intervalMs));
        }
    }

    std::atomic_bool m_stop = false;
    std::atomic_int m_killed = 0;
    std::thread m_thread;
};

QString problems(const test::SyncOutcome &run) {
    return test::describe(run) + u" | log: "_s + run.log.join(u" | "_s);
}

qint64 mediaStored(const sync::SyncEngine &engine) {
    return engine.metrics()->snapshot().progress(Resource::Media).upserted;
}

} // namespace

class TestDbFaults final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void theWritersConnectionKilledMidBatch() {
        test::TestDatabase db(u"dbfaults_terminate"_s);
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        QCOMPARE(test::applySchema(db.conninfo()), QString());
        auto simulator = test::startSimulator(feedOptions());
        std::unique_ptr<WriterKiller> killer;
        const test::SyncOutcome run =
            test::runSync(test::simulatorRequest(*simulator, db.conninfo(), sync::SyncMode::Full),
                          [&](sync::SyncEngine &) {
                              killer = std::make_unique<WriterKiller>(db.conninfo(), 120, 8);
                          });
        QVERIFY(killer);
        killer->stop();
        QVERIFY2(run.outcome == RunOutcome::Succeeded, qPrintable(problems(run)));
        QVERIFY2(killer->killed() > 0, "no writer backend was terminated mid-batch");
        const QString difference = test::compareAllReplicas(*simulator, db.conninfo());
        QVERIFY2(difference.isEmpty(), qPrintable(difference));
        qInfo("writer connection terminated mid-batch: %d backends killed; records lost 0",
              killer->killed());
    }

    void theServerRestartedMidSync() {
        test::TestDatabase db(u"dbfaults_restart"_s);
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        QCOMPARE(test::applySchema(db.conninfo()), QString());
        const QString script = qEnvironmentVariable("RESOSYNC_TEST_PG_CLUSTER");
        const QString clusterDir =
            QFileInfo(qEnvironmentVariable("RESOSYNC_TEST_PG_CONNINFO_FILE")).absolutePath();
        QVERIFY2(QFileInfo::exists(script), "RESOSYNC_TEST_PG_CLUSTER must name the script");
        const QString startedBefore =
            test::queryValue(db.conninfo(), u"SELECT pg_postmaster_start_time()::text"_s);
        auto simulator = test::startSimulator(feedOptions());
        QProcess restart;
        qint64 storedAtRestart = -1;
        const test::SyncOutcome run =
            test::runSync(test::simulatorRequest(*simulator, db.conninfo(), sync::SyncMode::Full),
                          [&](sync::SyncEngine &engine) {
                              QTRY_VERIFY_WITH_TIMEOUT(mediaStored(engine) > 200, 60'000);
                              storedAtRestart = mediaStored(engine);
                              restart.start(u"bash"_s, {script, u"restart"_s, clusterDir});
                          });
        if (restart.state() != QProcess::NotRunning)
            QVERIFY(restart.waitForFinished(120'000));
        QVERIFY2(restart.exitStatus() == QProcess::NormalExit && restart.exitCode() == 0,
                 restart.readAllStandardError().constData());
        QVERIFY2(run.outcome == RunOutcome::Succeeded, qPrintable(problems(run)));
        // It was mid-sync, and the server really restarted.
        QVERIFY(storedAtRestart < test::feedRecords(*simulator, Resource::Media).size());
        QVERIFY(test::queryValue(db.conninfo(), u"SELECT pg_postmaster_start_time()::text"_s) !=
                startedBefore);
        const QString difference = test::compareAllReplicas(*simulator, db.conninfo());
        QVERIFY2(difference.isEmpty(), qPrintable(difference));
        qInfo("server restarted mid-sync after %lld media rows; records lost 0", storedAtRestart);
    }

    void statementTimeoutsAreRetried() {
        test::TestDatabase db(u"dbfaults_timeout"_s);
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        QCOMPARE(test::applySchema(db.conninfo()), QString());
        auto simulator = test::startSimulator(feedOptions());
        // Every statement of the sync's sessions may run 300 ms; a lock held for 1.5 s by
        // another session makes its writes to Media wait past that.
        const QString limited = db.conninfo() + u" options='-c statement_timeout=300'"_s;
        std::thread locker;
        std::atomic_bool locked = false;
        const test::SyncOutcome run =
            test::runSync(test::simulatorRequest(*simulator, limited, sync::SyncMode::Full),
                          [&](sync::SyncEngine &engine) {
                              QTRY_VERIFY_WITH_TIMEOUT(mediaStored(engine) > 100, 60'000);
                              locker = std::thread([&] {
                                  pqxx::connection connection(db.conninfo().toStdString());
                                  pqxx::work tx(connection);
                                  tx.exec("LOCK TABLE public.\"Media\" IN SHARE MODE");
                                  locked = true;
                                  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
                                  tx.commit();
                              });
                          });
        if (locker.joinable())
            locker.join();
        QVERIFY(locked);
        QVERIFY2(run.outcome == RunOutcome::Succeeded, qPrintable(problems(run)));
        const qint64 timedOut = run.report.metrics.db.failed;
        QVERIFY2(timedOut > 0, "no statement timed out: the fault was not injected");
        const QString difference = test::compareAllReplicas(*simulator, db.conninfo());
        QVERIFY2(difference.isEmpty(), qPrintable(difference));
        qInfo("statement timeout (300 ms) behind a 1.5 s lock: %lld statements timed out and "
              "were retried; records lost 0",
              timedOut);
    }

    void aRecordTheDatabaseRefusesIsRejectedAndTheRestStored() {
        test::TestDatabase db(u"dbfaults_constraint"_s);
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        QCOMPARE(test::applySchema(db.conninfo()), QString());
        // A constraint the feed knows nothing of: listings whose key ends in 7 are refused.
        {
            pqxx::connection connection(db.conninfo().toStdString());
            pqxx::nontransaction tx(connection);
            tx.exec("ALTER TABLE public.\"Property\" ADD CONSTRAINT no_sevens "
                    "CHECK (right(\"ListingKey\", 1) <> '7')");
        }
        auto simulator = test::startSimulator(feedOptions());
        const test::SyncOutcome run =
            test::runSync(test::simulatorRequest(*simulator, db.conninfo(), sync::SyncMode::Full));
        QVERIFY2(run.outcome == RunOutcome::Partial, qPrintable(problems(run)));

        // Refused: those listings; absent too: their children, never asked for.
        QSet<QString> refused, absent;
        {
            const sim::FeedData &data = simulator->data();
            QReadLocker lock(&data.lock());
            for (const sim::RecordState &p : data.records(Resource::Property)) {
                const QString key = sim::FeedData::keyFor(Resource::Property, p.ordinal);
                if (!p.alive || !key.endsWith(u'7'))
                    continue;
                refused.insert(key);
                absent.insert(key);
                for (Resource child :
                     {Resource::Media, Resource::PropertyRooms, Resource::OpenHouse}) {
                    for (quint32 c : data.childrenOf(child, p.ordinal))
                        absent.insert(sim::FeedData::keyFor(child, data.records(child)[c].ordinal));
                }
            }
        }
        QVERIFY(refused.size() >= 5);
        QCOMPARE(test::queryValue(db.conninfo(), u"SELECT count(*) FROM resosync.rejects"_s),
                 QString::number(refused.size()));
        const QString reason =
            test::queryValue(db.conninfo(), u"SELECT min(reason) FROM resosync.rejects"_s);
        QVERIFY2(reason.contains(u"no_sevens"_s) && reason.contains(u"23514"_s),
                 qPrintable(reason));
        const QString difference = test::compareAllReplicas(*simulator, db.conninfo(), absent);
        QVERIFY2(difference.isEmpty(), qPrintable(difference));
        qInfo("constraint violation in single records: %d rejected with the server's reason, "
              "the rest stored; records lost 0",
              int(refused.size()));
    }
};

QTEST_GUILESS_MAIN(TestDbFaults)
#include "tst_dbfaults.moc"
