#pragma once

#include "db/SyncStore.h"
#include "metrics/RunReport.h"
#include "sync/SyncSettings.h"
#include "sync/WorkerPool.h"

#include <QString>
#include <QThreadPool>

#include <atomic>
#include <functional>

namespace resosync::metrics {
class MetricsRecorder;
}
namespace resosync::reso {
class FeedClient;
}

namespace resosync::sync {

enum class LogLevel { Info, Warning, Error };

/// What one run's pipelines share. Owned by the SyncEngine; pipelines read it on the engine's
/// thread (settings may change between batches, so they read them afresh for each).
struct RunContext {
    SyncRequest request;
    qint64 runId = 0;
    qint64 fenceUsecs = 0;
    reso::FeedClient *client = nullptr;
    WorkerPool *workers = nullptr;
    metrics::MetricsRecorder *metrics = nullptr;
    /// The bookkeeping connection (runs, cursors, key stream) on a one-thread pool, so its
    /// SyncStore is only ever used by one thread.
    QThreadPool *storePool = nullptr;
    db::SyncStore *store = nullptr;
    std::atomic_bool cancelled = false;
    std::atomic_bool paused = false;
    std::function<void(LogLevel, reso::Resource, const QString &)> log;
    std::function<void(reso::Resource, qint64 done, qint64 total, const QString &unit)> progress;
    /// Named failures for the report (failed batches, refused pages).
    QStringList problems;
    /// Deletions a reconcile's guard refused (they need confirmation): the run is Refused.
    QStringList refusals;
    QList<metrics::ReconcileSummary> reconciled;
    bool anyFetchSucceeded = false;
    /// What the run knows of the feed beyond its profile, learned by this run or remembered
    /// from earlier ones (resosync.feed_capabilities): whether key filters may use `in`, and
    /// the longest request target the feed accepts. Read afresh for every key split.
    bool keyFilterUseIn = true;
    int maxUrlLength = 8000;
    /// Keeps a lesson for the next runs (on the store's pool; failures are only logged).
    std::function<void(const db::FeedCapabilities &, const QString &note)> rememberFeed;
};

} // namespace resosync::sync
