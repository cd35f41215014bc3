#include "RunTrendsView.h"

#include "RunFormat.h"

#include <QCheckBox>
#include <QCursor>
#include <QGraphicsLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSpinBox>
#include <QToolTip>
#include <QVBoxLayout>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QLineSeries>
#include <QtCharts/QValueAxis>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <cmath>

namespace resosync::ui {

using namespace Qt::StringLiterals;

namespace {

constexpr int kDefaultRuns = 30;

double figureOf(const db::RunTrendPoint &point, RunTrendsView::Trend trend) {
    switch (trend) {
    case RunTrendsView::RecordsPerSecond:
        return point.recordsPerSecond;
    case RunTrendsView::ApiP95:
        return point.apiP95Ms;
    case RunTrendsView::DbAverage:
        return point.dbAvgMs;
    case RunTrendsView::PeakMemory:
        return point.peakRssMb;
    case RunTrendsView::TrendCount:
        break;
    }
    return 0;
}

QString unitOf(RunTrendsView::Trend trend) {
    switch (trend) {
    case RunTrendsView::RecordsPerSecond:
        return RunTrendsView::tr("records/s");
    case RunTrendsView::ApiP95:
    case RunTrendsView::DbAverage:
        return RunTrendsView::tr("ms");
    case RunTrendsView::PeakMemory:
        return RunTrendsView::tr("MB");
    case RunTrendsView::TrendCount:
        break;
    }
    return {};
}

} // namespace

RunTrendsView::RunTrendsView(QString conninfo, QWidget *parent)
    : QWidget(parent)
    , m_conninfo(std::move(conninfo)) {
    setObjectName(u"runTrendsView"_s);
    m_pool.setObjectName(u"resosync-trends"_s);
    m_pool.setMaxThreadCount(1);

    m_lastRuns = new QSpinBox(this);
    m_lastRuns->setObjectName(u"trendsLastRuns"_s);
    m_lastRuns->setRange(2, 1000);
    m_lastRuns->setValue(kDefaultRuns);
    m_lastRuns->setPrefix(tr("Last "));
    m_lastRuns->setSuffix(tr(" runs"));
    m_lastRuns->setToolTip(
        tr("How many of the newest runs the charts show (default %1)").arg(kDefaultRuns));
    m_succeededOnly = new QCheckBox(tr("&Succeeded runs only"), this);
    m_succeededOnly->setObjectName(u"trendsSucceededOnly"_s);
    m_succeededOnly->setChecked(true);
    m_succeededOnly->setToolTip(tr("Leave out failed and cancelled runs, whose figures cover "
                                   "only part of a sync (default on)"));
    auto *refresh = new QPushButton(tr("&Refresh"), this);
    refresh->setObjectName(u"trendsRefresh"_s);
    refresh->setToolTip(tr("Read the runs' figures again from resosync.runs"));
    refresh->setAutoDefault(false);
    connect(refresh, &QPushButton::clicked, this, &RunTrendsView::refresh);
    connect(m_lastRuns, &QSpinBox::editingFinished, this, &RunTrendsView::refresh);
    connect(m_succeededOnly, &QCheckBox::toggled, this, &RunTrendsView::refresh);

    auto *controls = new QHBoxLayout;
    controls->addWidget(m_lastRuns);
    controls->addWidget(m_succeededOnly);
    controls->addStretch(1);
    controls->addWidget(refresh);

    m_message = new QLabel(this);
    m_message->setObjectName(u"trendsMessage"_s);
    m_message->setWordWrap(true);
    m_message->hide();

    auto *grid = new QGridLayout;
    grid->addWidget(newTrendChart(RecordsPerSecond, tr("Throughput"), unitOf(RecordsPerSecond)), 0,
                    0);
    grid->addWidget(newTrendChart(ApiP95, tr("API latency p95"), unitOf(ApiP95)), 0, 1);
    grid->addWidget(newTrendChart(DbAverage, tr("DB statement average"), unitOf(DbAverage)), 1, 0);
    grid->addWidget(newTrendChart(PeakMemory, tr("Peak memory (RSS)"), unitOf(PeakMemory)), 1, 1);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(controls);
    layout->addWidget(m_message);
    layout->addLayout(grid, 1);
}

RunTrendsView::~RunTrendsView() {
    // Destroying the children moves the focus out of the spin box, which emits
    // editingFinished: refresh() would then run on a half-destroyed view (UBSan caught it in
    // tst_historyview, whose next test crashed on the freed widgets). Nothing may reach us now.
    m_lastRuns->disconnect(this);
    m_succeededOnly->disconnect(this);
}

QWidget *RunTrendsView::newTrendChart(Trend trend, const QString &title, const QString &unit) {
    auto *chart = new QChart;
    chart->setTitle(title);
    chart->legend()->hide();
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->layout()->setContentsMargins(0, 0, 0, 0);
    auto *series = new QLineSeries(chart);
    series->setName(title);
    series->setPointsVisible(true);
    chart->addSeries(series);
    auto *x = new QValueAxis(chart);
    x->setTitleText(tr("run"));
    x->setLabelFormat(u"%.0f"_s);
    x->setTickType(QValueAxis::TicksDynamic);
    auto *y = new QValueAxis(chart);
    y->setTitleText(unit);
    y->setLabelFormat(u"%g"_s); // 0.5, 12.5, 1125: as many digits as the tick needs
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    series->attachAxis(x);
    series->attachAxis(y);
    connect(series, &QLineSeries::hovered, this, [this, trend](const QPointF &point, bool entered) {
        showPointTip(trend, point, entered);
    });
    m_series[trend] = series;
    m_xAxes[trend] = x;
    m_yAxes[trend] = y;

    auto *view = new QChartView(chart, this);
    view->setObjectName(u"trendChart%1"_s.arg(int(trend)));
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumSize(320, 220);
    view->setToolTip(
        tr("%1 of each run, oldest on the left; hover a point for its run").arg(title));
    return view;
}

void RunTrendsView::refresh() {
    runformat::showMessage(m_message, tr("Reading past runs…"), false);
    const QString conninfo = m_conninfo;
    const int lastRuns = m_lastRuns->value();
    const bool succeededOnly = m_succeededOnly->isChecked();
    QtConcurrent::run(&m_pool, [conninfo, lastRuns, succeededOnly] {
        return db::RunHistory(conninfo).trends(lastRuns, succeededOnly);
    }).then(this, [this](const db::RunTrends &trends) { showTrends(trends); });
}

void RunTrendsView::showTrends(const db::RunTrends &trends) {
    if (trends.error) {
        runformat::showMessage(
            m_message, tr("Could not read the trends: %1").arg(trends.error->message), true);
        Q_EMIT failed(trends.error->message);
        return;
    }
    m_points = trends.points;
    const QString tooFew =
        tr("Trends need at least two runs with a saved report; %1 found.").arg(m_points.size());
    runformat::showMessage(m_message, m_points.size() < 2 ? tooFew : QString(), false);
    for (int trend = 0; trend < TrendCount; ++trend) {
        QList<QPointF> line;
        double top = 0;
        for (const db::RunTrendPoint &point : std::as_const(m_points)) {
            const double value = figureOf(point, Trend(trend));
            line.append(QPointF(double(point.runId), value));
            top = std::max(top, value);
        }
        m_series[trend]->replace(line);
        const double first = m_points.isEmpty() ? 0 : double(m_points.first().runId);
        const double last = m_points.isEmpty() ? 1 : double(m_points.last().runId);
        // Half a run of margin each side, so the first and last points are not on the frame.
        m_xAxes[trend]->setRange(first - 0.5, last + 0.5);
        // Ticks on whole run ids only, at most about eight of them.
        m_xAxes[trend]->setTickAnchor(first);
        m_xAxes[trend]->setTickInterval(std::max(1.0, std::ceil((last - first) / 7.0)));
        m_yAxes[trend]->setRange(0, top > 0 ? top * 1.15 : 1);
        m_yAxes[trend]->applyNiceNumbers();
    }
    Q_EMIT trendsShown(int(m_points.size()));
}

void RunTrendsView::showPointTip(Trend trend, const QPointF &point, bool entered) {
    if (!entered) {
        QToolTip::hideText();
        return;
    }
    const auto runId = qint64(std::llround(point.x()));
    for (const db::RunTrendPoint &run : std::as_const(m_points)) {
        if (run.runId != runId)
            continue;
        QToolTip::showText(QCursor::pos(),
                           tr("Run #%1, %2 (%3): %4 %5")
                               .arg(runId)
                               .arg(runformat::startedText(run.startedAt), run.status,
                                    QLocale().toString(figureOf(run, trend), 'f', 1),
                                    unitOf(trend)));
        return;
    }
}

} // namespace resosync::ui
