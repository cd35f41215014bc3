#include "SeedFigures.h"
#include "metrics/Histogram.h"
#include "metrics/MetricsFormat.h"
#include "metrics/MetricsRecorder.h"
#include "metrics/RollingRate.h"
#include "metrics/RunReport.h"
#include "metrics/SeriesShaping.h"
#include "metrics/TimeSeries.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>
#include <QThread>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <memory>
#include <random>
#include <vector>

using namespace Qt::StringLiterals;
using namespace resosync::metrics;
using resosync::reso::Resource;
using resosync::test::seedLikeSnapshot;

namespace {

// The nearest-rank percentile, computed the way Histogram defines it, on exact values.
double exactPercentile(std::vector<double> sorted, double p) {
    std::sort(sorted.begin(), sorted.end());
    const auto count = qint64(sorted.size());
    const auto rank = std::clamp<qint64>(qint64(std::ceil(p * double(count) / 100.0)), 1, count);
    return sorted[std::size_t(rank - 1)];
}

std::vector<double> distribution(const QString &name, int count) {
    std::mt19937_64 random(20240521);
    std::vector<double> values;
    values.reserve(std::size_t(count));
    for (int i = 0; i < count; ++i) {
        if (name == "uniform"_L1)
            values.push_back(std::uniform_real_distribution<double>(1.0, 1000.0)(random));
        else if (name == "exponential"_L1)
            values.push_back(std::exponential_distribution<double>(1.0 / 50.0)(random) + 0.05);
        else if (name == "lognormal"_L1) // latencies: a body near 100 ms and a long tail
            values.push_back(
                std::min(500000.0, std::lognormal_distribution<double>(4.6, 1.5)(random)));
        else if (name == "submillisecond"_L1)
            values.push_back(std::uniform_real_distribution<double>(0.02, 1.0)(random));
        else if (name == "bimodal"_L1)
            values.push_back(i % 10 == 0 ? 3000.0 + i % 7 : 20.0 + i % 5);
        else
            values.push_back(42.0);
    }
    return values;
}

QJsonValue valueAt(const QJsonObject &object, const QString &dottedPath) {
    QJsonValue value = object;
    for (const QString &key : dottedPath.split(u'.'))
        value = value.toObject().value(key);
    return value;
}

QStringList keysOf(const QJsonValue &value) {
    QStringList keys = value.toObject().keys();
    keys.sort();
    return keys;
}

QStringList sorted(QStringList list) {
    list.sort();
    return list;
}

// A run clock the test moves by hand.
struct ManualClock {
    std::shared_ptr<std::atomic<qint64>> ms = std::make_shared<std::atomic<qint64>>(10000);
    MetricsRecorder::Clock clock() const {
        return [now = ms] { return now->load(); };
    }
    void advance(qint64 delta) const { *ms += delta; }
};

} // namespace

class TestMetrics final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // ---- Histogram ----

    void histogramPercentilesAreWithinTwoPercent_data() {
        QTest::addColumn<QString>("shape");
        QTest::addColumn<int>("count");
        QTest::newRow("uniform latencies from 1 ms to 1 s") << u"uniform"_s << 100000;
        QTest::newRow("exponential latencies around 50 ms") << u"exponential"_s << 100000;
        QTest::newRow("log-normal latencies with a long tail") << u"lognormal"_s << 100000;
        QTest::newRow("sub-millisecond statements") << u"submillisecond"_s << 50000;
        QTest::newRow("fast answers with a slow tenth") << u"bimodal"_s << 10000;
        QTest::newRow("a constant latency reads back exactly") << u"constant"_s << 1000;
        QTest::newRow("a handful of values") << u"uniform"_s << 7;
    }
    void histogramPercentilesAreWithinTwoPercent() {
        QFETCH(QString, shape);
        QFETCH(int, count);
        const std::vector<double> values = distribution(shape, count);
        Histogram histogram;
        double sum = 0;
        for (double v : values) {
            histogram.add(v);
            sum += v;
        }
        QCOMPARE(histogram.count(), qint64(count));
        QCOMPARE(histogram.mean(), sum / count); // averages are exact, not bucketed
        QCOMPARE(histogram.min(), *std::min_element(values.begin(), values.end()));
        QCOMPARE(histogram.max(), *std::max_element(values.begin(), values.end()));
        for (double p : {1.0, 10.0, 50.0, 90.0, 95.0, 99.0, 99.9, 100.0}) {
            const double exact = exactPercentile(values, p);
            const double approx = histogram.percentile(p);
            QVERIFY2(std::abs(approx - exact) <= 0.02 * exact,
                     qPrintable(u"p%1: histogram %2, exact %3"_s.arg(p).arg(approx).arg(exact)));
        }
    }

    void histogramBucketsCoverTheDocumentedRange() {
        QCOMPARE(Histogram::bucketFor(0.0), 0);
        QCOMPARE(Histogram::bucketFor(-5.0), 0);
        QCOMPARE(Histogram::bucketFor(std::nan("")), 0);
        QCOMPARE(Histogram::bucketFor(Histogram::kLowestMs / 2), 0);
        QCOMPARE(Histogram::bucketFor(Histogram::kLowestMs), 1);
        QCOMPARE(Histogram::bucketFor(Histogram::kHighestMs * 0.999), Histogram::kRangeBuckets);
        QCOMPARE(Histogram::bucketFor(Histogram::kHighestMs), Histogram::kBuckets - 1);
        QCOMPARE(Histogram::bucketFor(1e12), Histogram::kBuckets - 1);
        // The declared bucket count is the one the growth factor needs for the range.
        QCOMPARE(Histogram::kRangeBuckets,
                 int(std::ceil(std::log(Histogram::kHighestMs / Histogram::kLowestMs) /
                               std::log(Histogram::kGrowth))));
        // Consecutive buckets grow by the documented factor.
        for (double ms : {0.5, 7.0, 130.0, 9000.0}) {
            QCOMPARE(Histogram::bucketFor(ms * Histogram::kGrowth * 1.0001),
                     Histogram::bucketFor(ms) + 1);
        }
    }

    void histogramOutsideTheRangeStaysBounded() {
        Histogram histogram;
        histogram.add(0.001);
        histogram.add(2 * Histogram::kHighestMs);
        histogram.add(-1);
        QCOMPARE(histogram.count(), 3);
        QCOMPARE(histogram.min(), 0.0);
        QCOMPARE(histogram.percentile(100), 2 * Histogram::kHighestMs);
        QVERIFY(histogram.percentile(50) < Histogram::kLowestMs);
        QCOMPARE(Histogram().percentile(95), 0.0);
    }

    void histogramMergeEqualsAddingEverything() {
        const std::vector<double> values = distribution(u"lognormal"_s, 20000);
        Histogram all;
        Histogram first;
        Histogram second;
        for (std::size_t i = 0; i < values.size(); ++i) {
            all.add(values[i]);
            (i % 3 == 0 ? first : second).add(values[i]);
        }
        first.merge(second);
        QCOMPARE(first.count(), all.count());
        QCOMPARE(first.min(), all.min());
        QCOMPARE(first.max(), all.max());
        for (double p : {50.0, 95.0, 99.0})
            QCOMPARE(first.percentile(p), all.percentile(p));
        first.clear();
        QCOMPARE(first.count(), 0);
        QCOMPARE(first.percentile(50), 0.0);
    }

    // ---- TimeSeries ----

    void timeSeriesDropsTheOldestOnceFull() {
        TimeSeries series(5);
        for (int i = 1; i <= 12; ++i)
            series.append(SeriesPoint{i * 10, double(i)});
        QCOMPARE(series.size(), 5);
        const QList<SeriesPoint> points = series.points();
        QCOMPARE(points.size(), 5);
        QCOMPARE(points.first().atMs, 80);
        QCOMPARE(points.last().atMs, 120);
        QCOMPARE(series.points(95).size(), 3);   // 100, 110, 120
        QCOMPARE(series.points(100).size(), 3);  // atMs >= sinceMs
        QCOMPARE(series.points(1000).size(), 0); // nothing that recent
    }

    // ---- MetricsRecorder ----

    void dbStatementNamesAreDistinctSnakeCase() {
        QStringList names;
        for (int kind = 0; kind < kDbStatementKinds; ++kind)
            names << dbStatementName(DbStatement(kind));
        QCOMPARE(names.first(), u"copy"_s);
        QCOMPARE(names.at(1), u"merge"_s);
        QCOMPARE(names.at(2), u"delete"_s);
        QCOMPARE(dbStatementName(DbStatement::KeyStream), u"key_stream"_s);
        names.removeDuplicates();
        QCOMPARE(names.size(), kDbStatementKinds);
    }

    void seriesNamesAreTheDocumentedOnes() {
        MetricsRecorder recorder;
        const QStringList names = recorder.seriesNames();
        for (const QString &name :
             {u"api.latency_p50_ms"_s, u"api.latency_p95_ms"_s, u"api.requests_per_s"_s,
              u"db.copy.avg_ms"_s, u"db.merge.avg_ms"_s, u"memory.rss_mb"_s,
              u"throughput.records_per_s"_s, u"batches.in_flight"_s})
            QVERIFY2(names.contains(name), qPrintable(name));
        QCOMPARE(names.size(), 6 + kDbStatementKinds);
        QVERIFY(recorder.series(u"no.such.series"_s).isEmpty());
    }

    void apiAttemptsAreCountedByOutcome() {
        MetricsRecorder recorder;
        recorder.recordApiRequest(100, 1000, 200, true);
        recorder.recordApiRequest(300, 0, 429, false);
        recorder.recordApiRequest(200, 500, 0, false); // a network error
        recorder.recordApiRetry();
        recorder.recordApiRetry();
        const ApiSummary api = recorder.snapshot().api;
        QCOMPARE(api.requests, 3);
        QCOMPARE(api.succeeded, 1);
        QCOMPARE(api.failed, 2);
        QCOMPARE(api.rateLimited, 1);
        QCOMPARE(api.retries, 2);
        QCOMPARE(api.bytes, 1500);
        QCOMPARE(api.avgMs, 200.0);
        QVERIFY(std::abs(api.p50Ms - 200) <= 2);
        QVERIFY(std::abs(api.p99Ms - 300) <= 3);
    }

    void dbStatementsAreSummarizedByKindAndInTotal() {
        MetricsRecorder recorder;
        for (int i = 1; i <= 100; ++i)
            recorder.recordDbStatement(DbStatement::Merge, i, i != 7);
        recorder.recordDbStatement(DbStatement::Copy, 4, true);
        recorder.recordDbStatement(DbStatement::Copy, 6, false);
        const DbSummary db = recorder.snapshot().db;
        QCOMPARE(db.queries, 102);
        QCOMPARE(db.failed, 2);
        QCOMPARE(db.succeeded, 100);
        QCOMPARE(db.avgMs, (5050.0 + 10.0) / 102.0);
        const DbKindSummary &merge = db.byKind[std::size_t(DbStatement::Merge)];
        QCOMPARE(merge.count, 100);
        QCOMPARE(merge.failed, 1);
        QCOMPARE(merge.avgMs, 50.5);
        QVERIFY(std::abs(merge.p95Ms - 95) <= 0.02 * 95);
        const DbKindSummary &copy = db.byKind[std::size_t(DbStatement::Copy)];
        QCOMPARE(copy.count, 2);
        QCOMPARE(copy.avgMs, 5.0);
        QCOMPARE(db.byKind[std::size_t(DbStatement::Delete)].count, 0);
        QVERIFY(std::abs(db.p95Ms - 95) <= 0.02 * 95);
    }

    void progressValidationAndBatchesAccumulate() {
        MetricsRecorder recorder;
        recorder.addProgress(Resource::Media, 100, 90, 5, 2);
        recorder.addProgress(Resource::Media, 50, 40, 0, 1);
        recorder.setExpected(Resource::Media, 1000);
        recorder.setDone(Resource::OpenHouse);
        recorder.recordValidation(10, 4);
        recorder.recordValidation(10, 6);
        recorder.batchStarted();
        recorder.batchStarted();
        recorder.batchFinished(100, 10, true);
        recorder.batchStarted();
        recorder.batchFinished(300, 10, false);
        const MetricsSnapshot s = recorder.snapshot();
        const ResourceProgress &media = s.progress(Resource::Media);
        QCOMPARE(media.fetched, 150);
        QCOMPARE(media.upserted, 130);
        QCOMPARE(media.deleted, 5);
        QCOMPARE(media.rejected, 3);
        QCOMPARE(media.expected, 1000);
        QVERIFY(!media.done);
        QVERIFY(s.progress(Resource::OpenHouse).done);
        QCOMPARE(s.progress(Resource::Property).expected, -1);
        QCOMPARE(s.validation.count, 20);
        QCOMPARE(s.validation.cacheHits, 10);
        QCOMPARE(s.validation.cacheHitRate(), 0.5);
        QCOMPARE(s.batches.count, 2);
        QCOMPARE(s.batches.failed, 1);
        QCOMPARE(s.batches.avgMs, 200.0);
        QCOMPARE(s.batches.inFlight, 1);
        QCOMPARE(s.batches.parallelMax, 2);
    }

    void concurrentRecordingCountsExactly() {
        constexpr int kThreads = 4;
        constexpr int kPerThread = 100000;
        ManualClock clock;
        MetricsRecorder recorder(clock.clock());
        recorder.start(kThreads);
        std::vector<std::unique_ptr<QThread>> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back(QThread::create([&recorder, t] {
                for (int i = 0; i < kPerThread; ++i) {
                    recorder.recordApiRequest(1 + i % 100, 10, i % 10 == 0 ? 429 : 200,
                                              i % 10 != 0);
                    if (i % 4 == 0)
                        recorder.recordApiRetry();
                    recorder.recordDbStatement(DbStatement(i % kDbStatementKinds), 2.0,
                                               i % 50 != 0);
                    recorder.batchStarted();
                    recorder.batchFinished(3.0, 2, true);
                    recorder.recordValidation(2, 1);
                    recorder.addProgress(Resource(t % 4), 1, 1, 0, 0);
                }
            }));
        }
        for (auto &thread : threads)
            thread->start();
        // Tick and read while the workers record: every attempt must land in exactly one tick.
        auto running = [&threads] {
            return std::any_of(threads.begin(), threads.end(),
                               [](const auto &thread) { return !thread->isFinished(); });
        };
        int ticks = 0;
        while (running()) {
            threads.front()->wait(5); // paces the ticks; returns early once that worker is done
            clock.advance(MetricsRecorder::kTickMs);
            recorder.tickForTest();
            QVERIFY(recorder.snapshot().api.requests <= qint64(kThreads) * kPerThread);
            ++ticks;
        }
        for (auto &thread : threads)
            thread->wait();
        clock.advance(MetricsRecorder::kTickMs);
        recorder.tickForTest();
        QVERIFY(ticks + 1 < MetricsRecorder::kSeriesCapacity);

        constexpr qint64 kTotal = qint64(kThreads) * kPerThread;
        const MetricsSnapshot s = recorder.snapshot();
        QCOMPARE(s.api.requests, kTotal);
        QCOMPARE(s.api.succeeded, kTotal * 9 / 10);
        QCOMPARE(s.api.failed, kTotal / 10);
        QCOMPARE(s.api.rateLimited, kTotal / 10);
        QCOMPARE(s.api.retries, kTotal / 4);
        QCOMPARE(s.api.bytes, kTotal * 10);
        QCOMPARE(s.api.avgMs, 50.5);
        QCOMPARE(s.db.queries, kTotal);
        QCOMPARE(s.db.failed, kTotal / 50);
        QCOMPARE(s.batches.count, kTotal);
        QCOMPARE(s.batches.inFlight, 0);
        QVERIFY(s.batches.parallelMax >= 1 && s.batches.parallelMax <= kThreads);
        QCOMPARE(s.validation.count, kTotal * 2);
        QCOMPARE(s.validation.cacheHits, kTotal);
        for (const ResourceProgress &p : s.resources)
            QCOMPARE(p.upserted, qint64(kPerThread));

        double perTickRequests = 0;
        for (const SeriesPoint &point : recorder.series(u"api.requests_per_s"_s))
            perTickRequests += point.value * MetricsRecorder::kTickMs / 1000.0;
        QCOMPARE(qRound64(perTickRequests), kTotal);
        double perTickRecords = 0;
        for (const SeriesPoint &point : recorder.series(u"throughput.records_per_s"_s))
            perTickRecords += point.value * MetricsRecorder::kTickMs / 1000.0;
        QCOMPARE(qRound64(perTickRecords), kTotal);
    }

    void seriesHoldTheirCapacityAndDropTheOldest() {
        ManualClock clock;
        MetricsRecorder recorder(clock.clock());
        recorder.start(1);
        constexpr int kExtra = 100;
        for (int i = 0; i < MetricsRecorder::kSeriesCapacity + kExtra; ++i) {
            recorder.recordApiRequest(10, 0, 200, true);
            clock.advance(MetricsRecorder::kTickMs);
            recorder.tickForTest();
        }
        for (const QString &name : {u"memory.rss_mb"_s, u"batches.in_flight"_s,
                                    u"api.latency_p50_ms"_s, u"api.requests_per_s"_s}) {
            const QList<SeriesPoint> points = recorder.series(name);
            QCOMPARE(points.size(), MetricsRecorder::kSeriesCapacity);
            QCOMPARE(points.first().atMs, qint64(kExtra + 1) * MetricsRecorder::kTickMs);
            QCOMPARE(points.last().atMs,
                     qint64(MetricsRecorder::kSeriesCapacity + kExtra) * MetricsRecorder::kTickMs);
        }
        const qint64 lastMinute =
            qint64(MetricsRecorder::kSeriesCapacity + kExtra) * MetricsRecorder::kTickMs - 60000;
        const QList<SeriesPoint> recent = recorder.series(u"memory.rss_mb"_s, lastMinute);
        QCOMPARE(recent.size(), 60000 / MetricsRecorder::kTickMs + 1);
        QVERIFY(recent.first().atMs >= lastMinute);
    }

    void tickSeriesCoverOnlyThatTick() {
        ManualClock clock;
        MetricsRecorder recorder(clock.clock());
        recorder.start(2);
        const qint64 tick = MetricsRecorder::kTickMs;
        // Tick 1: a hundred fast answers, merges of 4 ms, 500 records stored.
        for (int i = 0; i < 100; ++i)
            recorder.recordApiRequest(10, 0, 200, true);
        recorder.recordDbStatement(DbStatement::Merge, 2, true);
        recorder.recordDbStatement(DbStatement::Merge, 6, true);
        recorder.addProgress(Resource::Property, 500, 500, 0, 0);
        recorder.batchStarted();
        clock.advance(tick);
        recorder.tickForTest();
        // Tick 2: fifty slow answers, nothing written.
        for (int i = 0; i < 50; ++i)
            recorder.recordApiRequest(1000, 0, 200, true);
        clock.advance(tick);
        recorder.tickForTest();
        // Tick 3: nothing at all.
        clock.advance(tick);
        recorder.tickForTest();

        const QList<SeriesPoint> p50 = recorder.series(u"api.latency_p50_ms"_s);
        QCOMPARE(p50.size(), 2); // the idle tick adds no latency point
        QCOMPARE(p50.at(0).atMs, tick);
        QCOMPARE(p50.at(0).value, 10.0);
        QCOMPARE(p50.at(1).atMs, 2 * tick);
        QCOMPARE(p50.at(1).value, 1000.0); // not diluted by tick 1's answers
        QCOMPARE(recorder.series(u"api.latency_p95_ms"_s).size(), 2);

        const QList<SeriesPoint> rate = recorder.series(u"api.requests_per_s"_s);
        QCOMPARE(rate.size(), 3);
        QCOMPARE(rate.at(0).value, 400.0);
        QCOMPARE(rate.at(1).value, 200.0);
        QCOMPARE(rate.at(2).value, 0.0);

        const QList<SeriesPoint> merge = recorder.series(u"db.merge.avg_ms"_s);
        QCOMPARE(merge.size(), 1);
        QCOMPARE(merge.first().value, 4.0);
        QVERIFY(recorder.series(u"db.copy.avg_ms"_s).isEmpty());

        const QList<SeriesPoint> throughput = recorder.series(u"throughput.records_per_s"_s);
        QCOMPARE(throughput.size(), 3);
        QCOMPARE(throughput.at(0).value, 2000.0);
        QCOMPARE(throughput.at(1).value, 0.0);
        QCOMPARE(recorder.series(u"batches.in_flight"_s).last().value, 1.0);
        QCOMPARE(recorder.series(u"memory.rss_mb"_s).size(), 3);
    }

    void memorySamplesArePlausible() {
        QVERIFY2(currentRssBytes() > 1024 * 1024, "a Qt process is larger than 1 MB");
        ManualClock clock;
        MetricsRecorder recorder(clock.clock());
        recorder.start(1); // samples once
        const MemorySummary atStart = recorder.snapshot().memory;
        QVERIFY(atStart.currentMb > 1);
        QCOMPARE(atStart.peakMb, atStart.currentMb);
        QCOMPARE(atStart.avgMb, atStart.currentMb);

        {
            // 64 MB touched page by page, then returned to the system (glibc maps it apart).
            std::vector<char> ballast(64 * 1024 * 1024, '\1');
            clock.advance(MetricsRecorder::kTickMs);
            recorder.tickForTest();
            QVERIFY(ballast.back() == '\1');
        }
        clock.advance(MetricsRecorder::kTickMs);
        recorder.tickForTest();
        const MemorySummary after = recorder.snapshot().memory;
        QVERIFY2(after.peakMb >= atStart.currentMb + 60, qPrintable(QString::number(after.peakMb)));
        QVERIFY(after.peakMb >= after.currentMb);
        // Three samples (start and two ticks): the average and the peak are theirs exactly.
        const QList<SeriesPoint> samples = recorder.series(u"memory.rss_mb"_s);
        QCOMPARE(samples.size(), 2);
        QCOMPARE(after.currentMb, samples.at(1).value);
        QCOMPARE(after.peakMb,
                 std::max({atStart.currentMb, samples.at(0).value, samples.at(1).value}));
        QVERIFY(qFuzzyCompare(after.avgMb,
                              (atStart.currentMb + samples.at(0).value + samples.at(1).value) / 3));
    }

    void parallelEfficiencyIsBusyShareOfTheSlots_data() {
        QTest::addColumn<int>("concurrency");
        QTest::addColumn<QList<double>>("batchMs");
        QTest::addColumn<qint64>("elapsedMs");
        QTest::addColumn<double>("efficiency");
        QTest::newRow("one of two slots busy the whole time")
            << 2 << QList<double>{1000} << qint64(1000) << 50.0;
        QTest::newRow("three slots busy the whole time")
            << 3 << QList<double>{1000, 1000, 1000} << qint64(1000) << 100.0;
        QTest::newRow("three slots, batches of a quarter, a half and all of the run")
            << 3 << QList<double>{500, 1000, 2000} << qint64(2000) << 3500.0 / 6000.0 * 100.0;
        QTest::newRow("more busy time than slots is capped at 100")
            << 1 << QList<double>{1500} << qint64(1000) << 100.0;
        QTest::newRow("no slots configured reads 0")
            << 0 << QList<double>{100} << qint64(1000) << 0.0;
        QTest::newRow("no time elapsed reads 0") << 2 << QList<double>{} << qint64(0) << 0.0;
    }
    void parallelEfficiencyIsBusyShareOfTheSlots() {
        QFETCH(int, concurrency);
        QFETCH(QList<double>, batchMs);
        QFETCH(qint64, elapsedMs);
        QFETCH(double, efficiency);
        ManualClock clock;
        MetricsRecorder recorder(clock.clock());
        recorder.start(concurrency);
        for (double ms : batchMs) {
            recorder.batchStarted();
            recorder.batchFinished(ms, 100, true);
        }
        clock.advance(elapsedMs);
        const BatchSummary batches = recorder.snapshot().batches;
        QCOMPARE(batches.parallelEfficiency, efficiency);
        const double seconds = double(elapsedMs) / 1000.0;
        QCOMPARE(batches.recordsPerSecond, seconds > 0 ? 100.0 * batchMs.size() / seconds : 0.0);
    }

    void concurrencyChangesAreWeightedByDuration() {
        ManualClock clock;
        MetricsRecorder recorder(clock.clock());
        recorder.start(1);
        clock.advance(1000);
        recorder.setConcurrency(3);
        clock.advance(1000);
        recorder.batchFinished(2000, 0, true);
        // 1 slot x 1 s + 3 slots x 1 s = 4 slot-seconds, 2 of them busy.
        QCOMPARE(recorder.snapshot().batches.parallelEfficiency, 50.0);
    }

    void recordsPerSecondCountsOnlyStoredBatches() {
        ManualClock clock;
        MetricsRecorder recorder(clock.clock());
        recorder.start(3);
        recorder.batchFinished(100, 500, true);
        recorder.batchFinished(100, 500, true);
        recorder.batchFinished(100, 300, false); // rolled back: wrote nothing
        clock.advance(2000);
        QCOMPARE(recorder.snapshot().batches.recordsPerSecond, 500.0);
    }

    void snapshotsWorkBeforeStartAndFreezeAtStop() {
        ManualClock clock;
        MetricsRecorder recorder(clock.clock());
        recorder.recordApiRequest(5, 10, 200, true);
        MetricsSnapshot before = recorder.snapshot();
        QCOMPARE(before.elapsedMs, 0);
        QCOMPARE(before.api.requests, 1);
        QCOMPARE(before.batches.parallelEfficiency, 0.0);

        recorder.start(2);
        clock.advance(1500);
        QCOMPARE(recorder.snapshot().elapsedMs, 1500);
        recorder.batchFinished(1500, 3000, true);
        recorder.stop();
        clock.advance(60000);
        const MetricsSnapshot after = recorder.snapshot();
        QCOMPARE(after.elapsedMs, 1500);
        QCOMPARE(after.batches.parallelEfficiency, 50.0);
        QCOMPARE(after.batches.recordsPerSecond, 2000.0);
        QVERIFY(after.memory.currentMb > 1);
    }

    void eventsAreTimedAndBounded() {
        ManualClock clock;
        MetricsRecorder recorder(clock.clock());
        recorder.markEvent(u"before the run"_s);
        recorder.start(1);
        clock.advance(750);
        recorder.markEvent(u"batch size 2000 -> 1000"_s);
        QList<RunEvent> events = recorder.events();
        QCOMPARE(events.size(), 2);
        QCOMPARE(events.at(0).atMs, 0);
        QCOMPARE(events.at(1).atMs, 750);
        QCOMPARE(events.at(1).label, u"batch size 2000 -> 1000"_s);

        for (int i = 0; i < MetricsRecorder::kEventCapacity; ++i)
            recorder.markEvent(QString::number(i));
        events = recorder.events();
        QCOMPARE(events.size(), MetricsRecorder::kEventCapacity);
        QCOMPARE(events.first().label, u"0"_s);
        QCOMPARE(events.last().label, QString::number(MetricsRecorder::kEventCapacity - 1));
    }

    void snapshotReadyFollowsTheTickTimer() {
        MetricsRecorder recorder;
        QSignalSpy spy(&recorder, &MetricsRecorder::snapshotReady);
        QElapsedTimer elapsed;
        elapsed.start();
        recorder.start(3);
        recorder.recordApiRequest(12, 100, 200, true);
        while (spy.count() < 4)
            QVERIFY(spy.wait(5 * MetricsRecorder::kTickMs));
        // At most one per tick: never more snapshots than ticks that could have passed.
        QVERIFY2(spy.count() <= elapsed.elapsed() / MetricsRecorder::kTickMs + 1,
                 qPrintable(u"%1 snapshots in %2 ms"_s.arg(spy.count()).arg(elapsed.elapsed())));
        const auto last = qvariant_cast<MetricsSnapshot>(spy.last().at(0));
        QCOMPARE(last.api.requests, 1);
        QVERIFY(last.elapsedMs >= 3 * MetricsRecorder::kTickMs);

        // Stopped means stopped: three ticks' time passes without a snapshot.
        recorder.stop();
        const qsizetype afterStop = spy.count();
        QVERIFY(!spy.wait(3 * MetricsRecorder::kTickMs));
        QCOMPARE(spy.count(), afterStop);
    }

    void snapshotsCrossThreadsInQueuedConnections() {
        MetricsRecorder recorder;
        QThread receiverThread;
        QObject receiver;
        receiver.moveToThread(&receiverThread);
        receiverThread.start();
        std::atomic<qint64> received{-1};
        std::atomic<bool> onReceiverThread{false};
        connect(
            &recorder, &MetricsRecorder::snapshotReady, &receiver,
            [&](const MetricsSnapshot &snapshot) {
                onReceiverThread = QThread::currentThread() == &receiverThread;
                received = snapshot.api.requests;
            },
            Qt::QueuedConnection);
        recorder.recordApiRequest(3, 0, 200, true);
        recorder.recordApiRequest(4, 0, 200, true);
        recorder.start(1);
        QTRY_COMPARE(received.load(), 2);
        QVERIFY(onReceiverThread.load());
        recorder.stop();
        receiverThread.quit();
        receiverThread.wait();
    }

    // ---- RollingRate ----

    void rollingRateFollowsTheLastWindow() {
        RollingRate rate(10'000);
        QCOMPARE(rate.perSecond(), 0.0); // no samples
        rate.add(0, 0);
        QCOMPARE(rate.perSecond(), 0.0); // one sample: no time has passed
        QCOMPARE(rate.secondsUntil(1000), -1.0);
        // 100 per second for 20 s, then 400 per second for 10 s: the window sees the new speed.
        for (qint64 t = 1; t <= 20; ++t)
            rate.add(t * 1000, t * 100);
        QCOMPARE(rate.perSecond(), 100.0);
        for (qint64 t = 21; t <= 30; ++t)
            rate.add(t * 1000, 2000 + (t - 20) * 400);
        QCOMPARE(rate.perSecond(), 400.0);
        QCOMPARE(rate.latest(), 6000);
        QCOMPARE(rate.secondsUntil(8000), 5.0);
        QCOMPARE(rate.secondsUntil(6000), 0.0);
        QCOMPARE(rate.secondsUntil(-1), -1.0); // no total known
    }

    void rollingRateStartsAgainOnANewClock() {
        RollingRate rate;
        rate.add(5000, 500);
        rate.add(6000, 600);
        rate.add(100, 0); // a new run's clock
        QCOMPARE(rate.perSecond(), 0.0);
        rate.add(1100, 50);
        QCOMPARE(rate.perSecond(), 50.0);
    }

    void durationTextReadsLikeAClock_data() {
        QTest::addColumn<double>("seconds");
        QTest::addColumn<QString>("text");
        QTest::newRow("seconds") << 42.0 << u"0:42"_s;
        QTest::newRow("rounded to the second") << 59.6 << u"1:00"_s;
        QTest::newRow("minutes") << 725.0 << u"12:05"_s;
        QTest::newRow("hours") << 3723.0 << u"1:02:03"_s;
        QTest::newRow("unknown") << -1.0 << u"?"_s;
        QTest::newRow("infinite") << std::numeric_limits<double>::infinity() << u"?"_s;
    }
    void durationTextReadsLikeAClock() {
        QFETCH(double, seconds);
        QFETCH(QString, text);
        QCOMPARE(durationText(seconds), text);
    }

    // ---- RunReport ----

    void reportJsonHasEveryDocumentedKeyAsNumbers() {
        RunReport report;
        report.runId = 7;
        report.status = u"succeeded"_s;
        report.durationSeconds = 12.4;
        report.metrics = seedLikeSnapshot();
        report.problems << u"Media batch 3 failed: connection reset"_s;
        const QJsonObject json = report.toJson();

        QCOMPARE(keysOf(json), sorted({u"run_id"_s, u"status"_s, u"duration_s"_s, u"config"_s,
                                       u"resources"_s, u"api"_s, u"db"_s, u"memory"_s, u"batches"_s,
                                       u"validation"_s, u"problems"_s}));
        const QStringList configKeys{u"batch_size"_s, u"property_batch_size"_s, u"db_batch_size"_s,
                                     u"throttle_ms"_s, u"concurrency"_s};
        const QStringList apiKeys{u"requests"_s,     u"succeeded"_s, u"failed"_s, u"retries"_s,
                                  u"rate_limited"_s, u"avg_ms"_s,    u"p50_ms"_s, u"p95_ms"_s,
                                  u"p99_ms"_s,       u"bytes"_s};
        const QStringList dbKeys{u"queries"_s, u"succeeded"_s, u"failed"_s, u"avg_ms"_s,
                                 u"p95_ms"_s};
        const QStringList memoryKeys{u"current_mb"_s, u"peak_mb"_s, u"avg_mb"_s};
        const QStringList batchKeys{u"count"_s,
                                    u"failed"_s,
                                    u"avg_ms"_s,
                                    u"parallel_max"_s,
                                    u"parallel_efficiency"_s,
                                    u"records_per_s"_s};
        const QStringList validationKeys{u"count"_s, u"cache_hits"_s, u"cache_hit_rate"_s};
        const QStringList progressKeys{u"fetched"_s, u"upserted"_s, u"deleted"_s, u"rejected"_s};
        const QStringList kindKeys{u"count"_s, u"failed"_s, u"avg_ms"_s, u"p95_ms"_s};

        QCOMPARE(keysOf(json[u"config"_s]),
                 sorted(configKeys +
                        QStringList{u"profile"_s, u"mode"_s, u"resources"_s, u"adaptive"_s}));
        QCOMPARE(keysOf(json[u"api"_s]), sorted(apiKeys));
        QCOMPARE(keysOf(json[u"db"_s]), sorted(dbKeys + QStringList{u"by_kind"_s}));
        QCOMPARE(keysOf(json[u"memory"_s]), sorted(memoryKeys));
        QCOMPARE(keysOf(json[u"batches"_s]), sorted(batchKeys));
        QCOMPARE(keysOf(json[u"validation"_s]), sorted(validationKeys));

        QStringList numbers{u"run_id"_s, u"duration_s"_s};
        auto under = [&numbers](const QString &prefix, const QStringList &keys) {
            for (const QString &key : keys)
                numbers << prefix + u'.' + key;
        };
        under(u"config"_s, configKeys);
        under(u"api"_s, apiKeys);
        under(u"db"_s, dbKeys);
        under(u"memory"_s, memoryKeys);
        under(u"batches"_s, batchKeys);
        under(u"validation"_s, validationKeys);
        QStringList resourceNames;
        for (Resource resource : resosync::reso::kAllResources) {
            resourceNames << resosync::reso::resourceName(resource);
            under(u"resources."_s + resosync::reso::resourceName(resource), progressKeys);
        }
        QCOMPARE(keysOf(json[u"resources"_s]), sorted(resourceNames));
        QStringList kinds;
        for (int kind = 0; kind < kDbStatementKinds; ++kind) {
            kinds << dbStatementName(DbStatement(kind));
            under(u"db.by_kind."_s + kinds.last(), kindKeys);
            QCOMPARE(keysOf(valueAt(json, u"db.by_kind."_s + kinds.last())), sorted(kindKeys));
        }
        QCOMPARE(keysOf(valueAt(json, u"db.by_kind"_s)), sorted(kinds));
        for (const QString &path : numbers)
            QVERIFY2(valueAt(json, path).isDouble(), qPrintable(path));

        for (const QString &path : {u"status"_s, u"config.profile"_s, u"config.mode"_s})
            QVERIFY2(valueAt(json, path).isString(), qPrintable(path));
        QVERIFY(json[u"config"_s][u"resources"_s].isArray());
        QCOMPARE(json[u"problems"_s].toArray().size(), 1);

        // The figures themselves, in the documented units.
        QCOMPARE(json[u"run_id"_s].toInteger(), 7);
        QCOMPARE(json[u"status"_s].toString(), u"succeeded"_s);
        QCOMPARE(valueAt(json, u"api.requests"_s).toInteger(), 45);
        QCOMPARE(valueAt(json, u"api.p95_ms"_s).toDouble(), 2100.0);
        QCOMPARE(valueAt(json, u"batches.parallel_efficiency"_s).toDouble(), 92.2);
        QCOMPARE(valueAt(json, u"validation.cache_hit_rate"_s).toDouble(), 0.8704);
        QCOMPARE(valueAt(json, u"validation.cache_hits"_s).toInteger(), 1088);
        QCOMPARE(valueAt(json, u"batches.records_per_s"_s).toDouble(), 41000.0);
        QCOMPARE(valueAt(json, u"resources.Media.upserted"_s).toInteger(), 499990);
        QCOMPARE(valueAt(json, u"config.batch_size"_s).toInt(), 2000);
    }

    void reportCoversOnlyTheConfiguredResources() {
        RunReport report;
        report.config.resources = {u"media"_s, u"Property"_s};
        report.metrics = seedLikeSnapshot();
        const QJsonObject json = report.toJson();
        QCOMPARE(keysOf(json[u"resources"_s]), sorted({u"Media"_s, u"Property"_s}));
        QCOMPARE(json[u"config"_s][u"resources"_s].toArray(),
                 QJsonArray({u"Property"_s, u"Media"_s}));
        const QString text = report.toText();
        QVERIFY(text.contains("\nMedia: "_L1));
        QVERIFY(!text.contains("\nOpenHouse: "_L1));
    }

    void reportTextIsTheSeedsBlock() {
        RunReport report;
        report.runId = 7;
        report.status = u"succeeded"_s;
        report.durationSeconds = 12.4;
        report.metrics = seedLikeSnapshot();
        report.problems << u"Media batch 3 failed: connection reset"_s;
        const QStringList lines = report.toText().split(u'\n');
        const QStringList expected{
            u"===== PERFORMANCE METRICS SUMMARY ====="_s,
            u"API Requests: 45 total, 98% success rate, 1250ms avg (p50 900ms, p95 2100ms, "
            "p99 3000ms), 3 retries, 0 rate-limited, 12.3 MB"_s,
            u"Database Queries: 156 total, 100% success rate, 85ms avg (p95 140ms)"_s,
            u"Memory Usage: 245MB current, 312MB peak, 280MB avg"_s,
            u"Batch Processing: 12 batches, 8900ms avg, 3 parallel max, 92% parallel "
            "efficiency, 41,000 records/s"_s,
            u"Property Validation: 1250 validations, 87% cache hit rate"_s,
            u"Property: 20000 fetched, 20000 upserted, 0 deleted, 0 rejected"_s,
            u"Media: 500000 fetched, 499990 upserted, 12 deleted, 10 rejected"_s,
            u"PropertyRooms: 0 fetched, 0 upserted, 0 deleted, 0 rejected"_s,
            u"OpenHouse: 0 fetched, 0 upserted, 0 deleted, 0 rejected"_s,
            u"Status: succeeded in 12.4 s (run 7)"_s,
            u"Problem: Media batch 3 failed: connection reset"_s,
            QString(), // the block ends with a newline
        };
        QCOMPARE(lines, expected);
        for (const QString &line : lines) {
            for (QChar c : line)
                QVERIFY2(c.unicode() < 128, qPrintable(line));
        }
    }

    void reportTextRoundsPercentagesHonestly_data() {
        QTest::addColumn<qint64>("part");
        QTest::addColumn<qint64>("whole");
        QTest::addColumn<QString>("shown");
        QTest::newRow("no requests is not a rate") << qint64(0) << qint64(0) << u"n/a"_s;
        QTest::newRow("all of them") << qint64(45) << qint64(45) << u"100%"_s;
        QTest::newRow("44 of 45 rounds to a whole percent") << qint64(44) << qint64(45) << u"98%"_s;
        QTest::newRow("one failure in a thousand is not 100%")
            << qint64(999) << qint64(1000) << u"99.9%"_s;
        QTest::newRow("one in a million is not 100% either")
            << qint64(999999) << qint64(1000000) << u"99.9%"_s;
        QTest::newRow("one success in a thousand is not 0%")
            << qint64(1) << qint64(1000) << u"0.1%"_s;
        QTest::newRow("none of them") << qint64(0) << qint64(12) << u"0%"_s;
    }
    void reportTextRoundsPercentagesHonestly() {
        QFETCH(qint64, part);
        QFETCH(qint64, whole);
        QFETCH(QString, shown);
        RunReport report;
        report.metrics.api.requests = whole;
        report.metrics.api.succeeded = part;
        report.metrics.api.failed = whole - part;
        report.metrics.validation = ValidationSummary{whole, part};
        const QString text = report.toText();
        QVERIFY2(text.contains(u"total, "_s + shown + u" success rate"_s), qPrintable(text));
        QVERIFY2(text.contains(u"validations, "_s + shown + u" cache hit rate"_s),
                 qPrintable(text));
    }

    void reportTextShowsSmallTimesAndFailedBatches() {
        RunReport report;
        report.status = u"failed"_s;
        report.metrics.db.queries = 10;
        report.metrics.db.succeeded = 10;
        report.metrics.db.avgMs = 0.42;
        report.metrics.db.p95Ms = 1.96;
        report.metrics.batches.count = 4;
        report.metrics.batches.failed = 1;
        report.metrics.batches.avgMs = 120;
        const QString text = report.toText();
        QVERIFY2(text.contains("0.4ms avg (p95 2.0ms)"_L1), qPrintable(text));
        QVERIFY2(text.contains("Batch Processing: 4 batches (1 failed), 120ms avg"_L1),
                 qPrintable(text));
        QVERIFY2(text.contains("\nStatus: failed in 0.0 s\n"_L1), qPrintable(text)); // no run id
    }

    void elapsedTimeReadsAsMinutesAndSeconds_data() {
        QTest::addColumn<qint64>("ms");
        QTest::addColumn<QString>("shown");
        QTest::newRow("the start") << 0LL << u"0:00"_s;
        QTest::newRow("seconds round down") << 4'999LL << u"0:04"_s;
        QTest::newRow("minutes") << 605'000LL << u"10:05"_s;
        QTest::newRow("an hour adds the hours") << 3'725'000LL << u"1:02:05"_s;
        QTest::newRow("negative is the start") << -5LL << u"0:00"_s;
    }
    void elapsedTimeReadsAsMinutesAndSeconds() {
        QFETCH(qint64, ms);
        QFETCH(QString, shown);
        QCOMPARE(formatElapsed(ms), shown);
    }

    void pointsSinceCutsAtTheFirstPointAtOrAfter() {
        const QList<SeriesPoint> points{{250, 1}, {500, 2}, {750, 3}, {1000, 4}};
        QCOMPARE(pointsSince(points, 0).size(), 4);
        QCOMPARE(pointsSince(points, 500).first().atMs, 500);
        QCOMPARE(pointsSince(points, 501).first().atMs, 750);
        QCOMPARE(pointsSince(points, 1001).size(), 0);
    }

    void runningMaxNeverFalls() {
        const QList<SeriesPoint> points{{1, 5}, {2, 3}, {3, 8}, {4, 7}, {5, 9}};
        QList<double> peaks;
        for (const SeriesPoint &point : runningMax(points))
            peaks << point.value;
        QCOMPARE(peaks, (QList<double>{5, 5, 8, 8, 9}));
    }

    void decimationIsBoundedAndKeepsExtremesAndEnds() {
        std::mt19937_64 random(7);
        QList<SeriesPoint> points;
        for (qint64 i = 0; i < 14'400; ++i)
            points.append({i * 250, std::uniform_real_distribution<double>(10, 20)(random)});
        points[9'001].value = 500; // a spike
        points[3'333].value = -40; // a dip
        const QList<SeriesPoint> kept = decimateMinMax(points, 600);
        QVERIFY(kept.size() <= 600);
        QCOMPARE(kept.first().atMs, points.first().atMs);
        QCOMPARE(kept.last().atMs, points.last().atMs);
        QVERIFY(std::is_sorted(kept.cbegin(), kept.cend(),
                               [](const auto &a, const auto &b) { return a.atMs < b.atMs; }));
        const auto [low, high] =
            std::minmax_element(kept.cbegin(), kept.cend(),
                                [](const auto &a, const auto &b) { return a.value < b.value; });
        QCOMPARE(high->atMs, points[9'001].atMs);
        QCOMPARE(low->atMs, points[3'333].atMs);
        // Points that fit are returned as they are.
        QCOMPARE(decimateMinMax(points.mid(0, 600), 600).size(), 600);
    }
};

QTEST_GUILESS_MAIN(TestMetrics)
#include "tst_metrics.moc"
