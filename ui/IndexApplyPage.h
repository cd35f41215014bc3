#pragma once

#include "db/IndexAdvisor.h"

#include <QFuture>
#include <QFutureWatcher>
#include <QHash>
#include <QWizardPage>

#include <atomic>
#include <functional>

class QGroupBox;
class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QTableWidget;

namespace resosync::ui {

class IndexWizard;

/// Step 3: what will be built or repaired and the exact SQL; Start builds one index at a time
/// with CREATE INDEX CONCURRENTLY on a pool thread, one progress bar per index fed by
/// pg_stat_progress_create_index; Cancel stops the build in progress. A role without the
/// privilege gets the message and the SQL to hand to a DBA.
class IndexApplyPage final : public QWizardPage {
    Q_OBJECT

public:
    explicit IndexApplyPage(IndexWizard *wizard);
    ~IndexApplyPage() override;

    void initializePage() override;
    bool isComplete() const override;

    bool isBuilding() const { return m_watcher.isRunning(); }
    /// Asks the build to stop and calls `afterStop` on this thread once it has (at once if
    /// nothing runs). Never blocks.
    void cancelBuild(std::function<void()> afterStop = {});
    /// Asks the build to stop and waits until it has: for destruction only.
    void cancelAndWait();

private:
    void start();
    void showProgress(const db::BuildProgress &progress);
    void showResult(const db::ApplyResult &result);
    void showDbaBox(bool show);
    void finishBar(const QString &index, const QString &text, int value);

    IndexWizard *m_wizard;
    QTableWidget *m_plan = nullptr;
    QLabel *m_sqlLabel = nullptr;
    QPlainTextEdit *m_sql = nullptr;
    QPushButton *m_start = nullptr;
    QPushButton *m_cancel = nullptr;
    QLabel *m_status = nullptr;
    QGroupBox *m_dbaBox = nullptr;
    QLabel *m_dbaMessage = nullptr;
    QPlainTextEdit *m_dbaSql = nullptr;
    QHash<QString, QProgressBar *> m_bars; ///< by index name
    QString m_current;                     ///< the index whose build reported last
    std::atomic_bool m_cancelRequested{false};
    QFuture<db::ApplyResult> m_future;
    QFutureWatcher<db::ApplyResult> m_watcher;
    std::function<void()> m_afterStop;
    bool m_done = false;
};

} // namespace resosync::ui
