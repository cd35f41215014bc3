// The streaming sync end to end: the real simulator over HTTP, a real PostgreSQL, the engine
// as the console and the CLI run it. Every test ends by comparing the database with the feed.
#include "HttpFetch.h"
#include "ReplicaCheck.h"
#include "SimulatorFixture.h"
#include "SyncHarness.h"
#include "TestDatabase.h"
#include "db/BatchWriter.h"
#include "metrics/MetricsRecorder.h"
#include "reso/QueryUrl.h"
#include "sim/FeedSimulator.h"
#include "sync/PageParser.h"
#include "sync/SyncEngine.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QProcess>
#include <QReadLocker>
#include <QTemporaryDir>
#include <QTest>

#include <functional>
#include <memory>

using namespace Qt::StringLiterals;
using namespace resosync;
using reso::Resource;
using test::startSimulator;

namespace {

constexpr int kProperties = 300;

using Outcome = test::SyncOutcome;
using test::applySchema;
using test::compareAllReplicas;
using test::runSync;

sim::SimulatorOptions simOptions(int properties = kProperties) {
    return test::simulatorOptions(properties);
}

sync::SyncRequest requestFor(const sim::FeedSimulator &simulator, const QString &conninfo,
                             sync::SyncMode mode) {
    // Small sizes so paging, key splitting and chunking all happen many times.
    return test::simulatorRequest(simulator, conninfo, mode, {25, 40, 7, 0, 3});
}

qint64 count(const QString &conninfo, const QString &table) {
    return test::queryValue(conninfo, u"SELECT count(*) FROM "_s + table).toLongLong();
}

QString problems(const Outcome &o) {
    return test::describe(o);
}

} // namespace

class TestSync final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void fullSyncStoresTheFeedExactly_data() {
        QTest::addColumn<int>("nextLinks");
        QTest::addColumn<bool>("vendorHasIn");
        QTest::addColumn<int>("urlCap");
        QTest::newRow("skip nextLinks and in filters")
            << int(sim::NextLinkStyle::Skip) << true << 0;
        QTest::newRow("opaque nextLinks and in filters")
            << int(sim::NextLinkStyle::Token) << true << 0;
        QTest::newRow("or chains for a vendor without in")
            << int(sim::NextLinkStyle::Skip) << false << 0;
        QTest::newRow("a small URL cap splits key batches")
            << int(sim::NextLinkStyle::Token) << true << 600;
    }
    void fullSyncStoresTheFeedExactly() {
        QFETCH(int, nextLinks);
        QFETCH(bool, vendorHasIn);
        QFETCH(int, urlCap);
        test::TestDatabase db(u"full_sync"_s);
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        QCOMPARE(applySchema(db.conninfo()), QString());
        sim::SimulatorOptions o = simOptions();
        o.nextLinkStyle = sim::NextLinkStyle(nextLinks);
        o.faults.inOperatorUnsupported = !vendorHasIn;
        o.faults.maxUrlLength = urlCap;
        auto simulator = startSimulator(o);

        sync::SyncRequest request = requestFor(*simulator, db.conninfo(), sync::SyncMode::Full);
        request.profile.supportsIn = vendorHasIn;
        if (urlCap > 0)
            request.profile.maxUrlLength = urlCap;
        const Outcome run = runSync(request);
        QVERIFY2(run.outcome == sync::RunOutcome::Succeeded, qPrintable(problems(run)));
        const QString difference = test::compareAllReplicas(*simulator, db.conninfo());
        QVERIFY2(difference.isEmpty(), qPrintable(difference));

        // The report agrees with the database and with the simulator's own counts.
        const QJsonObject report = run.report.toJson();
        for (Resource r : reso::kAllResources) {
            const QString name = reso::resourceName(r);
            const QJsonObject numbers = report[u"resources"_s][name].toObject();
            const qint64 stored = count(db.conninfo(), u"public.\"%1\""_s.arg(name));
            QCOMPARE(numbers[u"upserted"_s].toInteger(), stored);
            QCOMPARE(numbers[u"fetched"_s].toInteger(), stored);
            QCOMPARE(numbers[u"rejected"_s].toInteger(), 0);
        }
        const sim::SimulatorStats served = simulator->stats();
        QCOMPARE(report[u"api"_s][u"requests"_s].toInteger(), served.requests);
        QCOMPARE(report[u"api"_s][u"succeeded"_s].toInteger(), served.byStatus.value(200));
        QVERIFY(report[u"batches"_s][u"count"_s].toInteger() > 0);
        QCOMPARE(report[u"status"_s].toString(), u"succeeded"_s);
        QCOMPARE(test::queryValue(db.conninfo(), u"SELECT status FROM resosync.runs"_s),
                 u"succeeded"_s);
        QVERIFY(count(db.conninfo(), u"resosync.run_samples"_s) > 0);
        // The cursor is the feed's last (timestamp, key).
        const QString cursorKey = test::queryValue(
            db.conninfo(),
            u"SELECT cursor_key FROM resosync.sync_cursor WHERE resource = 'Property'"_s);
        QCOMPARE(cursorKey,
                 test::queryValue(db.conninfo(),
                                  u"SELECT \"ListingKey\" FROM public.\"Property\" ORDER BY "
                                  "\"ModificationTimestamp\" DESC, \"ListingKey\" DESC LIMIT 1"_s));
    }

    void incrementalSyncFetchesOnlyWhatChanged() {
        test::TestDatabase db(u"incremental"_s);
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        QCOMPARE(applySchema(db.conninfo()), QString());
        auto simulator = startSimulator(simOptions());
        const Outcome first = runSync(requestFor(*simulator, db.conninfo(), sync::SyncMode::Full));
        QVERIFY2(first.outcome == sync::RunOutcome::Succeeded, qPrintable(problems(first)));
        const qint64 firstRequests = simulator->stats().requests;
        // Into empty tables nothing can have vanished: the first load runs no child deletes
        // (each would scan the table without the wizard's indexes); later runs must.
        const auto deletes = [](const Outcome &run) {
            return run.report.metrics.db.byKind[std::size_t(metrics::DbStatement::Delete)].count;
        };
        QCOMPARE(deletes(first), 0);
        QVERIFY(first.logContains(u"Media is empty: a first load"_s));

        // Nothing changed: one empty Property page, no child requests.
        simulator->resetStats();
        const Outcome idle =
            runSync(requestFor(*simulator, db.conninfo(), sync::SyncMode::Incremental));
        QVERIFY2(idle.outcome == sync::RunOutcome::Succeeded, qPrintable(problems(idle)));
        QCOMPARE(simulator->stats().requests, 1);

        const qint64 before = simulator->data().newestTimestamp().usecs();
        simulator->mutate({5, 15, 8, 0, 25, 12});
        simulator->resetStats();
        const Outcome second =
            runSync(requestFor(*simulator, db.conninfo(), sync::SyncMode::Incremental));
        QVERIFY2(second.outcome == sync::RunOutcome::Succeeded, qPrintable(problems(second)));
        const QString difference = test::compareAllReplicas(*simulator, db.conninfo());
        QVERIFY2(difference.isEmpty(), qPrintable(difference));

        // Only the changed listings and their children were fetched.
        qint64 changed = 0, changedMedia = 0;
        {
            const sim::FeedData &data = simulator->data();
            QReadLocker locker(&data.lock());
            for (const sim::RecordState &p : data.records(Resource::Property)) {
                if (!p.alive || p.modifiedUsecs <= before)
                    continue;
                ++changed;
                for (quint32 m : data.childrenOf(Resource::Media, p.ordinal))
                    changedMedia += data.records(Resource::Media)[m].alive;
            }
        }
        const sim::SimulatorStats served = simulator->stats();
        QCOMPARE(served.recordsByResource.value(u"Property"_s), changed);
        QCOMPARE(served.recordsByResource.value(u"Media"_s), changedMedia);
        QVERIFY2(served.requests * 4 < firstRequests,
                 qPrintable(u"%1 requests now, %2 for the full load"_s.arg(served.requests)
                                .arg(firstRequests)));
        QVERIFY(second.report.metrics.progress(Resource::Media).deleted >= 12);
        QVERIFY(deletes(second) > 0);
        QVERIFY(!second.logContains(u"a first load"_s));
    }

    void replayingOldPagesNeverRegressesNewerRows() {
        test::TestDatabase db(u"replay"_s);
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        QCOMPARE(applySchema(db.conninfo()), QString());
        auto simulator = startSimulator(simOptions());
        QNetworkAccessManager network;
        const QUrl everything =
            reso::queryUrl(simulator->baseUrl(), u"Property", {{u"$top"_s, u"5000"_s}});
        const QByteArray oldPage = test::fetch(network, everything).body;
        QVERIFY(!oldPage.isEmpty());
        simulator->mutate({8, 100, 0, 0, 0, 0});
        const Outcome run = runSync(requestFor(*simulator, db.conninfo(), sync::SyncMode::Full));
        QVERIFY2(run.outcome == sync::RunOutcome::Succeeded, qPrintable(problems(run)));

        sync::PageParser parser;
        sync::ParsedPage page;
        sync::PageError error;
        QVERIFY2(parser.parse(Resource::Property, oldPage, &page, &error),
                 qPrintable(error.message));
        db::BatchWriter writer(db.conninfo(), nullptr);
        const db::WriteResult replay = writer.writePage(page, 500, 0, std::nullopt);
        QVERIFY(replay.ok());
        QCOMPARE(replay.upserted, 0); // every stored row is newer or the same
        const QString difference =
            test::compareReplica(*simulator, db.conninfo(), Resource::Property);
        QVERIFY2(difference.isEmpty(), qPrintable(difference));
    }

    void aRejectedRecordDoesNotLoseItsBatch() {
        test::TestDatabase db(u"rejects"_s);
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        QCOMPARE(applySchema(db.conninfo()), QString());
        sim::SimulatorOptions o = simOptions();
        o.faults.malformedRecordRate = 0.03;
        auto simulator = startSimulator(o);
        const Outcome run = runSync(requestFor(*simulator, db.conninfo(), sync::SyncMode::Full));
        QVERIFY2(run.outcome == sync::RunOutcome::Partial, qPrintable(problems(run)));

        // Rejected: the malformed records; absent too: children of a rejected listing, which
        // the child sync never asks for (it walks the listings stored).
        QSet<QString> malformed, absent;
        {
            const sim::FeedData &data = simulator->data();
            QReadLocker locker(&data.lock());
            for (Resource r : reso::kAllResources) {
                for (const sim::RecordState &s : data.records(r)) {
                    if (s.alive && o.faults.servesMalformed(r, s.ordinal))
                        malformed.insert(sim::FeedData::keyFor(r, s.ordinal));
                }
            }
            absent = malformed;
            for (const sim::RecordState &p : data.records(Resource::Property)) {
                if (!malformed.contains(sim::FeedData::keyFor(Resource::Property, p.ordinal)))
                    continue;
                for (Resource child :
                     {Resource::Media, Resource::PropertyRooms, Resource::OpenHouse}) {
                    for (quint32 c : data.childrenOf(child, p.ordinal)) {
                        const QString key =
                            sim::FeedData::keyFor(child, data.records(child)[c].ordinal);
                        if (absent.contains(key))
                            malformed.remove(key); // never requested, so never rejected
                        absent.insert(key);
                    }
                }
            }
        }
        QVERIFY(malformed.size() > 10);
        // The fault was injected: the simulator served the malformed values itself.
        QVERIFY(simulator->stats().malformedServed >= malformed.size());
        qInfo("faults injected: %s; rejected with a reason: %d",
              qPrintable(test::faultCounters(simulator->stats())), int(malformed.size()));
        QCOMPARE(count(db.conninfo(), u"resosync.rejects"_s), qint64(malformed.size()));
        QVERIFY(test::queryValue(db.conninfo(), u"SELECT reason FROM resosync.rejects LIMIT 1"_s)
                    .contains(u"ModificationTimestamp"_s));
        const QString difference = test::compareAllReplicas(*simulator, db.conninfo(), absent);
        QVERIFY2(difference.isEmpty(), qPrintable(difference));
        QCOMPARE(run.report.toJson()[u"status"_s].toString(), u"succeeded"_s);
    }

    void cancelStopsPromptlyAndARerunCompletes() {
        test::TestDatabase db(u"cancel"_s);
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        QCOMPARE(applySchema(db.conninfo()), QString());
        sim::SimulatorOptions o = simOptions();
        o.faults.latencyMs = 40;
        auto simulator = startSimulator(o);
        QElapsedTimer sinceCancel;
        const Outcome cancelled = runSync(
            requestFor(*simulator, db.conninfo(), sync::SyncMode::Full),
            [&](sync::SyncEngine &engine) {
                QTRY_VERIFY_WITH_TIMEOUT(
                    engine.metrics()->snapshot().progress(Resource::Media).upserted > 300, 60'000);
                sinceCancel.start();
                engine.cancel();
            });
        QCOMPARE(int(cancelled.outcome), int(sync::RunOutcome::Cancelled));
        QVERIFY2(sinceCancel.elapsed() < 5'000, qPrintable(QString::number(sinceCancel.elapsed())));
        QCOMPARE(cancelled.report.status, u"cancelled"_s);
        QVERIFY(count(db.conninfo(), u"public.\"Media\""_s) <
                test::feedRecords(*simulator, Resource::Media).size());

        simulator->setFaults({});
        const Outcome rerun =
            runSync(requestFor(*simulator, db.conninfo(), sync::SyncMode::Incremental));
        QVERIFY2(rerun.outcome == sync::RunOutcome::Succeeded, qPrintable(problems(rerun)));
        const QString difference = test::compareAllReplicas(*simulator, db.conninfo());
        QVERIFY2(difference.isEmpty(), qPrintable(difference));
    }

    void pauseHoldsRequestsAndSettingsApplyWhileRunning() {
        test::TestDatabase db(u"pause"_s);
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        QCOMPARE(applySchema(db.conninfo()), QString());
        sim::SimulatorOptions o = simOptions();
        o.faults.latencyMs = 20;
        auto simulator = startSimulator(o);
        bool sawChange = false;
        const Outcome run = runSync(
            requestFor(*simulator, db.conninfo(), sync::SyncMode::Full),
            [&](sync::SyncEngine &engine) {
                QTRY_VERIFY_WITH_TIMEOUT(
                    engine.metrics()->snapshot().progress(Resource::Media).fetched > 200, 60'000);
                engine.pause();
                // Requests on the wire finish; then the feed sees nothing until resume.
                qint64 settled = -1;
                QTRY_VERIFY_WITH_TIMEOUT(
                    [&] {
                        const qint64 now = simulator->stats().requests;
                        const bool same = now == settled;
                        settled = now;
                        return same;
                    }(),
                    10'000);
                QTest::qWait(600);
                QCOMPARE(simulator->stats().requests, settled);
                // A new page size applies to the next request.
                sync::SyncSettings smaller =
                    requestFor(*simulator, db.conninfo(), sync::SyncMode::Full).settings;
                smaller.batchSize = 10;
                engine.updateSettings(smaller);
                engine.resume();
                QTRY_VERIFY_WITH_TIMEOUT(simulator->stats().requests > settled, 10'000);
                for (const metrics::RunEvent &event : engine.metrics()->events())
                    sawChange = sawChange || event.label.contains(u"batch size 25 -> 10"_s);
            });
        QVERIFY2(run.outcome == sync::RunOutcome::Succeeded, qPrintable(problems(run)));
        QVERIFY(sawChange);
        const QString difference = test::compareAllReplicas(*simulator, db.conninfo());
        QVERIFY2(difference.isEmpty(), qPrintable(difference));
    }

    void adaptiveTunerBacksOffWhenTheFeedRateLimits() {
        test::TestDatabase db(u"adaptive"_s);
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        QCOMPARE(applySchema(db.conninfo()), QString());
        sim::SimulatorOptions o = simOptions();
        o.faults.requestsPerSecond = 8; // the client knows no limit: 429s follow
        auto simulator = startSimulator(o);
        sync::SyncRequest request = requestFor(*simulator, db.conninfo(), sync::SyncMode::Full);
        request.resources = {Resource::Property, Resource::Media};
        request.settings = {100, 60, 50, 0, 4};
        request.adaptive = true;
        QStringList log;
        QList<sync::SyncSettings> changes;
        const Outcome run = runSync(request, [&](sync::SyncEngine &engine) {
            connect(&engine, &sync::SyncEngine::logged, this,
                    [&](sync::LogLevel, const QString &, const QString &line) { log << line; });
            connect(&engine, &sync::SyncEngine::settingsChanged, this,
                    [&](const sync::SyncSettings &s) { changes << s; });
        });
        QVERIFY2(run.outcome == sync::RunOutcome::Succeeded, qPrintable(problems(run)));
        QVERIFY(run.report.config.adaptive);
        QVERIFY(simulator->stats().rateLimited > 0);
        QVERIFY2(log.filter(u"tuner backs off"_s).size() > 0, qPrintable(log.join(u'\n')));
        QVERIFY(!changes.isEmpty());
        // The first back-off halves concurrency and throttles.
        QCOMPARE(changes.first().concurrency, 2);
        QVERIFY(changes.first().throttleMs >= 250);
        for (Resource r : request.resources) {
            const QString difference = test::compareReplica(*simulator, db.conninfo(), r);
            QVERIFY2(difference.isEmpty(), qPrintable(difference));
        }
    }

    void slowAnswersRaiseAnAlertOnTheChartsAndInTheLog() {
        test::TestDatabase db(u"alerts"_s);
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        QCOMPARE(applySchema(db.conninfo()), QString());
        sim::SimulatorOptions o = simOptions();
        o.faults.latencyMs = 300;
        auto simulator = startSimulator(o);
        sync::SyncRequest request = requestFor(*simulator, db.conninfo(), sync::SyncMode::Full);
        request.resources = {Resource::Property};
        request.alerts = metrics::AlertThresholds{150, 0, 0};
        QStringList warnings;
        QStringList marked;
        const Outcome run = runSync(request, [&](sync::SyncEngine &engine) {
            connect(&engine, &sync::SyncEngine::logged, this,
                    [&](sync::LogLevel level, const QString &, const QString &line) {
                        if (level == sync::LogLevel::Warning)
                            warnings << line;
                    });
            connect(&engine, &sync::SyncEngine::finished, this, [&] {
                for (const metrics::RunEvent &event : engine.metrics()->events())
                    marked << event.label;
            });
        });
        QVERIFY2(run.outcome == sync::RunOutcome::Succeeded, qPrintable(problems(run)));
        const QStringList alerts = marked.filter(u"alert: p95 API latency"_s);
        QCOMPARE(alerts.size(), 1); // once per crossing, not once per tick
        QVERIFY(warnings.contains(alerts.first()));
    }

    void incrementalWithoutACursorIsRefused() {
        test::TestDatabase db(u"no_cursor"_s);
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        QCOMPARE(applySchema(db.conninfo()), QString());
        auto simulator = startSimulator(simOptions(20));
        const Outcome run =
            runSync(requestFor(*simulator, db.conninfo(), sync::SyncMode::Incremental));
        QCOMPARE(int(run.outcome), int(sync::RunOutcome::Refused));
        QVERIFY(run.report.problems.join(u' ').contains(u"full"_s));
        QCOMPARE(simulator->stats().requests, 0);
        QCOMPARE(count(db.conninfo(), u"public.\"Property\""_s), 0);
    }
};

QTEST_GUILESS_MAIN(TestSync)
#include "tst_sync.moc"
