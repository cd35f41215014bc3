#pragma once

#include "ConsoleSetup.h"
#include "db/ReplicaOverview.h"
#include "db/SchemaMigrator.h"
#include "sync/SyncSettings.h"

#include <QFutureWatcher>
#include <QMainWindow>
#include <QPointer>

#include <optional>

class QAction;
class QLabel;
class QMessageBox;
class QPushButton;
class QSplitter;

namespace resosync::ui {

class EventLoopProbe;
class ReplicaTable;
class RunView;

/// The console's main window: where the feed and the database are, how far the replica has
/// come, and the run view to start, watch and tune a sync. Every database call runs on a pool
/// thread and the sync on a thread of its own; the window only shows results.
class MainWindow final : public QMainWindow {
    Q_OBJECT

public:
    explicit MainWindow(const ConsoleSetup &setup, QWidget *parent = nullptr);
    ~MainWindow() override;

    /// Re-reads the database's schema version, row counts and cursors in the background.
    void refresh();
    /// Installs or upgrades the schema in the background, then refreshes.
    void installSchema();
    /// Opens the index setup wizard on this database (modal), then refreshes.
    void openIndexWizard();

    RunView *runView() const { return m_runView; }
    ReplicaTable *replicaTable() const { return m_table; }
    /// The GUI thread's responsiveness during the current or last run.
    const EventLoopProbe *eventLoopProbe() const { return m_probe; }

protected:
    /// During a run, asks whether to cancel it; the window then closes once it has stopped.
    void closeEvent(QCloseEvent *event) override;

private:
    QWidget *buildConnections();
    QWidget *buildOverview();
    void buildMenus();
    void showOverview(const db::ReplicaOverview &overview);
    void showSchemaResult(const db::SchemaReport &report);
    void setBusy(bool busy, const QString &message);
    /// Schema and index changes wait while the database is read or a sync writes to it.
    void updateDatabaseActions();
    void askToCancelRunAndClose();
    void onRunningChanged(bool running);
    void saveWindowState();

    ConsoleSetup m_setup;
    QSplitter *m_splitter = nullptr;
    ReplicaTable *m_table = nullptr;
    RunView *m_runView = nullptr;
    EventLoopProbe *m_probe = nullptr;
    QLabel *m_probeLabel = nullptr;
    QLabel *m_databaseStatus = nullptr;
    QPushButton *m_installButton = nullptr;
    QPushButton *m_indexesButton = nullptr;
    QAction *m_refreshAction = nullptr;
    QAction *m_installAction = nullptr;
    QAction *m_indexesAction = nullptr;
    QPointer<QMessageBox> m_closeQuestion;
    bool m_busy = false; ///< a database read or schema install is in progress
    bool m_closeWhenStopped = false;
    bool m_refreshAgain = false; ///< a refresh was asked for while one was in progress
    /// The mode last suggested: suggested again only when the database's state changes it, so a
    /// refresh does not undo the user's own choice.
    std::optional<sync::SyncMode> m_suggestedMode;
    QFutureWatcher<db::ReplicaOverview> m_overviewWatcher;
    QFutureWatcher<db::SchemaReport> m_schemaWatcher;
};

} // namespace resosync::ui
