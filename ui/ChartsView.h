#pragma once

#include "metrics/MetricsSnapshot.h"

#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QMetaObject>
#include <QPointF>
#include <QPointer>
#include <QStringList>
#include <QTimer>
#include <QWidget>

#include <functional>

class QComboBox;
class QLabel;

namespace resosync::metrics {
class MetricsRecorder;
}

namespace resosync::ui {

class TimeChart;

/// The console's four live charts in a 2x2 grid: API latency (p50, p95), DB query time by
/// statement kind, memory (RSS and its peak), batch throughput (records/s, batches in flight),
/// with the run's events as markers on all four and a time window selector.
///
/// One drawing path for both sources: a live MetricsRecorder (attachRecorder) or a saved run
/// (showRecorded). Each line is cut to the window and reduced to at most kMaxPointsPerSeries
/// points by min/max buckets (spikes survive) before it is drawn.
class ChartsView final : public QWidget {
    Q_OBJECT

public:
    enum class Window { LastMinute, Last5Minutes, Last30Minutes, WholeRun };
    Q_ENUM(Window)

    static constexpr int kMaxPointsPerSeries = 600;
    static constexpr int kMinRedrawIntervalMs = 250; ///< at most 4 redraws a second
    /// The peak memory line: the running maximum of "memory.rss_mb", derived, not recorded.
    static inline const QString kMemoryPeakSeries = QStringLiteral("memory.peak_mb");

    explicit ChartsView(QWidget *parent = nullptr);
    ~ChartsView() override;

    /// Follows a run live: redraws (throttled to kMinRedrawIntervalMs) after the recorder's
    /// snapshotReady, reading its series, which is thread-safe; the recorder may live on any
    /// thread. If the recorder is destroyed while attached, the charts keep what they last drew
    /// (frozen) until another source is shown. Call detach() before destroying it from another
    /// thread (a redraw may be reading it), and to keep its charts re-windowable.
    void attachRecorder(const metrics::MetricsRecorder *recorder);
    /// Shows a saved run: series by name (as MetricsRecorder names them, e.g. from
    /// resosync.run_samples) and its events. Draws exactly what the live view drew.
    void showRecorded(const QHash<QString, QList<metrics::SeriesPoint>> &series,
                      const QList<metrics::RunEvent> &events);
    /// Stops following the recorder and keeps a copy of its series and events, as a saved
    /// run: the charts stay, and the window selector still works.
    void detach();
    /// Forgets the source and empties every chart.
    void clear();

    void setWindow(Window window);
    Window window() const { return m_window; }
    bool isLive() const { return !m_recorder.isNull(); }

    /// The four charts as one PNG, at the screen's device pixel ratio.
    bool savePng(const QString &path, QString *error) const;

    // What is drawn, for tests and for whoever wires the view.
    /// The points drawn for a series (x: seconds since the run started; y: its unit).
    QList<QPointF> points(const QString &seriesName) const;
    /// The series drawn now, across the four charts.
    QStringList shownSeries() const;
    /// Event markers drawn (every chart draws the same ones).
    int markerCount() const;
    QStringList markerLabels() const;
    QList<TimeChart *> charts() const { return m_charts; }

public Q_SLOTS:
    /// Redraws now from the current source (the throttled path calls this too).
    void refresh();

Q_SIGNALS:
    void windowChanged(resosync::ui::ChartsView::Window window);

protected:
    void changeEvent(QEvent *event) override;

private:
    using Fetch = std::function<QList<metrics::SeriesPoint>(const QString &, qint64)>;

    void buildCharts();
    void scheduleRedraw();
    void stopFollowing();
    void draw(const Fetch &fetch, const QList<metrics::RunEvent> &events, qint64 knownEndMs);
    void applyPalette();
    void setSourceText(const QString &text);

    QComboBox *m_windowBox = nullptr;
    QLabel *m_sourceLabel = nullptr;
    QWidget *m_grid = nullptr;
    QList<TimeChart *> m_charts;
    Window m_window = Window::Last5Minutes;

    QPointer<const metrics::MetricsRecorder> m_recorder;
    QMetaObject::Connection m_snapshotConnection;
    QMetaObject::Connection m_destroyedConnection;
    qint64 m_liveEndMs = 0;
    QTimer m_redrawTimer;
    QElapsedTimer m_sinceRedraw;

    bool m_hasRecorded = false;
    QHash<QString, QList<metrics::SeriesPoint>> m_recorded;
    QList<metrics::RunEvent> m_recordedEvents;
    qint64 m_recordedEndMs = 0;
};

} // namespace resosync::ui
