#pragma once

#include "metrics/MetricsSnapshot.h"

#include <QHash>
#include <QLineF>
#include <QList>
#include <QPointF>
#include <QStringList>
#include <QtCharts/QChartView>

#include <vector>

class QGraphicsLineItem;
class QGraphicsSimpleTextItem;
class QCategoryAxis;
class QLineSeries;
class QValueAxis;

namespace resosync::ui {

/// One chart of the console's live charts: lines over the run's time (mm:ss since it
/// started), a left value axis and optionally a right one, and the run's events as vertical
/// marker lines with their labels. It only draws what it is given: ChartsView decides what.
class TimeChart final : public QChartView {
    Q_OBJECT

public:
    enum class Side { Left, Right };
    /// At most this many markers are drawn (the latest in the time range): thousands of
    /// alerts would bury the lines and cost a graphics item each.
    static constexpr int kMaxMarkers = 200;

    TimeChart(const QString &title, const QString &leftAxisTitle, QWidget *parent = nullptr);

    /// Adds the right value axis (once), for a line whose unit differs from the left's.
    void addRightAxis(const QString &title);
    /// A line named `id` (e.g. "api.latency_p50_ms"), shown in the legend as `legendName`.
    /// With `hiddenWhileEmpty`, it and its legend entry show only while it has points.
    void addLine(const QString &id, const QString &legendName, Side side = Side::Left,
                 bool hiddenWhileEmpty = false);

    /// The visible time range, in milliseconds since the run started.
    void setTimeRange(qint64 fromMs, qint64 toMs);
    /// Replaces a line's points (x in seconds since the start) in one call.
    void setPoints(const QString &id, const QList<QPointF> &points);
    /// Fits each value axis to the lines on it (from 0, with round tick values).
    void rescaleValueAxes();
    /// Draws the events inside the time range as markers (the latest kMaxMarkers).
    void setMarkers(const QList<metrics::RunEvent> &events);
    /// Removes every point and marker.
    void clearData();
    /// The dark or the light chart theme, to match the window's palette.
    void setDark(bool dark);

    QStringList lineIds() const { return m_lineIds; }
    /// The lines drawn now (a hidden-while-empty line without points is not).
    QStringList shownLineIds() const;
    QList<QPointF> points(const QString &id) const;
    int markerCount() const { return int(m_markers.size()); }
    QStringList markerLabels() const;
    /// Where each marker's line is, in the chart's coordinates (mapToPosition's).
    QList<QLineF> markerLines() const;
    qint64 fromMs() const { return m_fromMs; }
    qint64 toMs() const { return m_toMs; }

private:
    struct Line {
        QLineSeries *series = nullptr;
        Side side = Side::Left;
        bool hiddenWhileEmpty = false;
    };
    struct Marker {
        metrics::RunEvent event;
        QGraphicsLineItem *line = nullptr;
        QGraphicsSimpleTextItem *text = nullptr;
    };

    void updateTimeLabels();
    void layoutMarkers();
    void deleteMarkers();
    void styleMarkers();
    void fitAxis(QValueAxis *axis, Side side, bool wholeNumbers);

    QCategoryAxis *m_timeAxis = nullptr;
    QValueAxis *m_leftAxis = nullptr;
    QValueAxis *m_rightAxis = nullptr;
    QStringList m_lineIds;
    QHash<QString, Line> m_lines;
    std::vector<Marker> m_markers;
    qint64 m_fromMs = 0;
    qint64 m_toMs = 60'000;
    bool m_dark = false;
};

} // namespace resosync::ui
