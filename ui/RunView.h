#pragma once

#include "metrics/RunReport.h"
#include "sync/SyncSession.h"

#include <QWidget>

class QAction;
class QSplitter;
class QTabWidget;

namespace resosync::ui {

class AlertThresholdsPanel;
class LogPane;
class ProblemList;
class ResourceProgressView;
class RunControls;
class TuningPanel;

/// The console's "run a manual sync" view: what to sync and the run's buttons, the settings,
/// the alert thresholds, a progress bar per resource, an area for live monitors (charts, KPI
/// tiles), the problems and the log. It runs the sync through a SyncSession, so the engine works on
/// a thread of its own and this view only shows what it reports.
///
/// Wiring live monitors: add them with addMonitor() (they go side by side in chartArea()),
/// then connect runStarted() to hand them the run's recorder (valid until the next
/// runStarted()) and runFinished() for the report.
class RunView final : public QWidget {
    Q_OBJECT

public:
    explicit RunView(QWidget *parent = nullptr);
    /// Cancels a run in progress and waits for it (see SyncSession's destructor).
    ~RunView() override;

    /// Where runs go: feed URL, database, profile and credentials of `target`; resources,
    /// mode and settings come from the controls. The settings reset to the profile's defaults.
    void setTarget(const sync::SyncRequest &target);
    /// Preselects the mode (the window suggests Full while Property has no cursor yet).
    void suggestMode(sync::SyncMode mode);

    /// Adds a live monitor (a chart view, KPI tiles) to the chart area, after those there.
    void addMonitor(QWidget *monitor);
    /// The splitter live monitors sit in; hidden while it holds none.
    QSplitter *chartArea() const { return m_chartArea; }

    bool isRunning() const { return m_session.isRunning(); }
    /// The current or last run's recorder, null before the first run (SyncSession::metrics).
    const metrics::MetricsRecorder *metrics() const { return m_session.metrics(); }
    /// The current or last run's request (its settings as last applied).
    const sync::SyncRequest &lastRequest() const { return m_session.request(); }
    /// Start, Pause/Resume, Cancel, Retry failed, for the window's menu.
    QList<QAction *> runActions() const;

    /// The alert thresholds the next run starts with (and a running one uses), for the window
    /// to keep in its settings.
    metrics::AlertThresholds alertThresholds() const;
    void setAlertThresholds(const metrics::AlertThresholds &thresholds);

    /// Splitter positions, for the window to keep in its settings.
    QByteArray saveState() const;
    bool restoreState(const QByteArray &state);

    void startRun();
    /// Runs the resources the last run left incomplete again, incrementally.
    void retryFailed();
    void pauseRun() { m_session.pause(); }
    void resumeRun() { m_session.resume(); }
    /// Asks the run to stop; runFinished() follows once it has.
    void cancelRun();

Q_SIGNALS:
    void runStarted(const resosync::metrics::MetricsRecorder *recorder);
    void runFinished(const resosync::metrics::RunReport &report);
    void runningChanged(bool running);

private:
    QWidget *buildTop();
    void startWith(const QList<reso::Resource> &resources, sync::SyncMode mode);
    void onStarted(const metrics::MetricsRecorder *recorder);
    void onLogged(sync::LogLevel level, const QString &resource, const QString &message);
    void onPausedChanged(bool paused);
    void onFinished(const metrics::RunReport &report, sync::RunOutcome outcome);
    void updateStartable();
    void updateProblemsTab(int count);

    sync::SyncSession m_session;
    sync::SyncRequest m_target;
    RunControls *m_controls = nullptr;
    ResourceProgressView *m_progress = nullptr;
    TuningPanel *m_tuning = nullptr;
    AlertThresholdsPanel *m_alerts = nullptr;
    ProblemList *m_problems = nullptr;
    LogPane *m_log = nullptr;
    QSplitter *m_splitter = nullptr;
    QSplitter *m_chartArea = nullptr;
    QTabWidget *m_tabs = nullptr;
    QString m_phase; ///< the engine's last phase, shown again after a pause
};

} // namespace resosync::ui
