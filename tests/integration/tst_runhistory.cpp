// Run history against real runs: syncs through the engine from the real simulator into a real
// PostgreSQL, then RunHistory lists, loads, trends, exports and deletes them.
#include "ReplicaCheck.h"
#include "SimulatorFixture.h"
#include "SyncHarness.h"
#include "TestDatabase.h"
#include "db/RunHistory.h"
#include "db/SchemaMigrator.h"
#include "metrics/ExportFile.h"
#include "metrics/MetricsRecorder.h"
#include "sim/FeedSimulator.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace resosync;
using reso::Resource;

namespace {

const sync::SyncSettings kSmallBatches{25, 40, 7, 0, 3};

QString errorText(const std::optional<db::DbError> &error) {
    return error ? error->message : QString();
}

qint64 rowsOf(const QString &conninfo, const QString &table, qint64 runId) {
    return test::queryValue(conninfo,
                            u"SELECT count(*) FROM %1 WHERE run_id = %2"_s.arg(table).arg(runId))
        .toLongLong();
}

QByteArray readAll(const QString &path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class TestRunHistory final : public QObject {
    Q_OBJECT

    std::unique_ptr<test::TestDatabase> m_db;
    std::unique_ptr<sim::FeedSimulator> m_simulator;
    test::SyncOutcome m_tuned;     ///< full sync, batch size changed mid-run
    test::SyncOutcome m_cancelled; ///< a second full sync, cancelled part-way

private Q_SLOTS:
    void initTestCase() {
        m_db = std::make_unique<test::TestDatabase>(u"run_history"_s);
        QVERIFY2(m_db->isValid(), qPrintable(m_db->error()));
        const db::SchemaReport schema = db::SchemaMigrator(m_db->conninfo()).apply();
        QVERIFY2(schema.ok(), qPrintable(schema.error->message));
        sim::SimulatorOptions options;
        options.seed = 11;
        options.properties = 200;
        options.faults.latencyMs = 15; // long enough for samples and a change mid-run
        m_simulator = test::startSimulator(options);

        m_tuned = test::runSync(
            test::simulatorRequest(*m_simulator, m_db->conninfo(), sync::SyncMode::Full,
                                   kSmallBatches),
            [](sync::SyncEngine &engine) {
                QTRY_VERIFY_WITH_TIMEOUT(
                    engine.metrics()->snapshot().progress(Resource::Media).fetched > 100, 60'000);
                sync::SyncSettings smaller = kSmallBatches;
                smaller.batchSize = 10;
                engine.updateSettings(smaller);
            });
        QVERIFY2(m_tuned.outcome == sync::RunOutcome::Succeeded, qPrintable(describe(m_tuned)));

        m_cancelled = test::runSync(
            test::simulatorRequest(*m_simulator, m_db->conninfo(), sync::SyncMode::Full,
                                   kSmallBatches),
            [](sync::SyncEngine &engine) {
                QTRY_VERIFY_WITH_TIMEOUT(
                    engine.metrics()->snapshot().progress(Resource::Media).fetched > 100, 60'000);
                engine.cancel();
            });
        QCOMPARE(int(m_cancelled.outcome), int(sync::RunOutcome::Cancelled));
        QVERIFY(m_tuned.report.runId > 0);
        QVERIFY(m_cancelled.report.runId > m_tuned.report.runId);
    }

    void listsRunsNewestFirstWithTheirReports() {
        const db::RunPage page = db::RunHistory(m_db->conninfo()).listRuns(10);
        QVERIFY2(!page.error, qPrintable(errorText(page.error)));
        QCOMPARE(page.totalRuns, qint64(2));
        QCOMPARE(page.runs.size(), 2);
        const QList<const test::SyncOutcome *> expected{&m_cancelled, &m_tuned};
        for (qsizetype i = 0; i < expected.size(); ++i) {
            const db::RunListEntry &listed = page.runs[i];
            const metrics::RunReport &report = expected[i]->report;
            const QJsonObject json = report.toJson();
            QCOMPARE(listed.runId, report.runId);
            QCOMPARE(listed.status, report.status);
            QCOMPARE(listed.mode, u"full"_s);
            QCOMPARE(listed.resources,
                     QStringList({u"Property"_s, u"Media"_s, u"PropertyRooms"_s, u"OpenHouse"_s}));
            QCOMPARE(listed.feed, m_simulator->baseUrl().toString());
            QVERIFY(listed.error.isEmpty());
            qint64 fetched = 0, written = 0;
            for (const metrics::ResourceProgress &p : report.metrics.resources) {
                fetched += p.fetched;
                written += p.upserted;
            }
            QCOMPARE(listed.recordsFetched, fetched);
            QCOMPARE(listed.recordsWritten, written);
            QCOMPARE(listed.recordsPerSecond, json[u"batches"_s][u"records_per_s"_s].toDouble());
            QCOMPARE(listed.durationSeconds, json[u"duration_s"_s].toDouble());
            QVERIFY(listed.startedAt.isValid() && listed.finishedAt >= listed.startedAt);
            QVERIFY(listed.report.has_value());
            QCOMPARE(listed.report->toJson(), json);
            QCOMPARE(listed.report->toText(), report.toText());
        }
        QCOMPARE(page.runs[0].status, u"cancelled"_s);
        QCOMPARE(page.runs[1].status, u"succeeded"_s);
        // The first sync stored everything; the second found it unchanged.
        QVERIFY(page.runs[1].recordsWritten > 0);
        QCOMPARE(page.runs[1].recordsWritten, page.runs[1].recordsFetched);
        QCOMPARE(page.runs[0].recordsWritten, qint64(0));

        const db::RunPage older = db::RunHistory(m_db->conninfo()).listRuns(1, 1);
        QVERIFY2(!older.error, qPrintable(errorText(older.error)));
        QCOMPARE(older.runs.size(), 1);
        QCOMPARE(older.runs[0].runId, m_tuned.report.runId);
    }

    void loadsEverySeriesAndEventOfARun() {
        const db::RecordedRun loaded =
            db::RunHistory(m_db->conninfo()).loadRun(m_tuned.report.runId);
        QVERIFY2(!loaded.error, qPrintable(errorText(loaded.error)));
        QCOMPARE(loaded.run.runId, m_tuned.report.runId);
        QVERIFY(loaded.run.report.has_value());
        QCOMPARE(loaded.run.report->toText(), m_tuned.report.toText());

        QVERIFY(m_tuned.series.contains(u"memory.rss_mb"_s));
        // A first load COPYs new rows straight in: copy statements, no merges.
        QVERIFY(m_tuned.series.contains(u"db.copy.avg_ms"_s));
        QCOMPARE(loaded.series.keys().size(), m_tuned.series.keys().size());
        for (auto it = m_tuned.series.cbegin(); it != m_tuned.series.cend(); ++it) {
            const QList<metrics::SeriesPoint> &recorded = it.value();
            const QList<metrics::SeriesPoint> stored = loaded.series.value(it.key());
            QCOMPARE(stored.size(), recorded.size());
            for (qsizetype i = 0; i < stored.size(); ++i) {
                // Relative to the run's start, to the millisecond, in order, values exact.
                QCOMPARE(stored[i].atMs, recorded[i].atMs);
                QCOMPARE(stored[i].value, recorded[i].value);
                QVERIFY(stored[i].atMs > 0);
                if (i > 0)
                    QVERIFY(stored[i].atMs > stored[i - 1].atMs);
            }
        }

        QVERIFY(!m_tuned.events.isEmpty());
        QCOMPARE(loaded.events.size(), m_tuned.events.size());
        for (qsizetype i = 0; i < loaded.events.size(); ++i) {
            QCOMPARE(loaded.events[i].atMs, m_tuned.events[i].atMs);
            QCOMPARE(loaded.events[i].label, m_tuned.events[i].label);
        }
        const auto change = std::find_if(
            loaded.events.cbegin(), loaded.events.cend(),
            [](const metrics::RunEvent &e) { return e.label == u"batch size 25 -> 10"_s; });
        QVERIFY(change != loaded.events.cend());
        // Marked while Media was being fetched: after the first samples, before the last.
        const QList<metrics::SeriesPoint> memory = loaded.series.value(u"memory.rss_mb"_s);
        QVERIFY(change->atMs > memory.first().atMs);
        QVERIFY(change->atMs < memory.last().atMs);

        const db::RecordedRun cancelled =
            db::RunHistory(m_db->conninfo()).loadRun(m_cancelled.report.runId);
        QVERIFY2(!cancelled.error, qPrintable(errorText(cancelled.error)));
        QCOMPARE(cancelled.events.last().label, u"cancel requested"_s);
    }

    void trendsFollowTheRunsOldestFirst() {
        const db::RunHistory history(m_db->conninfo());
        const db::RunTrends all = history.trends(10, false);
        QVERIFY2(!all.error, qPrintable(errorText(all.error)));
        QCOMPARE(all.points.size(), 2);
        QCOMPARE(all.points[0].runId, m_tuned.report.runId);
        QCOMPARE(all.points[1].runId, m_cancelled.report.runId);
        const QJsonObject json = m_tuned.report.toJson();
        QCOMPARE(all.points[0].recordsPerSecond, json[u"batches"_s][u"records_per_s"_s].toDouble());
        QCOMPARE(all.points[0].apiP95Ms, json[u"api"_s][u"p95_ms"_s].toDouble());
        QCOMPARE(all.points[0].dbAvgMs, json[u"db"_s][u"avg_ms"_s].toDouble());
        QCOMPARE(all.points[0].peakRssMb, json[u"memory"_s][u"peak_mb"_s].toDouble());
        QVERIFY(all.points[0].recordsPerSecond > 0);
        QVERIFY(all.points[0].peakRssMb > 0);

        const db::RunTrends succeeded = history.trends(10, true);
        QCOMPARE(succeeded.points.size(), 1);
        QCOMPARE(succeeded.points[0].runId, m_tuned.report.runId);
        QCOMPARE(history.trends(1, false).points[0].runId, m_cancelled.report.runId);
    }

    void exportsTheSavedReport() {
        const db::RecordedRun loaded =
            db::RunHistory(m_db->conninfo()).loadRun(m_tuned.report.runId);
        QVERIFY2(!loaded.error, qPrintable(errorText(loaded.error)));
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString json = dir.filePath(u"run.json"_s);
        const QString text = dir.filePath(u"run.txt"_s);
        QCOMPARE(metrics::exportReport(*loaded.run.report, metrics::ReportFormat::Json, json),
                 std::nullopt);
        QCOMPARE(metrics::exportReport(*loaded.run.report, metrics::ReportFormat::Text, text),
                 std::nullopt);
        const QJsonObject parsed = QJsonDocument::fromJson(readAll(json)).object();
        QCOMPARE(parsed, m_tuned.report.toJson());
        QCOMPARE(QString::fromUtf8(readAll(text)), m_tuned.report.toText());

        const QString unwritable = dir.filePath(u"run.txt/nested.json"_s); // under a file
        const auto error =
            metrics::exportReport(*loaded.run.report, metrics::ReportFormat::Json, unwritable);
        QVERIFY(error.has_value());
        QVERIFY2(error->startsWith(u"Could not write the report to "_s + unwritable),
                 qPrintable(*error));
    }

    // Last: it removes a run the others read.
    void deletingARunTakesItsSamplesAndEvents() {
        const QString conninfo = m_db->conninfo();
        const qint64 runId = m_tuned.report.runId;
        QVERIFY(rowsOf(conninfo, u"resosync.run_samples"_s, runId) > 0);
        QVERIFY(rowsOf(conninfo, u"resosync.run_events"_s, runId) > 0);
        const db::RunHistory history(conninfo);
        const auto failure = history.deleteRun(runId);
        QVERIFY2(!failure, qPrintable(errorText(failure)));
        QCOMPARE(rowsOf(conninfo, u"resosync.runs"_s, runId), qint64(0));
        QCOMPARE(rowsOf(conninfo, u"resosync.run_samples"_s, runId), qint64(0));
        QCOMPARE(rowsOf(conninfo, u"resosync.run_events"_s, runId), qint64(0));
        QVERIFY(rowsOf(conninfo, u"resosync.run_samples"_s, m_cancelled.report.runId) > 0);

        const db::RunPage page = history.listRuns(10);
        QCOMPARE(page.runs.size(), 1);
        QCOMPARE(page.runs[0].runId, m_cancelled.report.runId);
        const db::RecordedRun gone = history.loadRun(runId);
        QVERIFY(gone.error.has_value());
        QVERIFY2(gone.error->message.contains(u"has no run %1"_s.arg(runId)),
                 qPrintable(gone.error->message));
        const auto again = history.deleteRun(runId);
        QVERIFY(again.has_value());
        QVERIFY2(again->message.contains(u"deleting run %1"_s.arg(runId)),
                 qPrintable(again->message));
    }

    void anUnreachableDatabaseIsAClearError() {
        const db::RunPage page =
            db::RunHistory(u"host=127.0.0.1 port=1 dbname=nothing connect_timeout=2"_s)
                .listRuns(10);
        QVERIFY(page.error.has_value());
        QCOMPARE(int(page.error->kind), int(db::DbErrorKind::Unreachable));
        QVERIFY(page.runs.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestRunHistory)
#include "tst_runhistory.moc"
