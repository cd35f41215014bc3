#include "MainWindow.h"

#include "IndexWizard.h"
#include "ReplicaTable.h"
#include "db/Conninfo.h"

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
#include <QStatusBar>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace resosync::ui {

using namespace Qt::StringLiterals;

MainWindow::MainWindow(const ConsoleSetup &setup, QWidget *parent)
    : QMainWindow(parent)
    , m_setup(setup) {
    setWindowTitle(tr("ResoSync — %1").arg(setup.feedName));
    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->addWidget(buildConnections());
    m_table = new ReplicaTable(central);
    m_table->showFeedCounts(setup.simulator);
    layout->addWidget(m_table, 1);
    setCentralWidget(central);
    buildMenus();

    connect(&m_overviewWatcher, &QFutureWatcher<db::ReplicaOverview>::finished, this,
            [this] { showOverview(m_overviewWatcher.result()); });
    connect(&m_schemaWatcher, &QFutureWatcher<db::SchemaReport>::finished, this,
            [this] { showSchemaResult(m_schemaWatcher.result()); });

    const QSettings settings;
    if (!restoreGeometry(settings.value(u"mainWindow/geometry"_s).toByteArray()))
        resize(900, 560);
    restoreState(settings.value(u"mainWindow/state"_s).toByteArray());
    refresh();
}

QWidget *MainWindow::buildConnections() {
    auto *box = new QGroupBox(tr("Connections"), this);
    auto *form = new QFormLayout(box);
    auto *feed = new QLabel(
        u"%1<br><small>%2</small>"_s.arg(m_setup.feedName.toHtmlEscaped(),
                                         m_setup.feedUrl.toDisplayString().toHtmlEscaped()),
        box);
    feed->setTextInteractionFlags(Qt::TextSelectableByMouse);
    feed->setToolTip(tr("The RESO Web API (OData) service this console replicates from"));
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
    QAction *quit = file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
    quit->setToolTip(tr("Close the console"));

    QMenu *database = menuBar()->addMenu(tr("&Database"));
    m_refreshAction =
        database->addAction(tr("&Refresh"), QKeySequence::Refresh, this, &MainWindow::refresh);
    m_refreshAction->setToolTip(tr("Re-read row counts, cursors and the schema version"));
    m_installAction = database->addAction(tr("&Install schema"), this, &MainWindow::installSchema);
    m_indexesAction = database->addAction(tr("Apply &indexes…"), QKeySequence(tr("Ctrl+I")), this,
                                          &MainWindow::openIndexWizard);
    m_indexesAction->setToolTip(m_indexesButton->toolTip());

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About ResoSync"), this, [this] {
        QMessageBox::about(this, tr("About ResoSync"),
                           tr("<b>ResoSync</b> %1<br>Replicates a RESO Web API feed into "
                              "PostgreSQL and shows where the time and memory go.")
                               .arg(QApplication::applicationVersion()));
    });
}

void MainWindow::setBusy(bool busy, const QString &message) {
    m_refreshAction->setEnabled(!busy);
    m_installAction->setEnabled(!busy);
    m_installButton->setEnabled(!busy);
    m_indexesAction->setEnabled(!busy);
    m_indexesButton->setEnabled(!busy);
    statusBar()->showMessage(message);
}

void MainWindow::refresh() {
    if (m_overviewWatcher.isRunning() || m_schemaWatcher.isRunning())
        return;
    setBusy(true, tr("Reading the database…"));
    m_table->showFeedCounts(m_setup.simulator);
    m_overviewWatcher.setFuture(QtConcurrent::run(db::readReplicaOverview, m_setup.conninfo));
}

void MainWindow::installSchema() {
    if (m_overviewWatcher.isRunning() || m_schemaWatcher.isRunning())
        return;
    setBusy(true, tr("Installing the schema…"));
    const QString conninfo = m_setup.conninfo;
    m_schemaWatcher.setFuture(
        QtConcurrent::run([conninfo] { return db::SchemaMigrator(conninfo).apply(); }));
}

void MainWindow::openIndexWizard() {
    if (m_overviewWatcher.isRunning() || m_schemaWatcher.isRunning())
        return;
    IndexWizard wizard(m_setup.conninfo, this);
    wizard.exec();
    refresh();
}

void MainWindow::showOverview(const db::ReplicaOverview &overview) {
    setBusy(false, {});
    if (overview.error) {
        m_databaseStatus->setText(
            tr("<span style='color:#d73a49'>%1</span>")
                .arg(overview.error->message.toHtmlEscaped().replace(u'\n', "<br>"_L1)));
        statusBar()->showMessage(tr("The database could not be read; see the message above"));
        return;
    }
    m_table->showReplica(overview);
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

void MainWindow::closeEvent(QCloseEvent *event) {
    QSettings settings;
    settings.setValue(u"mainWindow/geometry"_s, saveGeometry());
    settings.setValue(u"mainWindow/state"_s, saveState());
    // Let background database calls finish: they hold no GUI state but use this window's watchers.
    m_overviewWatcher.waitForFinished();
    m_schemaWatcher.waitForFinished();
    event->accept();
}

} // namespace resosync::ui
