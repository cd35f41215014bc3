#include "sync/SyncSession.h"

namespace resosync::sync {

using namespace Qt::StringLiterals;

namespace {
/// How long the destructor waits for a cancelled run to save its record. A cancel only waits
/// for the transactions in progress, so this is a bound for a database that stopped answering.
constexpr int kCancelWaitMs = 60'000;
} // namespace

SyncSession::SyncSession(QObject *parent)
    : QObject(parent)
    , m_threadContext(std::make_unique<QObject>()) {
    // For receivers that queue started() or record it (QSignalSpy), as for the engine's types.
    qRegisterMetaType<const resosync::metrics::MetricsRecorder *>();
    qRegisterMetaType<resosync::sync::RunOutcome>();
    m_thread.setObjectName(u"resosync-sync"_s);
    m_threadContext->moveToThread(&m_thread);
    m_thread.start();
}

SyncSession::~SyncSession() {
    if (m_running) {
        cancel();
        if (!m_runsEnded.tryAcquire(1, kCancelWaitMs))
            qWarning("The sync did not stop within %d s of being cancelled; stopping it without "
                     "saving its record.",
                     kCancelWaitMs / 1000);
    }
    // The engines go on the thread they live on (their network and timers belong to it).
    onSessionThread([this] {
        m_retired.reset();
        m_engine.reset();
        QThread::currentThread()->quit();
    });
    m_thread.wait();
}

bool SyncSession::start(const SyncRequest &request) {
    if (m_running)
        return false;
    m_running = true;
    m_paused = false;
    m_cancelling = false;
    m_request = request;
    onSessionThread([this, request] { createEngine(request); });
    return true;
}

void SyncSession::createEngine(const SyncRequest &request) {
    m_retired = std::move(m_engine);
    m_engine = std::make_unique<SyncEngine>(request);
    SyncEngine *engine = m_engine.get();
    // `this` lives on the owner's thread: these connections are queued there.
    connect(engine, &SyncEngine::logged, this, &SyncSession::logged);
    connect(engine, &SyncEngine::phaseChanged, this, &SyncSession::phaseChanged);
    connect(engine, &SyncEngine::resourceProgress, this, &SyncSession::resourceProgress);
    connect(engine, &SyncEngine::settingsChanged, this, &SyncSession::settingsChanged);
    connect(engine, &SyncEngine::finished, engine,
            [this, engine](const metrics::RunReport &report) {
                const RunOutcome outcome = engine->outcome();
                m_runsEnded.release();
                QMetaObject::invokeMethod(
                    this, [this, report, outcome] { onFinished(report, outcome); },
                    Qt::QueuedConnection);
            });
    const metrics::MetricsRecorder *recorder = engine->metrics();
    QMetaObject::invokeMethod(
        this, [this, recorder] { onStarted(recorder); }, Qt::QueuedConnection);
    engine->start();
}

void SyncSession::onStarted(const metrics::MetricsRecorder *recorder) {
    m_metrics = recorder;
    Q_EMIT started(recorder);
    // Every receiver has the new recorder now: the previous run's engine may go.
    onSessionThread([this] { m_retired.reset(); });
}

void SyncSession::onFinished(const metrics::RunReport &report, RunOutcome outcome) {
    m_runsEnded.tryAcquire(); // released just before this was posted: keeps the count at zero
    m_running = false;
    m_cancelling = false;
    if (m_paused) {
        m_paused = false;
        Q_EMIT pausedChanged(false);
    }
    Q_EMIT finished(report, outcome);
}

void SyncSession::pause() {
    if (!m_running || m_paused || m_cancelling)
        return;
    m_paused = true;
    onSessionThread([this] { m_engine->pause(); });
    Q_EMIT pausedChanged(true);
}

void SyncSession::resume() {
    if (!m_running || !m_paused)
        return;
    m_paused = false;
    onSessionThread([this] { m_engine->resume(); });
    Q_EMIT pausedChanged(false);
}

void SyncSession::cancel() {
    if (!m_running || m_cancelling)
        return;
    m_cancelling = true;
    onSessionThread([this] { m_engine->cancel(); });
}

void SyncSession::updateSettings(const SyncSettings &settings) {
    if (!m_running)
        return;
    m_request.settings = settings;
    onSessionThread([this, settings] { m_engine->updateSettings(settings); });
}

void SyncSession::updateAlerts(const metrics::AlertThresholds &thresholds) {
    if (!m_running)
        return;
    m_request.alerts = thresholds;
    onSessionThread([this, thresholds] { m_engine->updateAlerts(thresholds); });
}

} // namespace resosync::sync
