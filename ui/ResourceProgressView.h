#pragma once

#include "metrics/MetricsSnapshot.h"
#include "metrics/RollingRate.h"
#include "reso/Resource.h"

#include <QWidget>

#include <array>

class QLabel;
class QProgressBar;

namespace resosync::ui {

/// The run's phase and one progress bar per resource: work done of the total (Property:
/// records of the feed's @odata.count; children: listings of the key source's count), the
/// records fetched, a rolling rate in records per second and the ETA. A bar whose total is not
/// known yet is indeterminate. Updated from snapshots (a few a second), never per record.
class ResourceProgressView final : public QWidget {
    Q_OBJECT

public:
    explicit ResourceProgressView(QWidget *parent = nullptr);

    /// A run of `resources` starts: every bar back to zero; the others say they are not part
    /// of this run.
    void begin(const QList<reso::Resource> &resources);
    void setPhase(const QString &phase);
    /// Units done of total as the engine reports them (SyncEngine::resourceProgress).
    void showUnits(reso::Resource resource, qint64 done, qint64 total, const QString &unit);
    /// Records, rates and completion from the recorder.
    void showSnapshot(const metrics::MetricsSnapshot &snapshot);

private:
    struct Row {
        QProgressBar *bar = nullptr;
        QLabel *detail = nullptr;
        bool inRun = false;
        qint64 unitsDone = 0;
        qint64 unitsTotal = -1; ///< -1: unknown
        QString unit;
        metrics::RollingRate records;
        metrics::RollingRate units;
    };

    void showRow(reso::Resource resource, const metrics::ResourceProgress &progress,
                 qint64 elapsedMs);

    QLabel *m_phase = nullptr;
    std::array<Row, reso::kAllResources.size()> m_rows{};
};

} // namespace resosync::ui
