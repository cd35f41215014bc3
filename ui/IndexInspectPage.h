#pragma once

#include "db/IndexAdvisor.h"

#include <QFutureWatcher>
#include <QWizardPage>

class QLabel;
class QProgressBar;
class QPushButton;
class QTableWidget;

namespace resosync::ui {

class IndexWizard;

/// Step 1: the recommended indexes and their state (present, missing, invalid, redundant),
/// the sync queries each serves, and the tables' sizes. Inspects in the background when shown.
class IndexInspectPage final : public QWizardPage {
    Q_OBJECT

public:
    explicit IndexInspectPage(IndexWizard *wizard);
    ~IndexInspectPage() override;

    void initializePage() override;
    bool isComplete() const override;

private:
    void inspect();
    void showReport(const db::InspectReport &report);

    IndexWizard *m_wizard;
    QTableWidget *m_indexes = nullptr;
    QTableWidget *m_tables = nullptr;
    QProgressBar *m_busy = nullptr;
    QLabel *m_summary = nullptr;
    QPushButton *m_retry = nullptr;
    QFutureWatcher<db::InspectReport> m_watcher;
    bool m_ok = false;
};

} // namespace resosync::ui
