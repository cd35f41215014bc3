// The console's live charts and KPI tiles, driven by a real MetricsRecorder on a test clock:
// what each chart draws (values and times), the peak line, the time window, event markers,
// decimation, saved runs drawn as live ones, PNG export, the dark theme, and the KPI tiles
// against RunReport::toText. The charts are also saved as charts.png next to the test binary.
#include "ChartsView.h"
#include "KpiTiles.h"
#include "TimeChart.h"
#include "metrics/MetricsRecorder.h"
#include "metrics/RunReport.h"

#include <QApplication>
#include <QComboBox>
#include <QElapsedTimer>
#include <QImage>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QtCharts/QChart>
#include <QtCharts/QLineSeries>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <functional>
#include <memory>

#include <time.h>

using namespace Qt::StringLiterals;
using namespace resosync::metrics;
using resosync::reso::Resource;
using resosync::ui::ChartsView;
using resosync::ui::KpiTiles;
using resosync::ui::TimeChart;

namespace {

const QString kP50 = u"api.latency_p50_ms"_s;
const QString kP95 = u"api.latency_p95_ms"_s;
const QString kCopy = u"db.copy.avg_ms"_s;
const QString kMerge = u"db.merge.avg_ms"_s;
const QString kRss = u"memory.rss_mb"_s;
const QString kRecordsPerSecond = u"throughput.records_per_s"_s;
const QString kInFlight = u"batches.in_flight"_s;
const QStringList kDrawnSeries{kP50, kP95, kCopy, kMerge, kRss, kRecordsPerSecond, kInFlight};

// A run clock the test moves by hand, so every sample's time is known exactly.
struct ManualClock {
    std::shared_ptr<std::atomic<qint64>> ms = std::make_shared<std::atomic<qint64>>(50'000);
    MetricsRecorder::Clock clock() const {
        return [now = ms] { return now->load(); };
    }
};

// A recorder on a manual clock, started, with a way to play ticks of activity into it.
struct Run {
    ManualClock clock;
    std::unique_ptr<MetricsRecorder> recorder = std::make_unique<MetricsRecorder>(clock.clock());
    int ticks = 0;

    Run() { recorder->start(3); }

    /// One tick of a steady sync: 3 requests of (100 + tick % 7) ms each, a copy of 2 ms and
    /// one of 4 ms (3 ms average), a merge of (10 + tick % 5) ms, 500 rows upserted (2000/s),
    /// and tick % 3 batches in flight at the sample.
    void steadyTick() {
        const double latency = 100 + ticks % 7;
        for (int i = 0; i < 3; ++i)
            recorder->recordApiRequest(latency, 1000, 200, true);
        recorder->recordDbStatement(DbStatement::Copy, 2.0, true);
        recorder->recordDbStatement(DbStatement::Copy, 4.0, true);
        recorder->recordDbStatement(DbStatement::Merge, 10.0 + ticks % 5, true);
        recorder->addProgress(Resource::Property, 500, 500, 0, 0);
        const int inFlight = ticks % 3;
        for (int i = 0; i < inFlight; ++i)
            recorder->batchStarted();
        tick();
        for (int i = 0; i < inFlight; ++i)
            recorder->batchFinished(10, 0, true);
    }
    /// A tick of a sync that varies as real ones do (for the pictures): latencies, statement
    /// times and throughput drift and wobble, and the batches in flight follow them.
    void variedTick() {
        const double phase = double(ticks) / 40.0;
        for (int i = 0; i < 4; ++i)
            recorder->recordApiRequest(180 + 60 * std::sin(phase) + 90.0 * (i == 3), 1000, 200,
                                       true);
        recorder->recordDbStatement(DbStatement::Copy, 6 + 2 * std::sin(phase * 1.7), true);
        recorder->recordDbStatement(DbStatement::Merge, 25 + 8 * std::cos(phase), true);
        if (ticks % 8 == 0)
            recorder->recordDbStatement(DbStatement::Checkpoint, 3 + ticks % 5, true);
        recorder->addProgress(Resource::Media, 0, 300 + qint64(120 * std::sin(phase / 3)), 0, 0);
        const int inFlight = 2 + int(std::lround(std::sin(phase / 2)));
        for (int i = 0; i < inFlight; ++i)
            recorder->batchStarted();
        tick();
        for (int i = 0; i < inFlight; ++i)
            recorder->batchFinished(10, 0, true);
    }
    void variedTicks(int count) {
        for (int i = 0; i < count; ++i)
            variedTick();
    }
    void tick() {
        *clock.ms += MetricsRecorder::kTickMs;
        recorder->tickForTest();
        ++ticks;
    }
    void steadyTicks(int count) {
        for (int i = 0; i < count; ++i)
            steadyTick();
    }
    qint64 nowMs() const { return qint64(ticks) * MetricsRecorder::kTickMs; }

    QHash<QString, QList<SeriesPoint>> allSeries() const {
        QHash<QString, QList<SeriesPoint>> series;
        for (const QString &name : recorder->seriesNames())
            series.insert(name, recorder->series(name));
        return series;
    }
};

QList<QPointF> asChartPoints(const QList<SeriesPoint> &points) {
    QList<QPointF> converted;
    for (const SeriesPoint &point : points)
        converted.append(QPointF(double(point.atMs) / 1000.0, point.value));
    return converted;
}

double maxY(const QList<QPointF> &points) {
    double top = -1;
    for (const QPointF &point : points)
        top = std::max(top, point.y());
    return top;
}

QLineSeries *seriesNamed(TimeChart *chart, const QString &legendName) {
    for (QAbstractSeries *series : chart->chart()->series()) {
        if (series->name() == legendName)
            return qobject_cast<QLineSeries *>(series);
    }
    return nullptr;
}

// CPU time of this thread: on a shared, loaded machine wall-clock time mostly measures the
// other processes.
double threadCpuMs() {
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return double(now.tv_sec) * 1e3 + double(now.tv_nsec) / 1e6;
}

// A run whose figures sit where rounding could mislead: 1 failure in 1000 requests, 1 cache
// hit in 1000 checks, sub-millisecond statements, failed batches, thousands of records/s.
MetricsSnapshot rareEvents() {
    MetricsSnapshot m;
    m.api = ApiSummary{1000, 999, 1, 4, 2, 1250.4, 900, 2400, 4100, 52'000'000};
    m.db.queries = 156;
    m.db.succeeded = 156;
    m.db.avgMs = 0.44;
    m.memory = MemorySummary{245.4, 312.6, 260};
    m.batches.count = 12;
    m.batches.failed = 2;
    m.batches.avgMs = 8900;
    m.batches.parallelEfficiency = 87.5;
    m.batches.recordsPerSecond = 41'000.4;
    m.validation = ValidationSummary{1000, 1};
    return m;
}

bool shownAt(QWidget &widget, QSize size) {
    widget.resize(size);
    widget.show();
    return QTest::qWaitForWindowExposed(&widget);
}

void settleLayout() {
    // Chart layouts are activated by posted events.
    for (int i = 0; i < 5; ++i)
        QCoreApplication::processEvents();
}

QPalette darkPalette() {
    QPalette palette;
    palette.setColor(QPalette::Window, QColor(30, 30, 30));
    palette.setColor(QPalette::WindowText, QColor(230, 230, 230));
    palette.setColor(QPalette::Base, QColor(20, 20, 20));
    palette.setColor(QPalette::Text, QColor(230, 230, 230));
    palette.setColor(QPalette::Button, QColor(45, 45, 45));
    palette.setColor(QPalette::ButtonText, QColor(230, 230, 230));
    return palette;
}

} // namespace

class ChartsViewTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void liveChartsDrawTheRecordersPoints() {
        Run run;
        ChartsView view;
        view.attachRecorder(run.recorder.get());
        QVERIFY(view.isLive());
        run.steadyTicks(40);
        view.refresh();

        for (const QString &name : kDrawnSeries)
            QCOMPARE(view.points(name), asChartPoints(run.recorder->series(name)));

        // Values and times, exactly: one point per tick, x in seconds since the start.
        const QList<QPointF> p95 = view.points(kP95);
        QCOMPARE(p95.size(), 40);
        for (int i = 0; i < 40; ++i) {
            QCOMPARE(p95[i].x(), 0.25 * (i + 1));
            QCOMPARE(p95[i].y(), 100.0 + i % 7); // one latency per tick: p95 is that latency
            QCOMPARE(view.points(kP50)[i].y(), 100.0 + i % 7);
            QCOMPARE(view.points(kCopy)[i].y(), 3.0);
            QCOMPARE(view.points(kMerge)[i].y(), 10.0 + i % 5);
            QCOMPARE(view.points(kRecordsPerSecond)[i].y(), 2000.0);
            QCOMPARE(view.points(kInFlight)[i].y(), double(i % 3));
        }
        QVERIFY(view.points(kRss).first().y() > 1.0); // this process's RSS, in MB

        // The DB chart shows the kinds that ran, and only those.
        const QStringList shown = view.shownSeries();
        QVERIFY(shown.contains(kCopy) && shown.contains(kMerge));
        QVERIFY(!shown.contains(u"db.delete.avg_ms"_s));
        QVERIFY(!shown.contains(u"db.checkpoint.avg_ms"_s));
        QCOMPARE(view.points(u"db.delete.avg_ms"_s), QList<QPointF>());
    }

    void liveRedrawsFollowSnapshotsAtMostFourTimesASecond() {
        Run run;
        ChartsView view;
        view.attachRecorder(run.recorder.get());
        QLineSeries *throughput = seriesNamed(view.charts().at(3), u"records/s"_s);
        QVERIFY(throughput);
        QSignalSpy redraws(throughput, &QXYSeries::pointsReplaced);
        QElapsedTimer elapsed;
        elapsed.start();
        // No refresh() here: the snapshots alone must bring the points.
        for (int i = 0; i < 20; ++i) {
            run.steadyTick();
            QCoreApplication::processEvents();
        }
        QTRY_COMPARE(view.points(kRecordsPerSecond).size(), 20);
        const qint64 allowed = 1 + elapsed.elapsed() / ChartsView::kMinRedrawIntervalMs + 1;
        QVERIFY2(redraws.count() <= allowed,
                 qPrintable(u"%1 redraws in %2 ms"_s.arg(redraws.count()).arg(elapsed.elapsed())));
    }

    void followsARecorderTickingOnAnotherThread() {
        // As in the console: the engine's recorder lives and ticks on the engine thread.
        QThread engineThread;
        engineThread.start();
        auto *recorder = new MetricsRecorder; // the steady clock and the real 250 ms timer
        recorder->moveToThread(&engineThread);
        const auto stopThread = qScopeGuard([&] {
            recorder->deleteLater();
            engineThread.quit();
            engineThread.wait();
        });
        ChartsView view;
        view.attachRecorder(recorder);
        recorder->start(3);
        for (int i = 0; i < 50; ++i)
            recorder->recordDbStatement(DbStatement::Merge, 12.5, true);
        QTRY_VERIFY_WITH_TIMEOUT(!view.points(u"db.merge.avg_ms"_s).isEmpty(), 5000);
        QCOMPARE(view.points(u"db.merge.avg_ms"_s).first().y(), 12.5);
        QTRY_VERIFY_WITH_TIMEOUT(view.points(kRss).size() >= 3, 5000); // it keeps following
        recorder->markEvent(u"paused"_s);
        QTRY_COMPARE_WITH_TIMEOUT(view.markerLabels(), QStringList{u"paused"_s}, 5000);

        recorder->stop();
        view.detach(); // keeps a copy: the charts outlive the recorder
        const QList<QPointF> kept = view.points(kRss);
        QVERIFY(!view.isLive());
        QVERIFY(!kept.isEmpty());
    }

    void peakLineIsTheRunningMaximumSinceTheStart() {
        // A saved run: RSS rises to 400 MB in the first minute, then falls to ~150 MB.
        QList<SeriesPoint> rss;
        for (qint64 at = 500; at <= 180'000; at += 500) // 360 points: none decimated away
            rss.append(SeriesPoint{at, at < 30'000 ? 100.0 + double(at) / 100.0 : 150.0});
        ChartsView view;
        view.setWindow(ChartsView::Window::WholeRun);
        view.showRecorded({{kRss, rss}}, {});
        const QList<QPointF> drawnRss = view.points(kRss);
        const QList<QPointF> peak = view.points(ChartsView::kMemoryPeakSeries);
        QCOMPARE(peak.size(), drawnRss.size());
        double runningMax = 0;
        for (int i = 0; i < peak.size(); ++i) {
            runningMax = std::max(runningMax, drawnRss[i].y());
            QCOMPARE(peak[i].x(), drawnRss[i].x());
            QCOMPARE(peak[i].y(), runningMax);
        }
        // In the last minute the RSS is flat, but the peak stays the run's peak.
        view.setWindow(ChartsView::Window::LastMinute);
        QCOMPARE(maxY(view.points(kRss)), 150.0);
        for (const QPointF &point : view.points(ChartsView::kMemoryPeakSeries))
            QCOMPARE(point.y(), 100.0 + 29'500.0 / 100.0);
    }

    void windowSelectorTrimsPoints_data() {
        QTest::addColumn<int>("window");
        QTest::addColumn<qint64>("windowMs");
        QTest::newRow("the last minute shows 60 s")
            << int(ChartsView::Window::LastMinute) << 60'000LL;
        QTest::newRow("the last 5 minutes show 300 s")
            << int(ChartsView::Window::Last5Minutes) << 300'000LL;
        QTest::newRow("30 minutes of a 10-minute run show all of it")
            << int(ChartsView::Window::Last30Minutes) << 1'800'000LL;
        QTest::newRow("the whole run shows all of it") << int(ChartsView::Window::WholeRun) << 0LL;
    }
    void windowSelectorTrimsPoints() {
        QFETCH(int, window);
        QFETCH(qint64, windowMs);
        Run run;
        run.steadyTicks(4 * 60 * 10); // ten minutes
        const qint64 end = run.nowMs();
        ChartsView view;
        view.attachRecorder(run.recorder.get()); // draws at once (the default 5 min window)

        // Through the combo box, as a user picks it.
        auto *box = view.findChild<QComboBox *>();
        QVERIFY(box);
        QSignalSpy changed(&view, &ChartsView::windowChanged);
        box->setCurrentIndex(box->findData(window));
        if (ChartsView::Window(window) != ChartsView::Window::Last5Minutes)
            QCOMPARE(changed.count(), 1);
        QCOMPARE(int(view.window()), window);

        const qint64 from = windowMs > 0 ? std::max<qint64>(0, end - windowMs) : 0;
        const qint64 expectedPoints = (end - std::max<qint64>(from, 250)) / 250 + 1;
        for (const QString &name : kDrawnSeries) {
            const QList<QPointF> points = view.points(name);
            QVERIFY2(!points.isEmpty(), qPrintable(name));
            QVERIFY2(points.size() <= ChartsView::kMaxPointsPerSeries, qPrintable(name));
            QCOMPARE(points.first().x(), double(std::max<qint64>(from, 250)) / 1000.0);
            QCOMPARE(points.last().x(), double(end) / 1000.0);
            if (expectedPoints <= ChartsView::kMaxPointsPerSeries)
                QCOMPARE(qint64(points.size()), expectedPoints);
        }
        for (TimeChart *chart : view.charts()) {
            QCOMPARE(chart->fromMs(), from);
            QCOMPARE(chart->toMs(), std::max(end, from + windowMs));
        }
    }

    void decimationKeepsTheSpike() {
        Run run;
        for (int i = 0; i < 3600; ++i) {
            run.recorder->recordApiRequest(i == 1234 ? 5000.0 : 50.0 + i % 3, 1000, 200, true);
            run.tick();
        }
        ChartsView view;
        view.setWindow(ChartsView::Window::WholeRun);
        view.attachRecorder(run.recorder.get());
        const QList<QPointF> p95 = view.points(kP95);
        QVERIFY(p95.size() <= ChartsView::kMaxPointsPerSeries);
        QVERIFY(p95.size() >= ChartsView::kMaxPointsPerSeries - 2);
        QCOMPARE(maxY(p95), 5000.0);
        const auto spike = std::find_if(p95.cbegin(), p95.cend(),
                                        [](const QPointF &point) { return point.y() == 5000.0; });
        QCOMPARE(spike->x(), 1235 * 0.25); // the 1235th tick, at its own time
        QVERIFY(std::is_sorted(p95.cbegin(), p95.cend(),
                               [](const QPointF &a, const QPointF &b) { return a.x() < b.x(); }));
        QCOMPARE(std::min_element(p95.cbegin(), p95.cend(),
                                  [](const QPointF &a, const QPointF &b) { return a.y() < b.y(); })
                     ->y(),
                 50.0);
    }

    void eventsBecomeMarkersOnEveryChart() {
        Run run;
        ChartsView view;
        QVERIFY(shownAt(view, QSize(1000, 700)));
        view.attachRecorder(run.recorder.get());
        run.steadyTicks(8);
        run.recorder->markEvent(u"batch size 2000 -> 1000"_s); // at 2 s
        run.steadyTicks(12);
        run.recorder->markEvent(u"paused"_s); // at 5 s
        run.steadyTicks(20);
        view.refresh();
        settleLayout();

        const QStringList labels{u"batch size 2000 -> 1000"_s, u"paused"_s};
        QCOMPARE(view.markerLabels(), labels);
        const auto checkMarkers = [&](const QList<double> &seconds) {
            for (TimeChart *chart : view.charts()) {
                QCOMPARE(chart->markerCount(), int(seconds.size()));
                const QList<QLineF> lines = chart->markerLines();
                QAbstractSeries *anySeries = chart->chart()->series().first();
                const QRectF plot = chart->chart()->plotArea();
                for (int i = 0; i < seconds.size(); ++i) {
                    const double x =
                        chart->chart()->mapToPosition(QPointF(seconds[i], 0), anySeries).x();
                    QVERIFY2(qAbs(lines[i].x1() - x) < 0.5,
                             qPrintable(u"%1 at %2, expected %3"_s.arg(chart->chart()->title())
                                            .arg(lines[i].x1())
                                            .arg(x)));
                    QCOMPARE(lines[i].y1(), plot.top());
                    QCOMPARE(lines[i].y2(), plot.bottom());
                }
            }
        };
        checkMarkers({2.0, 5.0});

        // A new size moves the plot area: the markers follow it.
        view.resize(1400, 900);
        settleLayout();
        checkMarkers({2.0, 5.0});

        // Two minutes on, the last minute no longer holds them; the whole run does.
        run.steadyTicks(4 * 110);
        view.setWindow(ChartsView::Window::LastMinute);
        settleLayout();
        QCOMPARE(view.markerCount(), 0);
        view.setWindow(ChartsView::Window::WholeRun);
        settleLayout();
        QCOMPARE(view.markerLabels(), labels);
        checkMarkers({2.0, 5.0});
    }

    void savedRunDrawsWhatTheLiveViewDrew() {
        Run run;
        ChartsView live;
        live.setWindow(ChartsView::Window::WholeRun);
        live.attachRecorder(run.recorder.get());
        run.steadyTicks(100);
        run.recorder->markEvent(u"throttle 750 ms -> 0 ms"_s);
        run.steadyTicks(3000); // past 600 points: decimation included
        live.refresh();

        ChartsView saved;
        saved.setWindow(ChartsView::Window::WholeRun);
        saved.showRecorded(run.allSeries(), run.recorder->events());
        QVERIFY(!saved.isLive());
        QCOMPARE(saved.shownSeries(), live.shownSeries());
        for (const QString &name : live.shownSeries())
            QCOMPARE(saved.points(name), live.points(name));
        QCOMPARE(saved.markerLabels(), live.markerLabels());
        QCOMPARE(saved.markerLabels(), QStringList{u"throttle 750 ms -> 0 ms"_s});

        // Rows loaded out of order draw the same.
        QHash<QString, QList<SeriesPoint>> shuffled = run.allSeries();
        for (QList<SeriesPoint> &points : shuffled)
            std::reverse(points.begin(), points.end());
        saved.showRecorded(shuffled, run.recorder->events());
        for (const QString &name : live.shownSeries())
            QCOMPARE(saved.points(name), live.points(name));

        // Detaching keeps the live view's data, still re-windowable.
        const QList<QPointF> before = live.points(kRecordsPerSecond);
        live.detach();
        QVERIFY(!live.isLive());
        QCOMPARE(live.points(kRecordsPerSecond), before);
        live.setWindow(ChartsView::Window::LastMinute);
        QCOMPARE(live.points(kRecordsPerSecond).size(), 241);
    }

    void recorderDestroyedWhileAttachedKeepsTheLastCharts() {
        auto run = std::make_unique<Run>();
        ChartsView view;
        view.attachRecorder(run->recorder.get());
        run->steadyTicks(10);
        view.refresh();
        const QList<QPointF> drawn = view.points(kRecordsPerSecond);
        QCOMPARE(drawn.size(), 10);

        run.reset(); // the recorder goes while the view follows it
        QCoreApplication::processEvents();
        QVERIFY(!view.isLive());
        view.refresh();
        view.setWindow(ChartsView::Window::WholeRun);
        QTest::qWait(2 * ChartsView::kMinRedrawIntervalMs); // any pending redraw has run
        QCOMPARE(view.points(kRecordsPerSecond), drawn);    // frozen: the last data drawn

        view.clear();
        QCOMPARE(view.points(kRecordsPerSecond), QList<QPointF>());
        QCOMPARE(view.markerCount(), 0);
    }

    void savePngWritesTheFourCharts() {
        Run run;
        ChartsView view;
        QVERIFY(shownAt(view, QSize(1200, 800)));
        view.attachRecorder(run.recorder.get());
        run.variedTicks(4 * 90);
        run.recorder->markEvent(u"batch size 2000 -> 1000"_s);
        run.variedTicks(4 * 90);
        run.recorder->markEvent(u"concurrency 3 -> 5"_s);
        run.variedTicks(4 * 60);
        view.refresh();
        settleLayout();

        QTemporaryDir dir;
        const QString path = dir.filePath(u"charts.png"_s);
        QString error;
        QVERIFY2(view.savePng(path, &error), qPrintable(error));
        QImage image(path);
        QVERIFY(!image.isNull());
        const QWidget *grid = view.findChild<QWidget *>(u"chartsGrid"_s);
        QVERIFY(grid);
        QCOMPARE(image.size(), grid->size() * view.devicePixelRatio());
        QVERIFY(grid->width() > 1000 && grid->height() > 600);
        // For review, next to the test binary.
        QVERIFY(view.savePng(QCoreApplication::applicationDirPath() + u"/charts.png"_s, &error));

        QVERIFY(!view.savePng(dir.filePath(u"no-such-folder/charts.png"_s), &error));
        QVERIFY2(error.contains(u"no-such-folder"_s), qPrintable(error));
    }

    void chartsFollowADarkPalette() {
        const QPalette original = QApplication::palette();
        const auto restore = qScopeGuard([&] { QApplication::setPalette(original); });
        ChartsView view;
        QVERIFY(shownAt(view, QSize(1000, 700)));
        for (TimeChart *chart : view.charts())
            QCOMPARE(chart->chart()->theme(), QChart::ChartThemeLight);

        QApplication::setPalette(darkPalette());
        settleLayout();
        for (TimeChart *chart : view.charts())
            QCOMPARE(chart->chart()->theme(), QChart::ChartThemeDark);
        const QImage image = view.charts().first()->grab().toImage();
        QVERIFY2(image.pixelColor(image.width() / 2, 8).lightness() < 100,
                 "the chart background is dark");
        QVERIFY(view.grab().save(QCoreApplication::applicationDirPath() + u"/charts-dark.png"_s));

        QApplication::setPalette(original);
        settleLayout();
        for (TimeChart *chart : view.charts())
            QCOMPARE(chart->chart()->theme(), QChart::ChartThemeLight);
    }

    void everyChartAndTheWindowSelectorHaveATooltip() {
        ChartsView view;
        QVERIFY(!view.findChild<QComboBox *>()->toolTip().isEmpty());
        for (TimeChart *chart : view.charts())
            QVERIFY2(chart->toolTip().size() > 40, qPrintable(chart->chart()->title()));
        KpiTiles tiles;
        for (const QString &id : KpiTiles::tileIds()) {
            const QWidget *tile = tiles.findChild<QWidget *>(id);
            QVERIFY2(tile && tile->toolTip().size() > 40, qPrintable(id));
        }
    }

    void kpiTilesReadAsTheReport_data() {
        QTest::addColumn<MetricsSnapshot>("snapshot");
        QTest::newRow("before anything ran") << MetricsSnapshot{};

        QTest::newRow("rare failures and cache hits are not rounded away") << rareEvents();

        MetricsSnapshot busy;
        busy.api = ApiSummary{45, 44, 1, 0, 0, 85, 80, 120, 300, 1'000'000};
        busy.db.queries = 20'000;
        busy.db.succeeded = 19'990;
        busy.db.avgMs = 85.3;
        busy.memory = MemorySummary{1024.5, 2047.5, 1500};
        busy.batches.count = 1'234'567;
        busy.batches.parallelEfficiency = 100;
        busy.batches.recordsPerSecond = 1'234'567.6;
        busy.validation = ValidationSummary{1250, 1250};
        QTest::newRow("large counts and full efficiency") << busy;
    }
    void kpiTilesReadAsTheReport() {
        QFETCH(MetricsSnapshot, snapshot);
        KpiTiles tiles;
        tiles.showSnapshot(snapshot);
        RunReport report;
        report.metrics = snapshot;
        const QString text = report.toText();
        const auto value = [&](const char *id) { return tiles.tileValue(QLatin1StringView(id)); };
        const auto detail = [&](const char *id) { return tiles.tileDetail(QLatin1StringView(id)); };
        const auto expectIn = [&](const QString &fragment) {
            QVERIFY2(text.contains(fragment),
                     qPrintable(u"'%1' is not in the report:\n%2"_s.arg(fragment, text)));
        };
        expectIn("API Requests: "_L1 + value("api") + " total, "_L1 + detail("api") + ", "_L1);
        expectIn("Database Queries: "_L1 + value("db") + " total, "_L1);
        expectIn(" success rate, "_L1 + detail("db") + " (p95 "_L1);
        expectIn("Memory Usage: "_L1 + value("memory") + " current, "_L1 + detail("memory") +
                 ", "_L1);
        expectIn("Batch Processing: "_L1 + value("batches") + ", "_L1);
        expectIn(" parallel max, "_L1 + detail("batches") + ", "_L1 + value("throughput") + " "_L1 +
                 detail("throughput") + u'\n');
        expectIn("Property Validation: "_L1 + detail("validation") + ", "_L1 + value("validation") +
                 " cache hit rate\n"_L1);
        QCOMPARE(tiles.tileText(u"api"_s), value("api") + u'\n' + detail("api"));
    }

    void kpiTilesFormatTheirFigures() {
        // The same figures spelled out, so a formatting change shows here as well.
        KpiTiles tiles;
        tiles.showSnapshot(rareEvents());
        tiles.resize(1100, 110);
        QVERIFY(tiles.grab().save(QCoreApplication::applicationDirPath() + u"/kpi-tiles.png"_s));
        QCOMPARE(tiles.tileText(u"api"_s), u"1000\n99.9% success rate"_s);
        QCOMPARE(tiles.tileText(u"db"_s), u"156\n0.4ms avg"_s);
        QCOMPARE(tiles.tileText(u"memory"_s), u"245MB\n313MB peak"_s);
        QCOMPARE(tiles.tileText(u"batches"_s), u"12 batches (2 failed)\n88% parallel efficiency"_s);
        QCOMPARE(tiles.tileText(u"validation"_s), u"0.1%\n1000 validations"_s);
        QCOMPARE(tiles.tileText(u"throughput"_s), u"41,000\nrecords/s"_s);
    }

    // Not a pass/fail test: prints what one redraw costs with an hour of data in every series
    // (kSeriesCapacity points), for docs/PERFORMANCE.md. Never asserts on time.
    void benchRedrawWithAFullHour() {
        Run run;
        for (int i = 0; i < MetricsRecorder::kSeriesCapacity; ++i) {
            run.recorder->recordApiRequest(80 + i % 40, 1000, 200, true);
            run.recorder->recordDbStatement(DbStatement::Copy, 2 + i % 5, true);
            run.recorder->recordDbStatement(DbStatement::Merge, 10 + i % 9, true);
            run.recorder->addProgress(Resource::Media, 0, 100 + i % 50, 0, 0);
            run.tick();
        }
        for (int i = 0; i < 50; ++i)
            run.recorder->markEvent(u"batch size %1"_s.arg(i));
        QCOMPARE(run.recorder->series(kP95).size(), MetricsRecorder::kSeriesCapacity);

        ChartsView view;
        QVERIFY(shownAt(view, QSize(1600, 1000)));
        view.attachRecorder(run.recorder.get());
        const QList<std::pair<ChartsView::Window, const char *>> windows{
            {ChartsView::Window::LastMinute, "last 1 min"},
            {ChartsView::Window::Last5Minutes, "last 5 min"},
            {ChartsView::Window::Last30Minutes, "last 30 min"},
            {ChartsView::Window::WholeRun, "whole run (1 h)"}};
        for (const auto &[window, name] : windows) {
            view.setWindow(window);
            constexpr int kRepeats = 20;
            QList<double> refreshMs;
            QList<double> paintMs;
            for (int i = 0; i < kRepeats; ++i) {
                run.steadyTick(); // as live: a new tick each time, so the window slides
                const double start = threadCpuMs();
                view.refresh();
                const double refreshed = threadCpuMs();
                view.grab(); // the paint the redraw causes, all four charts
                refreshMs.append(refreshed - start);
                paintMs.append(threadCpuMs() - refreshed);
            }
            std::sort(refreshMs.begin(), refreshMs.end());
            std::sort(paintMs.begin(), paintMs.end());
            qInfo("redraw, %s: data + series update %.2f ms, paint %.2f ms of CPU (medians of %d; "
                  "%d series x %d points held)",
                  name, refreshMs[kRepeats / 2], paintMs[kRepeats / 2], kRepeats,
                  int(run.recorder->seriesNames().size()), MetricsRecorder::kSeriesCapacity);
        }
    }
};

QTEST_MAIN(ChartsViewTest)
#include "tst_chartsview.moc"
