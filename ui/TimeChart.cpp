#include "TimeChart.h"

#include "metrics/MetricsFormat.h"

#include <QFontMetrics>
#include <QGraphicsLineItem>
#include <QGraphicsSimpleTextItem>
#include <QtCharts/QCategoryAxis>
#include <QtCharts/QChart>
#include <QtCharts/QLegend>
#include <QtCharts/QLegendMarker>
#include <QtCharts/QLineSeries>
#include <QtCharts/QValueAxis>

#include <algorithm>
#include <array>
#include <cmath>

namespace resosync::ui {

using namespace Qt::StringLiterals;

namespace {

constexpr int kMaxTimeLabels = 6;
constexpr int kMarkerLabelWidth = 150; ///< px; the whole label is in the tooltip
constexpr int kMarkerLabelRows = 3;    ///< neighbouring labels are staggered over this many rows

// The spacing of time labels: the smallest "round" step that keeps at most kMaxTimeLabels
// labels in the range, so the axis reads 0:00, 0:10, 0:20 ... rather than 0:07, 0:19 ...
qint64 timeStepMs(qint64 spanMs) {
    static constexpr std::array<qint64, 15> kStepsSeconds{
        1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400};
    for (qint64 seconds : kStepsSeconds) {
        if (spanMs / (seconds * 1000) <= kMaxTimeLabels)
            return seconds * 1000;
    }
    return kStepsSeconds.back() * 1000;
}

struct NiceScale {
    double top = 1;
    int ticks = 2;
};

// An axis from 0 to a round value just above `highest` (5% headroom, so the top line is not
// cut), in 3 to 6 ticks of 1, 2, 2.5 or 5 times a power of ten. Whole numbers (batches in
// flight) step by at least 1, so the axis never reads "2.5 batches".
NiceScale niceScale(double highest, bool wholeNumbers) {
    if (!(highest > 0))
        return NiceScale{};
    const double target = highest * 1.05;
    const double rough = target / 4;
    const double magnitude = std::pow(10.0, std::floor(std::log10(rough)));
    double step = magnitude * 10;
    for (double factor : {1.0, 2.0, 2.5, 5.0}) {
        if (magnitude * factor >= rough) {
            step = magnitude * factor;
            break;
        }
    }
    if (wholeNumbers)
        step = std::max(1.0, std::ceil(step));
    const double steps = std::max(1.0, std::ceil(target / step));
    return NiceScale{steps * step, int(steps) + 1};
}

QColor markerColor(bool dark) {
    // Amber reads on both themes and is not among either theme's first line colours.
    return dark ? QColor(255, 193, 7) : QColor(191, 96, 0);
}

} // namespace

TimeChart::TimeChart(const QString &title, const QString &leftAxisTitle, QWidget *parent)
    : QChartView(new QChart, parent) {
    QChart *c = chart();
    c->setTitle(title);
    c->setAnimationOptions(QChart::NoAnimation); // redrawn 4 times a second: animation only lags
    c->legend()->setAlignment(Qt::AlignBottom);
    c->setMargins(QMargins(4, 4, 4, 4));
    setRenderHint(QPainter::Antialiasing);

    m_timeAxis = new QCategoryAxis;
    m_timeAxis->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    m_timeAxis->setTitleText(tr("time since the run started (m:ss)"));
    c->addAxis(m_timeAxis, Qt::AlignBottom);

    m_leftAxis = new QValueAxis;
    m_leftAxis->setTitleText(leftAxisTitle);
    m_leftAxis->setLabelFormat(u"%g"_s);
    c->addAxis(m_leftAxis, Qt::AlignLeft);

    // Markers follow the plot area whenever the layout moves it (resize, axis label width).
    connect(c, &QChart::plotAreaChanged, this, [this] { layoutMarkers(); });
    setTimeRange(0, 60'000);
    rescaleValueAxes();
}

void TimeChart::addRightAxis(const QString &title) {
    if (m_rightAxis)
        return;
    m_rightAxis = new QValueAxis;
    m_rightAxis->setTitleText(title);
    m_rightAxis->setLabelFormat(u"%.0f"_s);
    chart()->addAxis(m_rightAxis, Qt::AlignRight);
}

void TimeChart::addLine(const QString &id, const QString &legendName, Side side,
                        bool hiddenWhileEmpty) {
    auto *series = new QLineSeries;
    series->setName(legendName);
    chart()->addSeries(series);
    series->attachAxis(m_timeAxis);
    series->attachAxis(side == Side::Right && m_rightAxis ? m_rightAxis : m_leftAxis);
    m_lineIds.append(id);
    m_lines.insert(id, Line{series, side, hiddenWhileEmpty});
    if (hiddenWhileEmpty)
        setPoints(id, {});
}

void TimeChart::setTimeRange(qint64 fromMs, qint64 toMs) {
    m_fromMs = fromMs;
    m_toMs = std::max(toMs, fromMs + 1000);
    m_timeAxis->setRange(double(m_fromMs) / 1000.0, double(m_toMs) / 1000.0);
    updateTimeLabels();
    layoutMarkers();
}

void TimeChart::updateTimeLabels() {
    const qint64 step = timeStepMs(m_toMs - m_fromMs);
    QStringList labels;
    QList<qint64> ticks;
    for (qint64 tick = (m_fromMs + step - 1) / step * step; tick <= m_toMs; tick += step) {
        labels.append(metrics::formatElapsed(tick));
        ticks.append(tick);
    }
    m_timeAxis->setStartValue(double(m_fromMs) / 1000.0);
    // Rebuilding the categories relayouts the axis: only when the labels really change.
    if (labels == m_timeAxis->categoriesLabels())
        return;
    for (const QString &label : m_timeAxis->categoriesLabels())
        m_timeAxis->remove(label);
    for (qsizetype i = 0; i < labels.size(); ++i)
        m_timeAxis->append(labels[i], double(ticks[i]) / 1000.0);
}

void TimeChart::setPoints(const QString &id, const QList<QPointF> &points) {
    const auto line = m_lines.constFind(id);
    if (line == m_lines.constEnd())
        return;
    line->series->replace(points);
    if (!line->hiddenWhileEmpty)
        return;
    const bool shown = !points.isEmpty();
    line->series->setVisible(shown);
    for (QLegendMarker *marker : chart()->legend()->markers(line->series))
        marker->setVisible(shown);
}

void TimeChart::rescaleValueAxes() {
    fitAxis(m_leftAxis, Side::Left, false);
    if (m_rightAxis)
        fitAxis(m_rightAxis, Side::Right, true);
}

void TimeChart::fitAxis(QValueAxis *axis, Side side, bool wholeNumbers) {
    double top = 0;
    for (const Line &line : std::as_const(m_lines)) {
        if (line.side != side || !line.series->isVisible())
            continue;
        for (const QPointF &point : line.series->points())
            top = std::max(top, point.y());
    }
    const NiceScale scale = niceScale(top, wholeNumbers);
    // A range change relayouts the axis labels (text layout, the dearest part of a redraw):
    // only when the rounded range really moves, which is rare once a run is under way.
    if (axis->min() != 0 || axis->max() != scale.top)
        axis->setRange(0, scale.top);
    if (axis->tickCount() != scale.ticks)
        axis->setTickCount(scale.ticks);
}

void TimeChart::setMarkers(const QList<metrics::RunEvent> &events) {
    QList<metrics::RunEvent> inRange;
    for (const metrics::RunEvent &event : events) {
        if (event.atMs >= m_fromMs && event.atMs <= m_toMs)
            inRange.append(event);
    }
    if (inRange.size() > kMaxMarkers)
        inRange = inRange.mid(inRange.size() - kMaxMarkers);

    const bool unchanged =
        std::equal(inRange.cbegin(), inRange.cend(), m_markers.cbegin(), m_markers.cend(),
                   [](const metrics::RunEvent &event, const Marker &marker) {
                       return event.atMs == marker.event.atMs && event.label == marker.event.label;
                   });
    if (!unchanged) {
        deleteMarkers();
        for (const metrics::RunEvent &event : inRange) {
            Marker marker{event, new QGraphicsLineItem(chart()),
                          new QGraphicsSimpleTextItem(chart())};
            const QString tip = metrics::formatElapsed(event.atMs) + u"  "_s + event.label;
            marker.line->setToolTip(tip);
            marker.text->setToolTip(tip);
            marker.text->setText(QFontMetrics(marker.text->font())
                                     .elidedText(event.label, Qt::ElideRight, kMarkerLabelWidth));
            marker.line->setZValue(10);
            marker.text->setZValue(11);
            m_markers.push_back(marker);
        }
        styleMarkers();
    }
    layoutMarkers();
}

void TimeChart::deleteMarkers() {
    for (const Marker &marker : m_markers) {
        delete marker.line;
        delete marker.text;
    }
    m_markers.clear();
}

void TimeChart::styleMarkers() {
    const QColor color = markerColor(m_dark);
    QPen pen(color, 1.5, Qt::DashLine);
    pen.setCosmetic(true);
    for (const Marker &marker : m_markers) {
        marker.line->setPen(pen);
        marker.text->setBrush(color);
    }
}

void TimeChart::layoutMarkers() {
    // Placed by hand from the plot area and the axis range (the same mapping QChart uses),
    // so a marker needs no series and stays put on any chart, empty or not.
    const QRectF plot = chart()->plotArea();
    const double span = double(m_toMs - m_fromMs);
    for (std::size_t i = 0; i < m_markers.size(); ++i) {
        const Marker &marker = m_markers[i];
        const double x = plot.left() + double(marker.event.atMs - m_fromMs) / span * plot.width();
        marker.line->setLine(QLineF(x, plot.top(), x, plot.bottom()));
        const double row = double(i % kMarkerLabelRows) * marker.text->boundingRect().height();
        marker.text->setPos(x + 3, plot.top() + row);
    }
}

void TimeChart::clearData() {
    for (const QString &id : std::as_const(m_lineIds))
        setPoints(id, {});
    deleteMarkers();
    rescaleValueAxes();
}

void TimeChart::setDark(bool dark) {
    m_dark = dark;
    chart()->setTheme(dark ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    chart()->setBackgroundRoundness(0); // the theme resets it; square tiles grid cleanly
    styleMarkers();
}

QStringList TimeChart::shownLineIds() const {
    QStringList shown;
    for (const QString &id : m_lineIds) {
        if (m_lines.value(id).series->isVisible())
            shown.append(id);
    }
    return shown;
}

QList<QPointF> TimeChart::points(const QString &id) const {
    const auto line = m_lines.constFind(id);
    return line == m_lines.constEnd() ? QList<QPointF>() : line->series->points();
}

QStringList TimeChart::markerLabels() const {
    QStringList labels;
    for (const Marker &marker : m_markers)
        labels.append(marker.event.label);
    return labels;
}

QList<QLineF> TimeChart::markerLines() const {
    QList<QLineF> lines;
    for (const Marker &marker : m_markers)
        lines.append(marker.line->line());
    return lines;
}

} // namespace resosync::ui
