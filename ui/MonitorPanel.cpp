#include "MonitorPanel.h"

#include "ChartsView.h"
#include "KpiTiles.h"
#include "metrics/MetricsRecorder.h"

#include <QFileDialog>
#include <QHBoxLayout>
#include <QMessageBox>
#include <QPushButton>
#include <QVBoxLayout>

namespace resosync::ui {

using namespace Qt::StringLiterals;

MonitorPanel::MonitorPanel(QWidget *parent)
    : QWidget(parent) {
    setObjectName(u"monitorPanel"_s);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *top = new QHBoxLayout;
    m_tiles = new KpiTiles(this);
    top->addWidget(m_tiles, 1);
    m_exportButton = new QPushButton(tr("Export charts…"), this);
    m_exportButton->setObjectName(u"exportChartsButton"_s);
    m_exportButton->setToolTip(tr("Save the four charts, as shown now, as one PNG image"));
    connect(m_exportButton, &QPushButton::clicked, this, &MonitorPanel::exportCharts);
    top->addWidget(m_exportButton, 0, Qt::AlignTop);
    layout->addLayout(top);
    m_charts = new ChartsView(this);
    layout->addWidget(m_charts, 1);
}

void MonitorPanel::follow(const metrics::MetricsRecorder *recorder) {
    disconnect(m_snapshots);
    if (!recorder) {
        m_charts->detach();
        return;
    }
    m_charts->attachRecorder(recorder);
    // Snapshots come from the recorder's thread every 250 ms: queued to this one.
    m_snapshots = connect(recorder, &metrics::MetricsRecorder::snapshotReady, m_tiles,
                          &KpiTiles::showSnapshot, Qt::QueuedConnection);
    m_tiles->showSnapshot(recorder->snapshot());
}

void MonitorPanel::exportCharts() {
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export charts"), u"resosync-charts.png"_s, tr("PNG images (*.png)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!m_charts->savePng(path, &error))
        QMessageBox::warning(this, tr("Export charts"), error);
}

} // namespace resosync::ui
