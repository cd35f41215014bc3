#pragma once

#include "db/RunHistory.h"

#include <QThreadPool>
#include <QWidget>

class QCheckBox;
class QLabel;
class QLineSeries;
class QSpinBox;
class QValueAxis;

namespace resosync::ui {

/// Trends across past runs (issue 7, advanced monitoring): records/s, API p95 latency, average
/// DB statement time and peak memory of the last N runs, one small chart each, x = run id.
/// Hovering a point names its run. The figures are read on a private pool thread.
class RunTrendsView final : public QWidget {
    Q_OBJECT

public:
    /// The trend figures, in the order the charts are laid out.
    enum Trend { RecordsPerSecond, ApiP95, DbAverage, PeakMemory, TrendCount };

    explicit RunTrendsView(QString conninfo, QWidget *parent = nullptr);
    ~RunTrendsView() override;

    /// The runs plotted, oldest first.
    const QList<db::RunTrendPoint> &points() const { return m_points; }
    /// The line of one trend (for tests and screenshots).
    QLineSeries *series(Trend trend) const { return m_series[trend]; }

public Q_SLOTS:
    /// Reads the trends of the last N runs again.
    void refresh();

Q_SIGNALS:
    /// The charts show `runs` runs.
    void trendsShown(int runs);
    void failed(const QString &message);

private:
    QWidget *newTrendChart(Trend trend, const QString &title, const QString &unit);
    void showTrends(const db::RunTrends &trends);
    void showPointTip(Trend trend, const QPointF &point, bool entered);

    QString m_conninfo;
    QList<db::RunTrendPoint> m_points;
    QSpinBox *m_lastRuns = nullptr;
    QCheckBox *m_succeededOnly = nullptr;
    QLabel *m_message = nullptr;
    QLineSeries *m_series[TrendCount] = {};
    QValueAxis *m_xAxes[TrendCount] = {};
    QValueAxis *m_yAxes[TrendCount] = {};

    QThreadPool m_pool; ///< last: background calls end before the widgets go
};

} // namespace resosync::ui
