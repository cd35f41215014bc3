#include "RunView.h"

#include "AlertThresholdsPanel.h"
#include "LogPane.h"
#include "ProblemList.h"
#include "ResourceProgressView.h"
#include "RunControls.h"
#include "TuningPanel.h"

#include <QDataStream>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QIODevice>
#include <QSplitter>
#include <QTabWidget>
#include <QVBoxLayout>

namespace resosync::ui {

using namespace Qt::StringLiterals;
using reso::Resource;

namespace {

constexpr quint32 kStateVersion = 1;

QString outcomeText(sync::RunOutcome outcome) {
    switch (outcome) {
    case sync::RunOutcome::Succeeded:
        return RunView::tr("Finished: everything stored.");
    case sync::RunOutcome::Partial:
        return RunView::tr("Finished: stored, except records the database refused (see "
                           "Problems; they are kept in resosync.rejects).");
    case sync::RunOutcome::Failed:
        return RunView::tr("Finished with failures (see Problems). What was stored is "
                           "consistent; Retry failed fetches what is missing.");
    case sync::RunOutcome::Unavailable:
        return RunView::tr("Could not run: the feed or the database is unreachable (see "
                           "Problems).");
    case sync::RunOutcome::Refused:
        return RunView::tr("Not started (see Problems).");
    case sync::RunOutcome::Cancelled:
        return RunView::tr("Cancelled. What was stored is consistent; the next incremental "
                           "run continues from there.");
    }
    return {};
}

QGroupBox *boxed(const QString &title, QWidget *content, QWidget *parent) {
    auto *box = new QGroupBox(title, parent);
    auto *layout = new QVBoxLayout(box);
    layout->addWidget(content);
    return box;
}

} // namespace

RunView::RunView(QWidget *parent)
    : QWidget(parent) {
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_splitter = new QSplitter(Qt::Vertical, this);
    m_splitter->setObjectName(u"runSplitter"_s);
    m_splitter->setChildrenCollapsible(false);
    m_splitter->addWidget(buildTop());
    m_chartArea = new QSplitter(Qt::Horizontal, m_splitter);
    m_chartArea->setObjectName(u"chartArea"_s);
    m_chartArea->setChildrenCollapsible(false);
    m_chartArea->hide(); // until a monitor is added: an empty pane would only take room
    m_splitter->addWidget(m_chartArea);
    m_tabs = new QTabWidget(m_splitter);
    m_tabs->setObjectName(u"runTabs"_s);
    m_problems = new ProblemList(m_tabs);
    m_problems->setObjectName(u"problemList"_s);
    m_log = new LogPane(m_tabs);
    m_log->setObjectName(u"logPane"_s);
    m_tabs->addTab(m_problems, tr("Problems"));
    m_tabs->addTab(m_log, tr("Log"));
    m_splitter->addWidget(m_tabs);
    m_splitter->setStretchFactor(0, 0);
    m_splitter->setStretchFactor(1, 3);
    m_splitter->setStretchFactor(2, 1);
    layout->addWidget(m_splitter);

    connect(m_controls, &RunControls::startRequested, this, &RunView::startRun);
    connect(m_controls, &RunControls::pauseRequested, this, &RunView::pauseRun);
    connect(m_controls, &RunControls::resumeRequested, this, &RunView::resumeRun);
    connect(m_controls, &RunControls::cancelRequested, this, &RunView::cancelRun);
    connect(m_controls, &RunControls::retryRequested, this, &RunView::retryFailed);
    connect(m_tuning, &TuningPanel::settingsEdited, this, &RunView::updateStartable);
    connect(m_tuning, &TuningPanel::applyRequested, &m_session, &sync::SyncSession::updateSettings);
    connect(m_alerts, &AlertThresholdsPanel::thresholdsEdited, &m_session,
            &sync::SyncSession::updateAlerts);
    connect(m_problems, &ProblemList::problemCountChanged, this, &RunView::updateProblemsTab);

    connect(&m_session, &sync::SyncSession::started, this, &RunView::onStarted);
    connect(&m_session, &sync::SyncSession::logged, this, &RunView::onLogged);
    connect(&m_session, &sync::SyncSession::phaseChanged, this, [this](const QString &phase) {
        m_phase = phase;
        if (!m_session.isPaused())
            m_progress->setPhase(phase);
    });
    connect(&m_session, &sync::SyncSession::resourceProgress, m_progress,
            &ResourceProgressView::showUnits);
    connect(&m_session, &sync::SyncSession::pausedChanged, this, &RunView::onPausedChanged);
    connect(&m_session, &sync::SyncSession::settingsChanged, m_tuning,
            &TuningPanel::showEngineSettings);
    connect(&m_session, &sync::SyncSession::finished, this, &RunView::onFinished);
    updateStartable();
}

RunView::~RunView() = default;

QWidget *RunView::buildTop() {
    auto *top = new QWidget(this);
    auto *row = new QHBoxLayout(top);
    row->setContentsMargins(0, 0, 0, 0);
    m_controls = new RunControls(top);
    m_controls->setObjectName(u"runControls"_s);
    m_progress = new ResourceProgressView(top);
    m_progress->setObjectName(u"resourceProgress"_s);
    m_tuning = new TuningPanel(top);
    m_tuning->setObjectName(u"tuningPanel"_s);
    row->addWidget(boxed(tr("Run"), m_controls, top));
    row->addWidget(boxed(tr("Progress"), m_progress, top), 1);
    row->addWidget(boxed(tr("Settings"), m_tuning, top));
    m_alerts = new AlertThresholdsPanel(top);
    m_alerts->setObjectName(u"alertThresholdsPanel"_s);
    row->addWidget(boxed(tr("Alerts"), m_alerts, top));
    return top;
}

void RunView::setTarget(const sync::SyncRequest &target) {
    m_target = target;
    m_tuning->setProfile(target.profile);
}

void RunView::suggestMode(sync::SyncMode mode) {
    if (!isRunning())
        m_controls->setMode(mode);
}

void RunView::addMonitor(QWidget *monitor) {
    m_chartArea->addWidget(monitor);
    m_chartArea->show();
}

QList<QAction *> RunView::runActions() const {
    return m_controls->runActions();
}

metrics::AlertThresholds RunView::alertThresholds() const {
    return m_alerts->thresholds();
}

void RunView::setAlertThresholds(const metrics::AlertThresholds &thresholds) {
    m_alerts->setThresholds(thresholds);
}

QByteArray RunView::saveState() const {
    QByteArray state;
    QDataStream out(&state, QIODevice::WriteOnly);
    out << kStateVersion << m_splitter->saveState() << m_chartArea->saveState();
    return state;
}

bool RunView::restoreState(const QByteArray &state) {
    QDataStream in(state);
    quint32 version = 0;
    QByteArray main, charts;
    in >> version >> main >> charts;
    if (in.status() != QDataStream::Ok || version != kStateVersion)
        return false;
    return m_splitter->restoreState(main) && m_chartArea->restoreState(charts);
}

void RunView::startRun() {
    startWith(m_controls->resources(), m_controls->mode());
}

void RunView::retryFailed() {
    startWith(m_controls->retryResources(), sync::SyncMode::Incremental);
}

void RunView::cancelRun() {
    if (!isRunning() || m_session.isCancelling())
        return;
    m_session.cancel();
    m_controls->setState(RunControls::State::Cancelling);
    m_progress->setPhase(tr("Cancelling: requests are aborted, transactions in progress "
                            "finish…"));
}

void RunView::startWith(const QList<Resource> &resources, sync::SyncMode mode) {
    if (isRunning() || resources.isEmpty() || !m_tuning->problem().isEmpty())
        return;
    sync::SyncRequest request = m_target;
    request.resources = resources;
    request.mode = mode;
    request.settings = m_tuning->settings();
    request.adaptive = m_tuning->adaptive();
    request.alerts = m_alerts->thresholds();
    if (!m_session.start(request))
        return;
    m_controls->setState(RunControls::State::Running);
    m_controls->setRetryResources({});
    m_tuning->setLiveSettings(request.settings);
    m_alerts->setLive(true);
    m_progress->begin(resources);
    m_phase = tr("Starting");
    m_progress->setPhase(m_phase);
    m_problems->clearProblems();
    QStringList names;
    for (Resource resource : resources)
        names << reso::resourceName(resource);
    m_log->note(
        tr("Run started: %1 sync of %2 (%3)")
            .arg(sync::syncModeName(mode), names.join(u", "_s), request.settings.summary()));
    m_log->note(tr("Alert thresholds: %1").arg(request.alerts.summary()));
    Q_EMIT runningChanged(true);
}

void RunView::onStarted(const metrics::MetricsRecorder *recorder) {
    // Snapshots arrive from the engine's thread a few times a second: the bars follow them
    // rather than every record.
    connect(recorder, &metrics::MetricsRecorder::snapshotReady, m_progress,
            &ResourceProgressView::showSnapshot);
    Q_EMIT runStarted(recorder);
}

void RunView::onLogged(sync::LogLevel level, const QString &resource, const QString &message) {
    m_log->append(level, resource, message);
    if (level != sync::LogLevel::Info)
        m_problems->addProblem(level, resource, message);
}

void RunView::onPausedChanged(bool paused) {
    if (m_session.isCancelling() || !isRunning())
        return;
    m_controls->setState(paused ? RunControls::State::Paused : RunControls::State::Running);
    m_progress->setPhase(paused ? tr("Paused (requests and batches in progress finish; nothing "
                                     "new starts until Resume)")
                                : m_phase);
}

void RunView::onFinished(const metrics::RunReport &report, sync::RunOutcome outcome) {
    m_progress->showSnapshot(report.metrics);
    m_progress->setPhase(outcomeText(outcome));
    m_problems->addReportProblems(report.problems);
    m_controls->setState(RunControls::State::Idle);
    // Incomplete resources after failed batches: an incremental run fetches again the
    // children of every listing whose children were not stored completely.
    QList<Resource> incomplete;
    if (outcome == sync::RunOutcome::Failed) {
        for (Resource resource : m_session.request().resources) {
            if (!report.metrics.progress(resource).done)
                incomplete << resource;
        }
    }
    m_controls->setRetryResources(incomplete);
    m_tuning->setLiveSettings(std::nullopt);
    m_alerts->setLive(false);
    m_log->note(tr("Run %1 after %2 s").arg(report.status).arg(report.durationSeconds, 0, 'f', 1));
    if (m_problems->problemCount() > 0 && outcome != sync::RunOutcome::Succeeded)
        m_tabs->setCurrentWidget(m_problems);
    Q_EMIT runningChanged(false);
    Q_EMIT runFinished(report);
}

void RunView::updateStartable() {
    m_controls->setStartBlocked(m_tuning->problem());
}

void RunView::updateProblemsTab(int count) {
    m_tabs->setTabText(m_tabs->indexOf(m_problems),
                       count > 0 ? tr("Problems (%1)").arg(count) : tr("Problems"));
}

} // namespace resosync::ui
