#include "ChartsView.h"

#include "TimeChart.h"
#include "metrics/MetricsRecorder.h"
#include "metrics/SeriesShaping.h"

#include <QComboBox>
#include <QDir>
#include <QEvent>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QImageWriter>
#include <QLabel>
#include <QPixmap>
#include <QSignalBlocker>
#include <QVBoxLayout>

#include <algorithm>

namespace resosync::ui {

using namespace Qt::StringLiterals;
using metrics::RunEvent;
using metrics::SeriesPoint;

namespace {

const QString kMemoryRssSeries = u"memory.rss_mb"_s;

qint64 windowMs(ChartsView::Window window) {
    switch (window) {
    case ChartsView::Window::LastMinute:
        return 60'000;
    case ChartsView::Window::Last5Minutes:
        return 5 * 60'000;
    case ChartsView::Window::Last30Minutes:
        return 30 * 60'000;
    case ChartsView::Window::WholeRun:
        break;
    }
    return 0;
}

QList<QPointF> chartPoints(const QList<SeriesPoint> &points) {
    QList<QPointF> converted;
    converted.reserve(points.size());
    for (const SeriesPoint &point : points)
        converted.append(QPointF(double(point.atMs) / 1000.0, point.value));
    return converted;
}

// The latest moment a saved run knows of: its last sample or event.
qint64 endOf(const QHash<QString, QList<SeriesPoint>> &series, const QList<RunEvent> &events) {
    qint64 end = 0;
    for (const QList<SeriesPoint> &points : series) {
        if (!points.isEmpty())
            end = std::max(end, points.last().atMs);
    }
    for (const RunEvent &event : events)
        end = std::max(end, event.atMs);
    return end;
}

} // namespace

ChartsView::ChartsView(QWidget *parent)
    : QWidget(parent) {
    m_windowBox = new QComboBox(this);
    m_windowBox->addItem(tr("Last 1 min"), int(Window::LastMinute));
    m_windowBox->addItem(tr("Last 5 min"), int(Window::Last5Minutes));
    m_windowBox->addItem(tr("Last 30 min"), int(Window::Last30Minutes));
    m_windowBox->addItem(tr("Whole run"), int(Window::WholeRun));
    m_windowBox->setCurrentIndex(m_windowBox->findData(int(m_window)));
    m_windowBox->setToolTip(
        tr("How much of the run the charts show: the last 1, 5 or 30 minutes, or the whole run "
           "(the recorder keeps the last hour). The time axis is minutes:seconds since the run "
           "started. Default: last 5 min."));
    connect(m_windowBox, &QComboBox::currentIndexChanged, this,
            [this](int index) { setWindow(Window(m_windowBox->itemData(index).toInt())); });
    m_sourceLabel = new QLabel(this);

    auto *top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Time window:"), this));
    top->addWidget(m_windowBox);
    top->addSpacing(12);
    top->addWidget(m_sourceLabel, 1);

    m_grid = new QWidget(this);
    m_grid->setObjectName(u"chartsGrid"_s);
    buildCharts();

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_grid, 1);

    m_redrawTimer.setSingleShot(true);
    connect(&m_redrawTimer, &QTimer::timeout, this, &ChartsView::refresh);
    applyPalette();
    clear();
}

ChartsView::~ChartsView() = default;

void ChartsView::buildCharts() {
    auto *api = new TimeChart(tr("API latency"), tr("ms per request"), m_grid);
    api->addLine(u"api.latency_p50_ms"_s, tr("p50"));
    api->addLine(u"api.latency_p95_ms"_s, tr("p95"));
    api->setToolTip(tr("Feed request latency (retries included) in each 250 ms tick: the median "
                       "(p50) and the 95th percentile (p95) of the requests that ended in the "
                       "tick. A tick without requests has no point."));

    auto *db = new TimeChart(tr("DB query time by statement"), tr("ms per statement"), m_grid);
    for (int kind = 0; kind < metrics::kDbStatementKinds; ++kind) {
        const auto statement = metrics::DbStatement(kind);
        db->addLine(metrics::dbTimeSeriesName(statement), metrics::dbStatementName(statement),
                    TimeChart::Side::Left, true);
    }
    db->setToolTip(tr("Average duration of the database statements that ended in each 250 ms "
                      "tick, one line per kind of statement that ran (copy: COPY into staging; "
                      "merge: the upsert; delete; checkpoint; key_stream: listing keys read; "
                      "reject; run_log; other)."));

    auto *memory = new TimeChart(tr("Memory"), tr("MB resident (RSS)"), m_grid);
    memory->addLine(kMemoryRssSeries, tr("current RSS"));
    memory->addLine(kMemoryPeakSeries, tr("peak"));
    memory->setToolTip(tr("Resident memory (RSS) of this process, sampled every 250 ms, and its "
                          "peak: the highest RSS from the start of the run to each moment."));

    auto *throughput = new TimeChart(tr("Batch throughput"), tr("records/s"), m_grid);
    throughput->addRightAxis(tr("batches in flight"));
    throughput->addLine(u"throughput.records_per_s"_s, tr("records/s"));
    throughput->addLine(u"batches.in_flight"_s, tr("batches in flight"), TimeChart::Side::Right);
    throughput->setToolTip(tr("Records written to the database per second (left axis: rows "
                              "upserted in each 250 ms tick) and the batches in flight at each "
                              "tick (right axis; at most the configured concurrency)."));

    m_charts = {api, db, memory, throughput};
    auto *grid = new QGridLayout(m_grid);
    grid->setContentsMargins(0, 0, 0, 0);
    for (int i = 0; i < m_charts.size(); ++i) {
        m_charts[i]->setMinimumSize(320, 220);
        grid->addWidget(m_charts[i], i / 2, i % 2);
    }
}

void ChartsView::attachRecorder(const metrics::MetricsRecorder *recorder) {
    clear();
    if (!recorder)
        return;
    m_recorder = recorder;
    m_liveEndMs = recorder->snapshot().elapsedMs;
    // Queued: snapshotReady comes from the recorder's thread; here it only schedules a redraw,
    // which reads the series (thread-safe) on this thread. The pointer comparison drops a
    // snapshot still queued from a recorder detached since.
    m_snapshotConnection = connect(
        recorder, &metrics::MetricsRecorder::snapshotReady, this,
        [this, recorder](const metrics::MetricsSnapshot &snapshot) {
            if (m_recorder != recorder)
                return;
            m_liveEndMs = snapshot.elapsedMs;
            scheduleRedraw();
        },
        Qt::QueuedConnection);
    m_destroyedConnection = connect(recorder, &QObject::destroyed, this, [this] {
        if (!m_recorder.isNull())
            return; // a newer recorder is attached
        stopFollowing();
        setSourceText(tr("The run's recorder has closed: the charts show the last data drawn."));
    });
    setSourceText(tr("Live: updated up to 4 times a second."));
    refresh();
}

void ChartsView::showRecorded(const QHash<QString, QList<SeriesPoint>> &series,
                              const QList<RunEvent> &events) {
    clear();
    m_hasRecorded = true;
    m_recorded = series;
    // Windows are cut by binary search: make sure every series is in time order, whatever
    // order the rows were loaded in.
    for (QList<SeriesPoint> &points : m_recorded) {
        std::stable_sort(
            points.begin(), points.end(),
            [](const SeriesPoint &a, const SeriesPoint &b) { return a.atMs < b.atMs; });
    }
    m_recordedEvents = events;
    std::stable_sort(m_recordedEvents.begin(), m_recordedEvents.end(),
                     [](const RunEvent &a, const RunEvent &b) { return a.atMs < b.atMs; });
    m_recordedEndMs = endOf(m_recorded, m_recordedEvents);
    setSourceText(tr("Saved run."));
    refresh();
}

void ChartsView::detach() {
    const metrics::MetricsRecorder *recorder = m_recorder.data();
    if (!recorder) {
        stopFollowing();
        return;
    }
    QHash<QString, QList<SeriesPoint>> series;
    for (const QString &name : recorder->seriesNames())
        series.insert(name, recorder->series(name));
    showRecorded(series, recorder->events());
}

void ChartsView::clear() {
    stopFollowing();
    m_hasRecorded = false;
    m_recorded.clear();
    m_recordedEvents.clear();
    m_recordedEndMs = 0;
    const qint64 span = windowMs(m_window);
    for (TimeChart *chart : std::as_const(m_charts)) {
        chart->clearData();
        chart->setTimeRange(0, span > 0 ? span : 60'000);
    }
    setSourceText(tr("No run yet: start a sync, or open one from the history."));
}

void ChartsView::stopFollowing() {
    disconnect(m_snapshotConnection);
    disconnect(m_destroyedConnection);
    m_recorder = nullptr;
    m_redrawTimer.stop();
}

void ChartsView::setWindow(Window window) {
    if (window == m_window)
        return;
    m_window = window;
    const QSignalBlocker blocker(m_windowBox);
    m_windowBox->setCurrentIndex(m_windowBox->findData(int(window)));
    refresh();
    Q_EMIT windowChanged(window);
}

void ChartsView::scheduleRedraw() {
    if (m_redrawTimer.isActive())
        return; // the coming redraw will read this snapshot's data too
    const qint64 sinceLast =
        m_sinceRedraw.isValid() ? m_sinceRedraw.elapsed() : qint64(kMinRedrawIntervalMs);
    m_redrawTimer.start(int(std::max<qint64>(0, kMinRedrawIntervalMs - sinceLast)));
}

void ChartsView::refresh() {
    if (const metrics::MetricsRecorder *recorder = m_recorder.data()) {
        draw([recorder](const QString &name,
                        qint64 sinceMs) { return recorder->series(name, sinceMs); },
             recorder->events(), m_liveEndMs);
    } else if (m_hasRecorded) {
        draw(
            [this](const QString &name, qint64 sinceMs) {
                return metrics::pointsSince(m_recorded.value(name), sinceMs);
            },
            m_recordedEvents, m_recordedEndMs);
    }
    // Neither: nothing to read. The charts keep what they show (empty after clear(), or the
    // last data drawn when the recorder went away).
}

void ChartsView::draw(const Fetch &fetch, const QList<RunEvent> &events, qint64 knownEndMs) {
    // RSS is sampled on every tick, so its last point is the newest tick, which may be newer
    // than the snapshot that scheduled this redraw. The peak line needs all of it anyway.
    const QList<SeriesPoint> rss = fetch(kMemoryRssSeries, 0);
    const qint64 endMs = std::max(knownEndMs, rss.isEmpty() ? 0 : rss.last().atMs);
    const qint64 span = windowMs(m_window);
    // A window longer than the run so far starts at 0 and keeps its full width, so the lines
    // grow from the left instead of the axis rescaling every tick.
    const qint64 fromMs = span > 0 ? std::max<qint64>(0, endMs - span) : 0;
    const qint64 toMs = span > 0 ? std::max(endMs, fromMs + span) : std::max<qint64>(endMs, 10'000);

    for (TimeChart *chart : std::as_const(m_charts)) {
        chart->setTimeRange(fromMs, toMs);
        for (const QString &id : chart->lineIds()) {
            QList<SeriesPoint> points;
            if (id == kMemoryRssSeries)
                points = metrics::pointsSince(rss, fromMs);
            else if (id == kMemoryPeakSeries) // the peak since the run started, not the window's
                points = metrics::pointsSince(metrics::runningMax(rss), fromMs);
            else
                points = fetch(id, fromMs);
            chart->setPoints(id, chartPoints(metrics::decimateMinMax(points, kMaxPointsPerSeries)));
        }
        chart->rescaleValueAxes();
        chart->setMarkers(events);
    }
    m_sinceRedraw.start();
}

bool ChartsView::savePng(const QString &path, QString *error) const {
    const QPixmap image = m_grid->grab();
    QImageWriter writer(path, "png");
    if (writer.write(image.toImage()))
        return true;
    if (error)
        *error = tr("Could not save the charts as %1: %2. Check that the folder exists and that "
                    "you may write to it.")
                     .arg(QDir::toNativeSeparators(path), writer.errorString());
    return false;
}

QList<QPointF> ChartsView::points(const QString &seriesName) const {
    for (const TimeChart *chart : m_charts) {
        if (chart->lineIds().contains(seriesName))
            return chart->points(seriesName);
    }
    return {};
}

QStringList ChartsView::shownSeries() const {
    QStringList shown;
    for (const TimeChart *chart : m_charts)
        shown += chart->shownLineIds();
    return shown;
}

int ChartsView::markerCount() const {
    return m_charts.first()->markerCount();
}

QStringList ChartsView::markerLabels() const {
    return m_charts.first()->markerLabels();
}

void ChartsView::changeEvent(QEvent *event) {
    if (event->type() == QEvent::PaletteChange)
        applyPalette();
    QWidget::changeEvent(event);
}

void ChartsView::applyPalette() {
    // The charts draw their own backgrounds: pick the theme that matches the window's.
    const bool dark = palette().color(QPalette::Window).lightness() < 128;
    for (TimeChart *chart : std::as_const(m_charts))
        chart->setDark(dark);
}

void ChartsView::setSourceText(const QString &text) {
    m_sourceLabel->setText(text);
}

} // namespace resosync::ui
