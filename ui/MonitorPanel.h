#pragma once

#include <QPointer>
#include <QWidget>

class QPushButton;

namespace resosync::metrics {
class MetricsRecorder;
struct MetricsSnapshot;
} // namespace resosync::metrics

namespace resosync::ui {

class ChartsView;
class KpiTiles;

/// The live view of a run: the seed's summary as KPI tiles above the four charts, both fed by
/// the run's recorder (the tiles from its snapshots, at most 4 a second), and a button that
/// saves the charts as a PNG.
class MonitorPanel final : public QWidget {
    Q_OBJECT

public:
    explicit MonitorPanel(QWidget *parent = nullptr);

    /// Follows `recorder` (valid until the next run starts); null stops following.
    void follow(const metrics::MetricsRecorder *recorder);
    ChartsView *charts() const { return m_charts; }
    KpiTiles *tiles() const { return m_tiles; }

    /// Asks where to save the charts as a PNG, then saves them (or says why not).
    void exportCharts();

private:
    KpiTiles *m_tiles = nullptr;
    ChartsView *m_charts = nullptr;
    QPushButton *m_exportButton = nullptr;
    QMetaObject::Connection m_snapshots;
};

} // namespace resosync::ui
