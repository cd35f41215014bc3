#pragma once

#include "db/IndexAdvisor.h"

#include <QFutureWatcher>
#include <QWizardPage>

class QBarSet;
class QBarCategoryAxis;
class QChart;
class QChartView;
class QLabel;
class QProgressBar;
class QTableWidget;
class QValueAxis;

namespace resosync::ui {

class IndexWizard;

/// Step 4: inspects and measures again, then shows each query before and after with the
/// ratio, a bar chart of the times, and how the speedup compares with the seed's claim.
class IndexVerifyPage final : public QWizardPage {
    Q_OBJECT

public:
    explicit IndexVerifyPage(IndexWizard *wizard);
    ~IndexVerifyPage() override;

    void initializePage() override;
    bool isComplete() const override;

    struct Verification {
        db::InspectReport inspect;
        db::ExplainReport explain;
        std::optional<db::DbError> saveError; ///< keeping the result with the run history
    };

private:
    void showVerification(const Verification &after);

    IndexWizard *m_wizard;
    QTableWidget *m_queries = nullptr;
    QChart *m_chart = nullptr;
    QChartView *m_chartView = nullptr;
    QBarSet *m_beforeSet = nullptr;
    QBarSet *m_afterSet = nullptr;
    QBarCategoryAxis *m_categories = nullptr;
    QValueAxis *m_times = nullptr;
    QProgressBar *m_busy = nullptr;
    QLabel *m_states = nullptr;
    QLabel *m_note = nullptr;
    QFutureWatcher<Verification> m_watcher;
    bool m_ok = false;
};

} // namespace resosync::ui
