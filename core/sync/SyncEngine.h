#pragma once

#include "metrics/AlertMonitor.h"
#include "metrics/RunReport.h"
#include "sync/RunContext.h"
#include "sync/SyncSettings.h"

#include <QObject>
#include <QThreadPool>
#include <QTimer>

#include <memory>

namespace resosync::metrics {
class MetricsRecorder;
}

namespace resosync::sync {

class AdaptiveTuner;
class ResourcePipeline;
class ParentCache;

/// How a run ended, for exit statuses and the console.
enum class RunOutcome {
    Succeeded,   ///< everything stored
    Partial,     ///< finished; some records were rejected (stored in resosync.rejects)
    Failed,      ///< batches or a resource failed (named in problems); what was stored is
                 ///< consistent and the next run picks up what is missing
    Unavailable, ///< could not run: feed or database unreachable, authentication refused
    Refused,     ///< bad settings or a request that needs confirmation (e.g. no cursor yet)
    Cancelled,
};

/// Runs one sync: Property first (by cursor), then each child resource (by listing batches).
///
/// Lives on one thread (the CLI's main thread, or a worker thread in the console): its HTTP
/// runs asynchronously there, blocking work on private pools. Control calls (cancel, pause,
/// resume, updateSettings) are safe from any thread. Progress comes as signals; the end as
/// finished() with the report, which is also saved in resosync.runs with the run's samples.
class SyncEngine final : public QObject {
    Q_OBJECT

public:
    explicit SyncEngine(SyncRequest request, QObject *parent = nullptr);
    ~SyncEngine() override;

    /// Starts the run; returns at once. Call on the engine's thread.
    void start();
    void cancel();
    void pause();
    void resume();
    /// New settings apply to the next batch, page or request.
    void updateSettings(const SyncSettings &settings);
    /// New alert thresholds apply from the next tick; a change is logged ("Alert thresholds
    /// changed: ...").
    void updateAlerts(const metrics::AlertThresholds &thresholds);

    metrics::MetricsRecorder *metrics() const;
    RunOutcome outcome() const { return m_outcome; }
    const metrics::RunReport &report() const { return m_report; }

Q_SIGNALS:
    void logged(resosync::sync::LogLevel level, const QString &resource, const QString &message);
    void phaseChanged(const QString &phase);
    /// Work units done of total (records for Property, listings for children); total -1 unknown.
    void resourceProgress(resosync::reso::Resource resource, qint64 done, qint64 total,
                          const QString &unit);
    void finished(const resosync::metrics::RunReport &report);
    /// The settings in force changed (by updateSettings() or the adaptive tuner).
    void settingsChanged(const resosync::sync::SyncSettings &settings);

private:
    void prepare();
    void startNextResource();
    void finish(RunOutcome outcome, const QString &error = {});
    void saveAndEmit(const QString &error);
    void applySettings(const SyncSettings &settings);
    void tune();
    void watchAlerts(const metrics::MetricsSnapshot &snapshot);
    /// The highest per-tick p95 API latency after `*sinceMs`; moves `*sinceMs` to the last tick.
    double recentP95Ms(qint64 *sinceMs) const;
    metrics::RunConfig runConfig() const;
    /// Applies what earlier runs learned about the feed and the requests they spent.
    void useFeedMemory(const db::FeedCapabilities &capabilities, const QList<qint64> &requests);
    void rememberFeed(const db::FeedCapabilities &capabilities, const QString &note);
    /// Saves the requests started since the last flush in the ledger (limits across restarts).
    void flushRequestLedger();

    RunContext m_context;
    std::unique_ptr<metrics::MetricsRecorder> m_metrics;
    std::unique_ptr<reso::FeedClient> m_client;
    std::unique_ptr<WorkerPool> m_workers;
    QThreadPool m_storePool;
    std::unique_ptr<db::SyncStore> m_store;
    std::shared_ptr<ParentCache> m_parentCache;
    std::optional<db::Checkpoint> m_propertyCheckpoint;
    std::unique_ptr<ResourcePipeline> m_pipeline;
    std::unique_ptr<AdaptiveTuner> m_tuner; ///< set when the request is adaptive
    QTimer m_tunerTimer;
    qint64 m_tunerSinceMs = 0; ///< the tuner has seen the latency series up to here
    metrics::AlertMonitor m_alerts;
    qint64 m_alertsSinceMs = 0;
    QTimer m_ledgerTimer;
    int m_nextResource = 0;
    qint64 m_startUsecs = 0;
    bool m_finishing = false;
    RunOutcome m_outcome = RunOutcome::Succeeded;
    metrics::RunReport m_report;
};

QString outcomeStatus(RunOutcome outcome); ///< "succeeded", "failed" or "cancelled"

} // namespace resosync::sync

Q_DECLARE_METATYPE(resosync::sync::LogLevel)
Q_DECLARE_METATYPE(resosync::metrics::RunReport)
Q_DECLARE_METATYPE(resosync::sync::SyncSettings)
