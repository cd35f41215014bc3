#pragma once

// Complete, not forward-declared: connecting to started() needs the recorder's full type.
#include "metrics/MetricsRecorder.h"
#include "metrics/RunReport.h"
#include "sync/SyncEngine.h"

#include <QObject>
#include <QSemaphore>
#include <QThread>

#include <memory>

namespace resosync::sync {

/// Runs one SyncEngine at a time on a thread of its own, for an owner on another thread (the
/// console's GUI thread), so nothing the engine does can stall the owner's event loop.
///
/// Each run gets a new engine, created and started on the session's thread: its network
/// access manager, timers and recorder tick live there. Its signals arrive on the owner's
/// thread; the control calls (pause, resume, cancel, updateSettings, updateAlerts) are queued
/// to the engine's thread in the order they were made, so a cancel right after start() still
/// reaches the engine it was meant for. All public calls are for the owner's thread.
class SyncSession final : public QObject {
    Q_OBJECT

public:
    explicit SyncSession(QObject *parent = nullptr);
    /// Cancels a run in progress and waits until it has ended (saved in resosync.runs as
    /// cancelled): that blocks the caller for as long as the transactions in progress take.
    /// Owners that must not block call cancel() and wait for finished() first.
    ~SyncSession() override;

    /// Starts a run of `request`; returns false, doing nothing, while a run is in progress.
    bool start(const SyncRequest &request);
    bool isRunning() const { return m_running; }
    bool isPaused() const { return m_paused; }
    bool isCancelling() const { return m_cancelling; }
    void pause();
    void resume();
    void cancel();
    /// New settings for the run in progress: they apply to its next batch, page or request, and
    /// the engine marks the change on the recorder's time axis (or logs why it refused them).
    /// Also kept in request(). Does nothing without a run.
    void updateSettings(const SyncSettings &settings);
    /// New alert thresholds for the run in progress, from its next tick (the engine logs the
    /// change). Also kept in request(). Does nothing without a run.
    void updateAlerts(const metrics::AlertThresholds &thresholds);

    /// The current or last run's request, its settings as last updated.
    const SyncRequest &request() const { return m_request; }
    /// The current or last run's recorder, readable from any thread; null until the first
    /// run's started(). It stays valid until the next run's started() has been emitted (its
    /// receivers switch to the new recorder there) or the session is destroyed.
    const metrics::MetricsRecorder *metrics() const { return m_metrics; }

Q_SIGNALS:
    /// A run began; `recorder` is its metrics (see metrics()).
    void started(const resosync::metrics::MetricsRecorder *recorder);
    void logged(resosync::sync::LogLevel level, const QString &resource, const QString &message);
    void phaseChanged(const QString &phase);
    /// As SyncEngine::resourceProgress: units done of total (-1 unknown).
    void resourceProgress(resosync::reso::Resource resource, qint64 done, qint64 total,
                          const QString &unit);
    void pausedChanged(bool paused);
    /// The settings in force changed (the adaptive tuner, or updateSettings accepted).
    void settingsChanged(const resosync::sync::SyncSettings &settings);
    /// The run ended; the report is also saved in resosync.runs when the database was reached.
    void finished(const resosync::metrics::RunReport &report, resosync::sync::RunOutcome outcome);

private:
    /// Runs `work` on the session's thread, after everything posted there before it.
    template<typename Work> void onSessionThread(Work work) {
        QMetaObject::invokeMethod(m_threadContext.get(), std::move(work), Qt::QueuedConnection);
    }
    void createEngine(const SyncRequest &request); ///< on the session's thread
    void onStarted(const metrics::MetricsRecorder *recorder);
    void onFinished(const metrics::RunReport &report, RunOutcome outcome);

    QThread m_thread;
    std::unique_ptr<QObject> m_threadContext; ///< lives in m_thread: where work is posted

    // Used on the session's thread only.
    std::unique_ptr<SyncEngine> m_engine;
    /// The previous run's engine, kept until the owner has moved on to the new recorder.
    std::unique_ptr<SyncEngine> m_retired;

    /// Released on the session's thread when a run has ended, so the destructor can wait for
    /// the end of a cancelled run without an event loop.
    QSemaphore m_runsEnded;

    // Used on the owner's thread only.
    SyncRequest m_request;
    const metrics::MetricsRecorder *m_metrics = nullptr;
    bool m_running = false;
    bool m_paused = false;
    bool m_cancelling = false;
};

} // namespace resosync::sync
