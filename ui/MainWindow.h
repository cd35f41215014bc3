#pragma once

#include "ConsoleSetup.h"
#include "db/ReplicaOverview.h"
#include "db/SchemaMigrator.h"

#include <QFutureWatcher>
#include <QMainWindow>

class QAction;
class QLabel;
class QPushButton;

namespace resosync::ui {

class ReplicaTable;

/// The console's main window: where the feed and the database are, and how far the replica
/// has come. Every database call runs on a pool thread; the window only shows results.
class MainWindow final : public QMainWindow {
    Q_OBJECT

public:
    explicit MainWindow(const ConsoleSetup &setup, QWidget *parent = nullptr);

    /// Re-reads the database's schema version, row counts and cursors in the background.
    void refresh();
    /// Installs or upgrades the schema in the background, then refreshes.
    void installSchema();
    /// Opens the index setup wizard on this database (modal), then refreshes.
    void openIndexWizard();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    QWidget *buildConnections();
    void buildMenus();
    void showOverview(const db::ReplicaOverview &overview);
    void showSchemaResult(const db::SchemaReport &report);
    void setBusy(bool busy, const QString &message);

    ConsoleSetup m_setup;
    ReplicaTable *m_table = nullptr;
    QLabel *m_databaseStatus = nullptr;
    QPushButton *m_installButton = nullptr;
    QPushButton *m_indexesButton = nullptr;
    QAction *m_refreshAction = nullptr;
    QAction *m_installAction = nullptr;
    QAction *m_indexesAction = nullptr;
    QFutureWatcher<db::ReplicaOverview> m_overviewWatcher;
    QFutureWatcher<db::SchemaReport> m_schemaWatcher;
};

} // namespace resosync::ui
