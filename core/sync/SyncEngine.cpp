#include "sync/SyncEngine.h"

#include "metrics/MetricsRecorder.h"
#include "reso/FeedClient.h"
#include "reso/Timestamp.h"
#include "sync/AdaptiveTuner.h"
#include "sync/ChildPipeline.h"
#include "sync/ParentCache.h"
#include "sync/PropertyPipeline.h"
#include "sync/ReconcilePipeline.h"

#include <QDateTime>
#include <QtConcurrent/QtConcurrentRun>

namespace resosync::sync {

using namespace Qt::StringLiterals;
using reso::Resource;

namespace {

struct Prepared {
    std::optional<db::DbError> error;
    std::optional<db::Checkpoint> checkpoint;
    db::FeedCapabilities capabilities;
    QList<qint64> requestHistory; ///< request starts of earlier runs within the last day
    bool refusedForNoCursor = false;
    qint64 runId = 0;
};

RunOutcome outcomeFor(const db::DbError &error) {
    switch (db::classify(error.kind)) {
    case db::DbErrorClass::Unavailable:
        return RunOutcome::Unavailable;
    case db::DbErrorClass::BadSettings:
        return RunOutcome::Refused;
    case db::DbErrorClass::Failed:
        break;
    }
    return RunOutcome::Failed;
}

/// How far back the request ledger is read: the longest window a limit has.
constexpr qint64 kLedgerWindowMs = 24LL * 3600 * 1000;
constexpr int kLedgerFlushMs = 1000;

/// The feed could not be used at all: nothing answered, it refused us, or what answered is
/// not an OData feed (a wrong URL).
bool isUnreachable(reso::FetchError error) {
    return error == reso::FetchError::Network || error == reso::FetchError::Timeout ||
           error == reso::FetchError::Unauthorized || error == reso::FetchError::NotOData;
}

QString settingsChange(const SyncSettings &from, const SyncSettings &to) {
    QStringList changes;
    auto note = [&changes](const char *name, int a, int b) {
        if (a != b)
            changes << u"%1 %2 -> %3"_s.arg(QLatin1StringView(name)).arg(a).arg(b);
    };
    note("batch size", from.batchSize, to.batchSize);
    note("property batch size", from.propertyBatchSize, to.propertyBatchSize);
    note("db batch size", from.dbBatchSize, to.dbBatchSize);
    note("throttle ms", from.throttleMs, to.throttleMs);
    note("concurrency", from.concurrency, to.concurrency);
    return changes.join(u", "_s);
}

} // namespace

QString outcomeStatus(RunOutcome outcome) {
    switch (outcome) {
    case RunOutcome::Succeeded:
    case RunOutcome::Partial:
        return u"succeeded"_s;
    case RunOutcome::Cancelled:
        return u"cancelled"_s;
    default:
        return u"failed"_s;
    }
}

SyncEngine::SyncEngine(SyncRequest request, QObject *parent)
    : QObject(parent)
    , m_metrics(std::make_unique<metrics::MetricsRecorder>())
    , m_store(std::make_unique<db::SyncStore>(request.conninfo))
    , m_parentCache(std::make_shared<ParentCache>()) {
    qRegisterMetaType<resosync::sync::LogLevel>();
    qRegisterMetaType<resosync::metrics::RunReport>();
    qRegisterMetaType<resosync::sync::SyncSettings>();
    m_context.request = std::move(request);
    m_storePool.setObjectName(u"resosync-store"_s);
    m_storePool.setMaxThreadCount(1); // the SyncStore's connection: one thread at a time
    m_context.metrics = m_metrics.get();
    m_context.store = m_store.get();
    m_context.storePool = &m_storePool;
    m_context.log = [this](LogLevel level, Resource resource, const QString &message) {
        Q_EMIT logged(level, reso::resourceName(resource), message);
    };
    m_context.progress = [this](Resource resource, qint64 done, qint64 total, const QString &unit) {
        Q_EMIT resourceProgress(resource, done, total, unit);
    };
    m_context.keyFilterUseIn = m_context.request.profile.supportsIn;
    m_context.maxUrlLength = m_context.request.profile.maxUrlLength;
    m_context.rememberFeed = [this](const db::FeedCapabilities &capabilities, const QString &note) {
        rememberFeed(capabilities, note);
    };
    m_ledgerTimer.setInterval(kLedgerFlushMs);
    connect(&m_ledgerTimer, &QTimer::timeout, this, &SyncEngine::flushRequestLedger);
}

SyncEngine::~SyncEngine() {
    // Jobs on the pools may still reference pipeline state: let them end before it goes.
    m_context.cancelled = true;
    if (m_client)
        m_client->cancelAll();
    if (m_workers)
        m_workers->waitForDone();
    m_storePool.waitForDone();
    m_pipeline.reset();
}

metrics::MetricsRecorder *SyncEngine::metrics() const {
    return m_metrics.get();
}

metrics::RunConfig SyncEngine::runConfig() const {
    const SyncRequest &r = m_context.request;
    metrics::RunConfig config;
    config.batchSize = r.settings.batchSize;
    config.propertyBatchSize = r.settings.propertyBatchSize;
    config.dbBatchSize = r.settings.dbBatchSize;
    config.throttleMs = r.settings.throttleMs;
    config.concurrency = r.settings.concurrency;
    config.profile = r.profile.name;
    config.mode = syncModeName(r.mode);
    config.adaptive = r.adaptive;
    for (Resource resource : r.resources)
        config.resources << reso::resourceName(resource);
    return config;
}

void SyncEngine::start() {
    m_startUsecs = reso::Timestamp::now().usecs();
    m_context.fenceUsecs = m_startUsecs - qint64(m_context.request.fenceLagSeconds) * 1'000'000;
    m_metrics->start(m_context.request.settings.concurrency);
    m_alerts.setThresholds(m_context.request.alerts);
    connect(m_metrics.get(), &metrics::MetricsRecorder::snapshotReady, this,
            &SyncEngine::watchAlerts);
    if (m_context.request.adaptive) {
        m_tuner =
            std::make_unique<AdaptiveTuner>(m_context.request.profile, m_context.request.settings);
        m_tunerTimer.setInterval(int(AdaptiveTuner::kWindowMs));
        connect(&m_tunerTimer, &QTimer::timeout, this, &SyncEngine::tune);
        m_tunerTimer.start();
    }
    Q_EMIT phaseChanged(tr("Connecting to the database"));
    prepare();
}

void SyncEngine::prepare() {
    db::SyncStore *store = m_store.get();
    const metrics::RunConfig config = runConfig();
    const QUrl feed = m_context.request.feedUrl;
    const qint64 startUsecs = m_startUsecs;
    const bool wantsProperty = m_context.request.resources.contains(Resource::Property);
    const bool needsCursor = wantsProperty && m_context.request.mode == SyncMode::Incremental;
    const bool limited = !m_context.request.profile.limits.isUnlimited();
    QtConcurrent::run(&m_storePool, [store, config, feed, startUsecs, wantsProperty, needsCursor,
                                     limited] {
        Prepared p;
        if ((p.error = store->open()))
            return p;
        if ((p.error = store->loadFeedCapabilities(feed, &p.capabilities)))
            return p;
        if (limited &&
            (p.error = store->loadRequestHistory(
                 feed, QDateTime::currentMSecsSinceEpoch() - kLedgerWindowMs, &p.requestHistory)))
            return p;
        if (wantsProperty && (p.error = store->loadCheckpoint(Resource::Property, &p.checkpoint)))
            return p;
        if (needsCursor && !p.checkpoint) {
            p.refusedForNoCursor = true;
            return p;
        }
        // Started at the instant the recorder's clock counts from, so history gives sample
        // and event times relative to the start exactly.
        p.error = store->beginRun(config, feed, &p.runId, startUsecs);
        return p;
    }).then(this, [this](Prepared p) {
        if (p.error)
            return finish(outcomeFor(*p.error), p.error->message);
        if (p.refusedForNoCursor)
            return finish(RunOutcome::Refused,
                          tr("Property has no saved cursor yet, so this sync would download "
                             "the whole feed. A first sync is a full load: start it "
                             "deliberately with mode full (resosync-cli sync --mode full, or Full "
                             "in the console)."));
        m_context.runId = p.runId;
        m_propertyCheckpoint = p.checkpoint;
        m_client = std::make_unique<reso::FeedClient>(m_context.request.profile,
                                                      m_context.request.auth, m_metrics.get());
        m_client->setThrottleMs(m_context.request.settings.throttleMs);
        connect(m_client.get(), &reso::FeedClient::warning, this, [this](const QString &message) {
            Q_EMIT logged(LogLevel::Warning, QString(), message);
        });
        useFeedMemory(p.capabilities, p.requestHistory);
        m_workers = std::make_unique<WorkerPool>(m_context.request.conninfo, m_metrics.get(),
                                                 m_context.request.settings.concurrency + 1);
        m_context.client = m_client.get();
        m_context.workers = m_workers.get();
        startNextResource();
    });
}

void SyncEngine::useFeedMemory(const db::FeedCapabilities &capabilities,
                               const QList<qint64> &requests) {
    if (capabilities.supportsIn == false && m_context.keyFilterUseIn) {
        m_context.keyFilterUseIn = false;
        Q_EMIT logged(LogLevel::Info, QString(),
                      tr("This feed refused `in` filters before: using `or` chains"));
    }
    if (capabilities.maxUrlLength && *capabilities.maxUrlLength < m_context.maxUrlLength) {
        m_context.maxUrlLength = *capabilities.maxUrlLength;
        Q_EMIT logged(LogLevel::Info, QString(),
                      tr("This feed refused long URLs before: keeping requests within %1 bytes")
                          .arg(m_context.maxUrlLength));
    }
    if (m_context.request.profile.limits.isUnlimited())
        return;
    m_client->seedRequestHistory(requests);
    m_ledgerTimer.start();
}

void SyncEngine::rememberFeed(const db::FeedCapabilities &capabilities, const QString &note) {
    db::SyncStore *store = m_store.get();
    const QUrl feed = m_context.request.feedUrl;
    QtConcurrent::run(&m_storePool, [store, feed, capabilities, note] {
        return store->saveFeedCapabilities(feed, capabilities, note);
    }).then(this, [this](std::optional<db::DbError> error) {
        if (error)
            Q_EMIT logged(LogLevel::Warning, QString(),
                          tr("What the run learned about the feed could not be saved: %1")
                              .arg(error->message));
    });
}

void SyncEngine::flushRequestLedger() {
    if (!m_client)
        return;
    const QList<qint64> starts = m_client->takeRequestStarts();
    if (starts.isEmpty())
        return;
    db::SyncStore *store = m_store.get();
    const QUrl feed = m_context.request.feedUrl;
    QtConcurrent::run(&m_storePool, [store, feed, starts] {
        return store->recordRequests(feed, starts);
    }).then(this, [this](std::optional<db::DbError> error) {
        if (error)
            Q_EMIT logged(LogLevel::Warning, QString(),
                          tr("The requests made could not be recorded for the rate limits of "
                             "later runs: %1")
                              .arg(error->message));
    });
}

void SyncEngine::startNextResource() {
    if (m_pipeline) {
        ResourcePipeline *done = m_pipeline.release();
        done->deleteLater(); // we are inside its finished() signal
        if (done->failed() && isUnreachable(done->fetchError()) && !m_context.anyFetchSucceeded)
            return finish(RunOutcome::Unavailable, done->failure());
        // A refused token (after the one refresh) ends the run: every request would be refused.
        if (done->failed() && done->fetchError() == reso::FetchError::Unauthorized)
            return finish(RunOutcome::Unavailable, done->failure());
    }
    if (m_context.cancelled)
        return finish(RunOutcome::Cancelled);
    if (m_nextResource >= m_context.request.resources.size()) {
        const metrics::MetricsSnapshot s = m_metrics->snapshot();
        qint64 rejected = 0;
        for (const metrics::ResourceProgress &p : s.resources)
            rejected += p.rejected;
        bool anyFailed = false;
        for (Resource r : m_context.request.resources)
            anyFailed = anyFailed || !s.progress(r).done;
        // A reconcile's refused deletion changed nothing and waits for a person's decision.
        if (!m_context.refusals.isEmpty())
            return finish(RunOutcome::Refused);
        if (anyFailed && m_context.problems.isEmpty())
            m_context.problems << tr("a resource did not complete");
        // Failed batches leave the database short of the feed; rejected records are stored in
        // resosync.rejects with their reasons, everything else landed.
        if (!m_context.problems.isEmpty())
            return finish(RunOutcome::Failed);
        return finish(rejected > 0 ? RunOutcome::Partial : RunOutcome::Succeeded);
    }
    const Resource resource = m_context.request.resources[m_nextResource++];
    if (m_context.request.mode == SyncMode::Reconcile)
        m_pipeline = std::make_unique<ReconcilePipeline>(m_context, resource);
    else if (resource == Resource::Property)
        m_pipeline = std::make_unique<PropertyPipeline>(m_context, m_propertyCheckpoint);
    else
        m_pipeline = std::make_unique<ChildPipeline>(m_context, resource, m_parentCache);
    connect(m_pipeline.get(), &ResourcePipeline::finished, this, &SyncEngine::startNextResource,
            Qt::QueuedConnection);
    Q_EMIT phaseChanged(tr("Syncing %1").arg(reso::resourceName(resource)));
    m_pipeline->start();
}

void SyncEngine::cancel() {
    m_context.cancelled = true;
    QMetaObject::invokeMethod(this, [this] {
        m_metrics->markEvent(tr("cancel requested"));
        if (m_client)
            m_client->cancelAll();
        if (m_pipeline)
            m_pipeline->pump();
    });
}

void SyncEngine::pause() {
    m_context.paused = true;
    QMetaObject::invokeMethod(this, [this] { m_metrics->markEvent(tr("paused")); });
}

void SyncEngine::resume() {
    m_context.paused = false;
    QMetaObject::invokeMethod(this, [this] {
        m_metrics->markEvent(tr("resumed"));
        if (m_pipeline)
            m_pipeline->pump();
    });
}

void SyncEngine::updateSettings(const SyncSettings &settings) {
    QMetaObject::invokeMethod(this, [this, settings] {
        applySettings(settings);
        if (m_tuner)
            m_tuner->setSettings(m_context.request.settings);
    });
}

double SyncEngine::recentP95Ms(qint64 *sinceMs) const {
    double p95 = 0;
    for (const metrics::SeriesPoint &point :
         m_metrics->series(u"api.latency_p95_ms"_s, *sinceMs + 1)) {
        p95 = std::max(p95, point.value);
        *sinceMs = point.atMs;
    }
    return p95;
}

void SyncEngine::updateAlerts(const metrics::AlertThresholds &thresholds) {
    QMetaObject::invokeMethod(this, [this, thresholds] {
        if (thresholds == m_context.request.alerts)
            return;
        m_context.request.alerts = thresholds;
        m_alerts.setThresholds(thresholds);
        // Said in the log, as a settings change is: whoever changed them sees they arrived.
        Q_EMIT logged(LogLevel::Info, QString(),
                      tr("Alert thresholds changed: %1").arg(thresholds.summary()));
    });
}

void SyncEngine::watchAlerts(const metrics::MetricsSnapshot &snapshot) {
    for (const QString &alert : m_alerts.observe(snapshot, recentP95Ms(&m_alertsSinceMs))) {
        m_metrics->markEvent(alert);
        Q_EMIT logged(LogLevel::Warning, QString(), alert);
    }
}

void SyncEngine::tune() {
    if (m_context.paused || m_finishing)
        return;
    // The highest per-tick p95 since the last look: the run-wide p95 reacts too slowly.
    const double p95 = recentP95Ms(&m_tunerSinceMs);
    if (auto decision = m_tuner->observe(m_metrics->snapshot(), p95)) {
        Q_EMIT logged(LogLevel::Info, QString(), decision->reason);
        applySettings(decision->settings);
    }
}

void SyncEngine::applySettings(const SyncSettings &settings) {
    const QString invalid = settings.validate(m_context.request.profile);
    if (!invalid.isEmpty()) {
        Q_EMIT logged(LogLevel::Warning, QString(), tr("Setting not applied: %1").arg(invalid));
        return;
    }
    const QString change = settingsChange(m_context.request.settings, settings);
    if (change.isEmpty())
        return;
    m_context.request.settings = settings;
    m_metrics->markEvent(change);
    m_metrics->setConcurrency(settings.concurrency);
    if (m_client)
        m_client->setThrottleMs(settings.throttleMs);
    if (m_workers)
        m_workers->ensureThreads(settings.concurrency + 1);
    Q_EMIT logged(LogLevel::Info, QString(), tr("Settings changed: %1").arg(change));
    Q_EMIT settingsChanged(settings);
    if (m_pipeline)
        m_pipeline->pump();
}

void SyncEngine::finish(RunOutcome outcome, const QString &error) {
    if (m_finishing)
        return;
    m_finishing = true;
    m_tunerTimer.stop();
    m_outcome = outcome;
    if (!error.isEmpty()) {
        m_context.problems.prepend(error);
        Q_EMIT logged(LogLevel::Error, QString(), error);
    }
    Q_EMIT phaseChanged(tr("Saving the run"));
    m_metrics->stop();
    m_ledgerTimer.stop();
    flushRequestLedger(); // queued on the store's pool before the run's record
    saveAndEmit(error);
}

void SyncEngine::saveAndEmit(const QString &error) {
    m_report.runId = m_context.runId;
    m_report.status = outcomeStatus(m_outcome);
    m_report.durationSeconds = double(reso::Timestamp::now().usecs() - m_startUsecs) / 1e6;
    m_report.config = runConfig();
    m_report.metrics = m_metrics->snapshot();
    m_report.problems = m_context.problems;
    m_report.reconcile = m_context.reconciled;
    if (m_context.runId == 0) {
        Q_EMIT phaseChanged(tr("Finished"));
        Q_EMIT finished(m_report);
        return;
    }
    // Samples and marked events go with the run so its charts can be shown again from
    // history, markers included.
    QList<std::pair<QString, QList<metrics::SeriesPoint>>> series;
    for (const QString &name : m_metrics->seriesNames())
        series.append({name, m_metrics->series(name)});
    const QList<metrics::RunEvent> events = m_metrics->events();
    db::SyncStore *store = m_store.get();
    const qint64 runId = m_context.runId;
    const qint64 startUsecs = m_startUsecs;
    const QString status = m_report.status;
    const QJsonObject summary = m_report.toJson();
    QtConcurrent::run(&m_storePool, [store, runId, startUsecs, status, summary, error, series,
                                     events] {
        std::optional<db::DbError> failure;
        for (const auto &[name, points] : series) {
            if (auto e = store->appendSamples(runId, name, points, startUsecs))
                failure = e;
        }
        if (auto e = store->appendEvents(runId, events, startUsecs))
            failure = e;
        if (auto e = store->finishRun(runId, status, summary, error))
            failure = e;
        return failure;
    }).then(this, [this](std::optional<db::DbError> failure) {
        if (failure) {
            m_report.problems
                << tr("The run's record could not be saved: %1").arg(failure->message);
            Q_EMIT logged(LogLevel::Warning, QString(), m_report.problems.last());
        }
        Q_EMIT phaseChanged(tr("Finished"));
        Q_EMIT finished(m_report);
    });
}

} // namespace resosync::sync
