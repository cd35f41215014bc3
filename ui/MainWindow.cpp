#include "MainWindow.h"

#include "ChartsView.h"
#include "ConnectionDialog.h"
#include "EventLoopProbe.h"
#include "HistoryView.h"
#include "IndexWizard.h"
#include "MonitorPanel.h"
#include "ReplicaTable.h"
#include "RunView.h"
#include "db/Conninfo.h"
#include "sim/FeedSimulator.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace resosync::ui {

using namespace Qt::StringLiterals;

namespace {
// Where the window keeps its layout in QSettings.
constexpr auto kGeometryKey = "mainWindow/geometry"_L1;
constexpr auto kStateKey = "mainWindow/state"_L1;
constexpr auto kSplitterKey = "mainWindow/splitter"_L1;
constexpr auto kRunViewKey = "mainWindow/runView"_L1;
constexpr auto kHistorySplitterKey = "mainWindow/historySplitter"_L1;
// The alert thresholds the user chose, one key each (0 = off); absent: the defaults.
constexpr auto kAlertLatencyKey = "alerts/p95LatencyMs"_L1;
constexpr auto kAlertErrorRateKey = "alerts/errorRatePercent"_L1;
constexpr auto kAlertMemoryKey = "alerts/memoryMb"_L1;

metrics::AlertThresholds readAlertThresholds(const QSettings &settings) {
    metrics::AlertThresholds t;
    t.apiP95Ms = settings.value(kAlertLatencyKey, t.apiP95Ms).toDouble();
    t.errorRatePercent = settings.value(kAlertErrorRateKey, t.errorRatePercent).toDouble();
    t.memoryMb = settings.value(kAlertMemoryKey, t.memoryMb).toDouble();
    return t;
}

void writeAlertThresholds(QSettings &settings, const metrics::AlertThresholds &t) {
    settings.setValue(kAlertLatencyKey, t.apiP95Ms);
    settings.setValue(kAlertErrorRateKey, t.errorRatePercent);
    settings.setValue(kAlertMemoryKey, t.memoryMb);
}
} // namespace

MainWindow::MainWindow(const ConsoleSetup &setup, QWidget *parent)
    : QMainWindow(parent)
    , m_setup(setup) {
    m_splitter = new QSplitter(Qt::Vertical, this);
    m_splitter->setObjectName(u"mainSplitter"_s);
    m_splitter->setChildrenCollapsible(false);
    m_splitter->addWidget(buildOverview());
    m_runView = new RunView(m_splitter);
    m_runView->setObjectName(u"runView"_s);
    m_splitter->addWidget(m_runView);
    m_splitter->setStretchFactor(0, 0);
    m_splitter->setStretchFactor(1, 1);
    m_monitor = new MonitorPanel(m_runView);
    m_runView->addMonitor(m_monitor);
    connect(m_runView, &RunView::runStarted, m_monitor, &MonitorPanel::follow);

    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(u"tabs"_s);
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(m_splitter, tr("&Sync"));
    m_tabs->setTabToolTip(0,
                          tr("The feed, the database, and the run: start, watch, tune (Ctrl+1)"));
    m_tabs->addTab(buildHistory(), tr("&History"));
    m_tabs->setTabToolTip(1, tr("Past runs: reports, charts, comparison, trends, export (Ctrl+2)"));
    setCentralWidget(m_tabs);
    m_profiles.setDemo(setup.feedUrl, setup.conninfo);
    applyTarget();

    m_probe = new EventLoopProbe(this);
    m_probeLabel = new QLabel(this);
    m_probeLabel->setObjectName(u"eventLoopLabel"_s);
    m_probeLabel->setToolTip(
        tr("How late a 10 ms timer on the window's thread fires during the run: the console's "
           "own responsiveness while it syncs (under 50 ms at p99 feels smooth)"));
    statusBar()->addPermanentWidget(m_probeLabel);
    connect(m_probe, &EventLoopProbe::summaryChanged, m_probeLabel, &QLabel::setText);

    buildMenus();

    connect(&m_overviewWatcher, &QFutureWatcher<db::ReplicaOverview>::finished, this,
            [this] { showOverview(m_overviewWatcher.result()); });
    connect(&m_schemaWatcher, &QFutureWatcher<db::SchemaReport>::finished, this,
            [this] { showSchemaResult(m_schemaWatcher.result()); });
    connect(m_runView, &RunView::runningChanged, this, &MainWindow::onRunningChanged);
    connect(m_runView, &RunView::runFinished, this, [this] { m_history->refresh(); });

    const QSettings settings;
    if (!restoreGeometry(settings.value(kGeometryKey).toByteArray()))
        resize(1280, 860);
    restoreState(settings.value(kStateKey).toByteArray());
    m_splitter->restoreState(settings.value(kSplitterKey).toByteArray());
    m_runView->restoreState(settings.value(kRunViewKey).toByteArray());
    m_historySplitter->restoreState(settings.value(kHistorySplitterKey).toByteArray());
    m_runView->setAlertThresholds(readAlertThresholds(settings));
    refresh();
}

QWidget *MainWindow::buildHistory() {
    m_historySplitter = new QSplitter(Qt::Vertical, this);
    m_historySplitter->setObjectName(u"historySplitter"_s);
    m_history = new HistoryView(m_setup.conninfo, m_historySplitter);
    m_historyCharts = new ChartsView(m_historySplitter);
    m_historyCharts->setObjectName(u"historyCharts"_s);
    m_historyCharts->setToolTip(tr("The charts of the run chosen above, from its saved samples "
                                   "(Show charts, or double-click a run)"));
    connect(m_history, &HistoryView::runChartsLoaded, m_historyCharts,
            [this](qint64, const db::SeriesByName &series, const QList<metrics::RunEvent> &events) {
                m_historyCharts->showRecorded(series, events);
            });
    m_historySplitter->addWidget(m_history);
    m_historySplitter->addWidget(m_historyCharts);
    return m_historySplitter;
}

void MainWindow::applyTarget() {
    sync::SyncRequest target;
    target.feedUrl = m_setup.feedUrl;
    target.conninfo = m_setup.conninfo;
    target.profile = m_setup.profile;
    target.auth = m_setup.auth;
    m_runView->setTarget(target);
    setWindowTitle(tr("ResoSync — %1").arg(m_setup.feedName));
}

void MainWindow::openConnections() {
    if (m_runView->isRunning())
        return;
    ConnectionDialog dialog(m_profiles, m_secrets, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    const connections::ResolvedConnection chosen = dialog.connection();
    ConsoleSetup setup = m_setup;
    setup.feedName = chosen.name;
    setup.feedUrl = chosen.feedUrl;
    setup.conninfo = chosen.conninfo;
    setup.profile = chosen.profile;
    setup.auth = chosen.auth;
    // Feed-side counts exist only for the built-in simulator the console started.
    if (!m_setup.simulator || chosen.feedUrl != m_setup.simulator->baseUrl())
        setup.simulator = nullptr;
    useConnection(setup);
}

void MainWindow::useConnection(const ConsoleSetup &setup) {
    m_setup = setup;
    m_suggestedMode.reset();
    QWidget *old = m_splitter->widget(0);
    m_splitter->replaceWidget(0, buildOverview());
    old->deleteLater();
    QWidget *oldHistory = m_tabs->widget(1);
    m_tabs->removeTab(1);
    m_tabs->insertTab(1, buildHistory(), tr("&History"));
    oldHistory->deleteLater();
    applyTarget();
    updateDatabaseActions();
    refresh();
}

MainWindow::~MainWindow() {
    // A read started by the end of a run may still be going: it must not outlive the window
    // whose watcher it reports to (nor hold a connection to a database about to be dropped).
    m_overviewWatcher.waitForFinished();
    m_schemaWatcher.waitForFinished();
}

QWidget *MainWindow::buildOverview() {
    auto *overview = new QWidget(this);
    auto *layout = new QVBoxLayout(overview);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(buildConnections());
    m_table = new ReplicaTable(overview);
    m_table->showFeedCounts(m_setup.simulator);
    // As tall as its four rows: the room below is the run view's (and its charts').
    m_table->setSizeAdjustPolicy(QAbstractScrollArea::AdjustToContents);
    m_table->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Maximum);
    layout->addWidget(m_table);
    return overview;
}

QWidget *MainWindow::buildConnections() {
    auto *box = new QGroupBox(tr("Connections"), this);
    auto *form = new QFormLayout(box);
    auto *feed = new QLabel(u"%1<br><small>%2 · profile %3</small>"_s.arg(
                                m_setup.feedName.toHtmlEscaped(),
                                m_setup.feedUrl.toDisplayString().toHtmlEscaped(),
                                m_setup.profile.name.toHtmlEscaped()),
                            box);
    feed->setTextInteractionFlags(Qt::TextSelectableByMouse);
    feed->setToolTip(tr("The RESO Web API (OData) service this console replicates from, and the "
                        "vendor profile whose limits bound the settings"));
    form->addRow(tr("Feed:"), feed);

    auto *database = new QLabel(db::describeTarget(m_setup.conninfo).toHtmlEscaped(), box);
    database->setTextInteractionFlags(Qt::TextSelectableByMouse);
    database->setToolTip(tr("The PostgreSQL database the replica is written to (password hidden)"));
    form->addRow(tr("Database:"), database);

    m_databaseStatus = new QLabel(tr("Checking…"), box);
    m_databaseStatus->setWordWrap(true);
    m_databaseStatus->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_installButton = new QPushButton(tr("Install schema"), box);
    m_installButton->setToolTip(
        tr("Creates or upgrades ResoSync's tables in this database (idempotent; no indexes "
           "beyond primary keys: the index wizard adds those)"));
    connect(m_installButton, &QPushButton::clicked, this, &MainWindow::installSchema);
    auto *statusRow = new QHBoxLayout;
    statusRow->addWidget(m_databaseStatus, 1);
    statusRow->addWidget(m_installButton);
    m_indexesButton = new QPushButton(tr("Apply indexes…"), box);
    m_indexesButton->setObjectName(u"applyIndexesButton"_s);
    m_indexesButton->setToolTip(
        tr("Inspect the recommended indexes, measure the sync's queries, build what is missing "
           "without blocking writes, and verify the speedup (Ctrl+I)"));
    connect(m_indexesButton, &QPushButton::clicked, this, &MainWindow::openIndexWizard);
    statusRow->addWidget(m_indexesButton);
    form->addRow(tr("Schema:"), statusRow);
    return box;
}

void MainWindow::buildMenus() {
    QMenu *file = menuBar()->addMenu(tr("&File"));
    m_connectionsAction = file->addAction(tr("&Connections…"), QKeySequence(tr("Ctrl+K")), this,
                                          &MainWindow::openConnections);
    m_connectionsAction->setToolTip(
        tr("Choose or edit the feed and database profiles, test them, store their secrets"));
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
    quit->setToolTip(tr("Close the console (asks first while a sync runs)"));

    QMenu *run = menuBar()->addMenu(tr("&Sync"));
    run->addActions(m_runView->runActions());
    run->setToolTipsVisible(true);

    QMenu *database = menuBar()->addMenu(tr("&Database"));
    m_refreshAction =
        database->addAction(tr("&Refresh"), QKeySequence::Refresh, this, &MainWindow::refresh);
    m_refreshAction->setToolTip(tr("Re-read row counts, cursors and the schema version"));
    m_installAction = database->addAction(tr("&Install schema"), this, &MainWindow::installSchema);
    m_indexesAction = database->addAction(tr("Apply &indexes…"), QKeySequence(tr("Ctrl+I")), this,
                                          &MainWindow::openIndexWizard);
    m_indexesAction->setToolTip(m_indexesButton->toolTip());

    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->addAction(tr("&Sync"), QKeySequence(tr("Ctrl+1")), this,
                    [this] { m_tabs->setCurrentIndex(0); });
    view->addAction(tr("&History"), QKeySequence(tr("Ctrl+2")), this,
                    [this] { m_tabs->setCurrentIndex(1); });
    view->addAction(tr("&Export charts…"), this, [this] { m_monitor->exportCharts(); });

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About ResoSync"), this, [this] {
        QMessageBox::about(this, tr("About ResoSync"),
                           tr("<b>ResoSync</b> %1<br>Replicates a RESO Web API feed into "
                              "PostgreSQL and shows where the time and memory go.")
                               .arg(QApplication::applicationVersion()));
    });
}

void MainWindow::setBusy(bool busy, const QString &message) {
    m_busy = busy;
    m_refreshAction->setEnabled(!busy);
    updateDatabaseActions();
    statusBar()->showMessage(message);
}

void MainWindow::updateDatabaseActions() {
    const bool free = !m_busy && !m_runView->isRunning();
    m_installAction->setEnabled(free);
    m_installButton->setEnabled(free);
    m_indexesAction->setEnabled(free);
    m_indexesButton->setEnabled(free);
    if (m_connectionsAction)
        m_connectionsAction->setEnabled(!m_runView->isRunning());
}

void MainWindow::refresh() {
    if (m_overviewWatcher.isRunning() || m_schemaWatcher.isRunning()) {
        m_refreshAgain = true; // e.g. a run finished while the last read was in progress
        return;
    }
    m_refreshAgain = false;
    setBusy(true, tr("Reading the database…"));
    m_table->showFeedCounts(m_setup.simulator);
    m_overviewWatcher.setFuture(QtConcurrent::run(db::readReplicaOverview, m_setup.conninfo));
}

void MainWindow::installSchema() {
    if (m_overviewWatcher.isRunning() || m_schemaWatcher.isRunning() || m_runView->isRunning())
        return;
    setBusy(true, tr("Installing the schema…"));
    const QString conninfo = m_setup.conninfo;
    m_schemaWatcher.setFuture(
        QtConcurrent::run([conninfo] { return db::SchemaMigrator(conninfo).apply(); }));
}

void MainWindow::openIndexWizard() {
    if (m_overviewWatcher.isRunning() || m_schemaWatcher.isRunning() || m_runView->isRunning())
        return;
    IndexWizard wizard(m_setup.conninfo, this);
    wizard.exec();
    refresh();
}

void MainWindow::showOverview(const db::ReplicaOverview &overview) {
    setBusy(false, {});
    if (m_refreshAgain)
        return refresh();
    if (overview.error) {
        m_databaseStatus->setText(
            tr("<span style='color:#d73a49'>%1</span>")
                .arg(overview.error->message.toHtmlEscaped().replace(u'\n', "<br>"_L1)));
        statusBar()->showMessage(tr("The database could not be read; see the message above"));
        return;
    }
    m_table->showReplica(overview);
    // A first sync must be a full load (an incremental one is refused without a cursor).
    for (const db::ResourceReplica &replica : overview.resources) {
        if (replica.resource != reso::Resource::Property)
            continue;
        const sync::SyncMode suggested =
            replica.cursorTimestamp.isEmpty() ? sync::SyncMode::Full : sync::SyncMode::Incremental;
        if (suggested != m_suggestedMode)
            m_runView->suggestMode(suggested);
        m_suggestedMode = suggested;
    }
    const int latest = db::SchemaMigrator::latestVersion();
    if (overview.schemaVersion == 0)
        m_databaseStatus->setText(tr("No ResoSync schema yet: press Install schema."));
    else if (overview.schemaVersion < latest)
        m_databaseStatus->setText(tr("Version %1; version %2 is available: press Install schema.")
                                      .arg(overview.schemaVersion)
                                      .arg(latest));
    else
        m_databaseStatus->setText(tr("Version %1 (current) on %2")
                                      .arg(overview.schemaVersion)
                                      .arg(overview.database.toHtmlEscaped()));
    m_installButton->setVisible(overview.schemaVersion < latest);
    statusBar()->showMessage(tr("Database read"), 5000);
}

void MainWindow::showSchemaResult(const db::SchemaReport &report) {
    setBusy(false, {});
    if (!report.ok()) {
        QMessageBox::warning(this, tr("Schema not installed"), report.error->message);
        return;
    }
    statusBar()->showMessage(report.applied.isEmpty()
                                 ? tr("Schema already at version %1").arg(report.version)
                                 : tr("Schema installed: version %1").arg(report.version),
                             8000);
    refresh();
}

void MainWindow::onRunningChanged(bool running) {
    updateDatabaseActions();
    if (running) {
        m_probe->start();
        return;
    }
    m_probe->stop();
    if (m_closeWhenStopped) {
        close();
        return;
    }
    refresh(); // the replica table shows what the run stored
}

void MainWindow::closeEvent(QCloseEvent *event) {
    if (m_runView->isRunning()) {
        event->ignore();
        if (!m_closeWhenStopped)
            askToCancelRunAndClose();
        return;
    }
    saveWindowState();
    event->accept();
}

void MainWindow::askToCancelRunAndClose() {
    if (m_closeQuestion) {
        m_closeQuestion->raise();
        return;
    }
    // Asked without blocking (open(), not exec()): the run and the charts go on meanwhile.
    auto *box = new QMessageBox(QMessageBox::Question, tr("A sync is running"),
                                tr("Closing the console stops the sync. What was stored stays "
                                   "consistent, and the next incremental run continues from "
                                   "there."),
                                QMessageBox::NoButton, this);
    box->setObjectName(u"closeDuringRunQuestion"_s);
    box->setAttribute(Qt::WA_DeleteOnClose);
    QPushButton *stop = box->addButton(tr("Cancel run and close"), QMessageBox::DestructiveRole);
    stop->setObjectName(u"cancelRunAndCloseButton"_s);
    QPushButton *keep = box->addButton(tr("Keep running"), QMessageBox::RejectRole);
    keep->setObjectName(u"keepRunningButton"_s);
    box->setDefaultButton(keep);
    box->setEscapeButton(keep);
    connect(box, &QMessageBox::buttonClicked, this, [this, stop](QAbstractButton *button) {
        if (button != stop)
            return;
        if (!m_runView->isRunning()) {
            close(); // it ended while the question was open
            return;
        }
        m_closeWhenStopped = true;
        m_runView->cancelRun();
        statusBar()->showMessage(tr("Cancelling the sync; the window closes when it has "
                                    "stopped…"));
    });
    m_closeQuestion = box;
    box->open();
}

void MainWindow::saveWindowState() {
    QSettings settings;
    settings.setValue(kGeometryKey, saveGeometry());
    settings.setValue(kStateKey, saveState());
    settings.setValue(kSplitterKey, m_splitter->saveState());
    settings.setValue(kRunViewKey, m_runView->saveState());
    settings.setValue(kHistorySplitterKey, m_historySplitter->saveState());
    writeAlertThresholds(settings, m_runView->alertThresholds());
}

} // namespace resosync::ui
