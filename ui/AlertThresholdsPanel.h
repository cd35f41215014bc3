#pragma once

#include "metrics/AlertMonitor.h"

#include <QWidget>

class QFormLayout;
class QLabel;
class QPushButton;
class QSpinBox;

namespace resosync::ui {

/// The run's alert thresholds (p95 API latency, error rate, memory) as three spin boxes, 0
/// shown as "off". Before a run they are the next run's thresholds; during a run every change
/// is sent to it at once (thresholdsEdited) and applies from its next tick. An alert marks the
/// charts and the log (the engine does that; this panel only edits the values).
class AlertThresholdsPanel final : public QWidget {
    Q_OBJECT

public:
    explicit AlertThresholdsPanel(QWidget *parent = nullptr);

    /// The values shown.
    metrics::AlertThresholds thresholds() const;
    /// Shows `thresholds` (thresholdsEdited follows when they differ from those shown).
    void setThresholds(const metrics::AlertThresholds &thresholds);
    void resetToDefaults();
    /// Whether a run is in progress, so changes reach it (the status line says which).
    void setLive(bool live);

Q_SIGNALS:
    /// A value changed (by typing, stepping or Reset): these are now the thresholds.
    void thresholdsEdited(const resosync::metrics::AlertThresholds &thresholds);

private:
    QSpinBox *addBox(QFormLayout *form, const QString &option, const QString &label,
                     const QString &suffix, double maximum, const QString &tooltip);
    void onEdited();
    void showStatus();

    QSpinBox *m_latency = nullptr;
    QSpinBox *m_errorRate = nullptr;
    QSpinBox *m_memory = nullptr;
    QLabel *m_status = nullptr;
    QPushButton *m_resetButton = nullptr;
    bool m_live = false;
    bool m_settingAll = false; ///< setThresholds() in progress: one signal for all three boxes
};

} // namespace resosync::ui
