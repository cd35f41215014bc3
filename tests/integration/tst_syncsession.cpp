// SyncSession: the engine on a thread of its own, driven from this (the owner's) thread,
// against the simulator over HTTP and a real PostgreSQL.
#include "ReplicaCheck.h"
#include "SimulatorFixture.h"
#include "TestDatabase.h"
#include "db/SchemaMigrator.h"
#include "metrics/MetricsRecorder.h"
#include "sync/SyncSession.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace resosync;
using reso::Resource;

namespace {

constexpr int kTimeoutMs = 120'000;

struct Fixture {
    explicit Fixture(int latencyMs = 0)
        : database(u"sync session"_s) {
        sim::SimulatorOptions options;
        options.seed = 5;
        options.properties = 200;
        options.faults.latencyMs = latencyMs;
        simulator = test::startSimulator(options);
        if (database.isValid()) {
            const db::SchemaReport schema = db::SchemaMigrator(database.conninfo()).apply();
            error = schema.ok() ? QString() : schema.error->message;
        }
    }
    bool ready() const { return database.isValid() && error.isEmpty(); }

    sync::SyncRequest request(sync::SyncMode mode) const {
        sync::SyncRequest r;
        r.feedUrl = simulator->baseUrl();
        r.conninfo = database.conninfo();
        r.profile = *reso::FeedProfile::byName(u"simulator"_s);
        r.resources = QList<Resource>(reso::kAllResources.begin(), reso::kAllResources.end());
        r.mode = mode;
        r.settings = {25, 40, 7, 0, 3};
        return r;
    }
    QString lastRunStatus() const {
        return test::queryValue(database.conninfo(),
                                u"SELECT status FROM resosync.runs ORDER BY run_id DESC LIMIT 1"_s);
    }

    test::TestDatabase database;
    std::unique_ptr<sim::FeedSimulator> simulator;
    QString error;
};

} // namespace

class TestSyncSession final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void aRunReportsOnTheOwnersThreadAndStoresTheFeed() {
        Fixture fixture;
        QVERIFY2(fixture.ready(), qPrintable(fixture.error + fixture.database.error()));
        sync::SyncSession session;
        QSignalSpy started(&session, &sync::SyncSession::started);
        QSignalSpy finished(&session, &sync::SyncSession::finished);
        bool allOnThisThread = true;
        int deliveries = 0;
        auto onThisThread = [&] {
            ++deliveries;
            allOnThisThread = allOnThisThread && QThread::currentThread() == thread();
        };
        connect(&session, &sync::SyncSession::logged, this, onThisThread);
        connect(&session, &sync::SyncSession::phaseChanged, this, onThisThread);
        connect(&session, &sync::SyncSession::resourceProgress, this, onThisThread);
        connect(&session, &sync::SyncSession::finished, this, onThisThread);

        QVERIFY(session.start(fixture.request(sync::SyncMode::Full)));
        QVERIFY(session.isRunning());
        QVERIFY(!session.start(fixture.request(sync::SyncMode::Full))); // one run at a time
        QVERIFY(finished.wait(kTimeoutMs));
        QVERIFY(!session.isRunning());
        QCOMPARE(started.size(), 1);
        QCOMPARE(finished.first().at(1).value<sync::RunOutcome>(), sync::RunOutcome::Succeeded);
        QVERIFY(allOnThisThread);
        QVERIFY(deliveries > 10);
        const QString difference =
            test::compareAllReplicas(*fixture.simulator, fixture.database.conninfo());
        QVERIFY2(difference.isEmpty(), qPrintable(difference));

        // The recorder handed out at started() is the run's, and stays readable after it.
        const auto *first = started.first().at(0).value<const metrics::MetricsRecorder *>();
        QCOMPARE(session.metrics(), first);
        const auto report = finished.first().at(0).value<metrics::RunReport>();
        QCOMPARE(first->snapshot().progress(Resource::Media).upserted,
                 report.metrics.progress(Resource::Media).upserted);

        // It stays valid until the next run's started(), which hands out a new one.
        QVERIFY(session.start(fixture.request(sync::SyncMode::Incremental)));
        QCOMPARE(first->snapshot().progress(Resource::Media).upserted,
                 report.metrics.progress(Resource::Media).upserted);
        QVERIFY(started.wait(kTimeoutMs));
        QVERIFY(session.metrics() != first);
        QVERIFY(finished.wait(kTimeoutMs));
        QCOMPARE(finished.last().at(1).value<sync::RunOutcome>(), sync::RunOutcome::Succeeded);
    }

    void aCancelRightAfterStartReachesTheEngine() {
        Fixture fixture;
        QVERIFY2(fixture.ready(), qPrintable(fixture.error + fixture.database.error()));
        sync::SyncSession session;
        QSignalSpy finished(&session, &sync::SyncSession::finished);
        QVERIFY(session.start(fixture.request(sync::SyncMode::Full)));
        session.cancel(); // queued behind the engine's creation, not lost before it
        QVERIFY(session.isCancelling());
        QVERIFY(finished.wait(kTimeoutMs));
        QCOMPARE(finished.first().at(1).value<sync::RunOutcome>(), sync::RunOutcome::Cancelled);
        QVERIFY(fixture.simulator->stats().requests <= 1);
    }

    void pauseAndSettingsReachTheRunningEngine() {
        Fixture fixture(20);
        QVERIFY2(fixture.ready(), qPrintable(fixture.error + fixture.database.error()));
        sync::SyncSession session;
        QSignalSpy finished(&session, &sync::SyncSession::finished);
        QSignalSpy paused(&session, &sync::SyncSession::pausedChanged);
        QVERIFY(session.start(fixture.request(sync::SyncMode::Full)));
        QTRY_VERIFY_WITH_TIMEOUT(
            session.metrics() &&
                session.metrics()->snapshot().progress(Resource::Media).fetched > 100,
            kTimeoutMs);
        session.pause();
        QVERIFY(session.isPaused());
        QCOMPARE(paused.size(), 1);
        sync::SyncSettings smaller = fixture.request(sync::SyncMode::Full).settings;
        smaller.batchSize = 12;
        session.updateSettings(smaller);
        QCOMPARE(session.request().settings.batchSize, 12);
        session.resume();
        QCOMPARE(paused.size(), 2);
        QVERIFY(finished.wait(kTimeoutMs));
        QCOMPARE(finished.first().at(1).value<sync::RunOutcome>(), sync::RunOutcome::Succeeded);
        QVERIFY(fixture.simulator->stats().pagesByTop.value(12) > 0);
        QStringList events;
        for (const metrics::RunEvent &event : session.metrics()->events())
            events << event.label;
        QVERIFY2(events.contains(u"paused"_s) && events.contains(u"resumed"_s) &&
                     events.contains(u"batch size 25 -> 12"_s),
                 qPrintable(events.join(u" | "_s)));
    }

    void destroyingTheSessionMidRunCancelsAndSavesTheRun() {
        Fixture fixture(40);
        QVERIFY2(fixture.ready(), qPrintable(fixture.error + fixture.database.error()));
        auto session = std::make_unique<sync::SyncSession>();
        QVERIFY(session->start(fixture.request(sync::SyncMode::Full)));
        QTRY_VERIFY_WITH_TIMEOUT(
            session->metrics() &&
                session->metrics()->snapshot().progress(Resource::Media).fetched > 100,
            kTimeoutMs);
        QElapsedTimer timer;
        timer.start();
        session.reset();
        QVERIFY2(timer.elapsed() < 10'000, qPrintable(QString::number(timer.elapsed())));
        QCOMPARE(fixture.lastRunStatus(), u"cancelled"_s);
        // Nothing runs on: the feed sees no more requests.
        const qint64 requests = fixture.simulator->stats().requests;
        QTest::qWait(300);
        QCOMPARE(fixture.simulator->stats().requests, requests);
    }
};

QTEST_GUILESS_MAIN(TestSyncSession)
#include "tst_syncsession.moc"
