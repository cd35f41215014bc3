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

/// Step 2: the sync's own queries under EXPLAIN (ANALYZE, BUFFERS) before anything is built:
/// plan shape, time and buffers. The figures are kept for Verify to compare against.
class IndexMeasurePage final : public QWizardPage {
    Q_OBJECT

public:
    explicit IndexMeasurePage(IndexWizard *wizard);
    ~IndexMeasurePage() override;

    void initializePage() override;
    bool isComplete() const override;

private:
    void measure();
    void showReport(const db::ExplainReport &report);

    IndexWizard *m_wizard;
    QTableWidget *m_queries = nullptr;
    QProgressBar *m_busy = nullptr;
    QLabel *m_summary = nullptr;
    QPushButton *m_retry = nullptr;
    QFutureWatcher<db::ExplainReport> m_watcher;
    bool m_ok = false;
};

/// Fills `table` with one row per measurement: query, time, buffers, index used, plan.
void showMeasurements(QTableWidget *table, const QList<db::QueryMeasurement> &measurements);

} // namespace resosync::ui
