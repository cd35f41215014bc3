#pragma once

#include "db/RunHistory.h"
#include "metrics/RunComparison.h"

#include <QDialog>
#include <QThreadPool>

#include <optional>

class QComboBox;
class QLabel;
class QPushButton;
class QTableWidget;

namespace resosync::ui {

/// Two past runs side by side (issue 4, History): every setting and every metric of their
/// reports with the ratio B / A, coloured green where B is better and red where it is worse
/// (where the direction is known). The comparison exports as text or CSV. The run list is
/// read on a private pool thread; the comparison itself is computed from the saved reports.
class RunCompareView final : public QDialog {
    Q_OBJECT

public:
    enum class ExportFormat { Text, Csv };
    /// How many of the newest runs the pickers offer.
    static constexpr int kRunsOffered = 500;

    /// Starts listing the runs at once.
    explicit RunCompareView(QString conninfo, QWidget *parent = nullptr);
    ~RunCompareView() override;

    /// Compares `runA` (as A) with `runB` (as B), once the runs are listed.
    void compareRuns(qint64 runA, qint64 runB);
    /// The comparison shown, if any.
    const std::optional<metrics::RunComparison> &comparison() const { return m_comparison; }

public Q_SLOTS:
    /// Lists the runs again (those with a saved report can be compared).
    void refresh();
    /// Writes the comparison shown to `path` (no dialog); the outcome is shown and reported
    /// by comparisonExported or exportFailed.
    void exportComparison(const QString &path, ExportFormat format);

Q_SIGNALS:
    void runsLoaded(int comparableRuns);
    void comparisonShown(qint64 runA, qint64 runB);
    void comparisonExported(const QString &path);
    void exportFailed(const QString &message);
    void failed(const QString &message);

private:
    void showRuns(const db::RunPage &page);
    void compareChosen();
    void showComparison();
    void chooseExportFile(ExportFormat format);
    const db::RunListEntry *chosen(const QComboBox *picker) const;

    QString m_conninfo;
    QList<db::RunListEntry> m_runs; ///< with a report, newest first
    qint64 m_wantedA = 0;
    qint64 m_wantedB = 0;
    std::optional<metrics::RunComparison> m_comparison;

    QComboBox *m_pickA = nullptr;
    QComboBox *m_pickB = nullptr;
    QPushButton *m_swap = nullptr;
    QTableWidget *m_table = nullptr;
    QLabel *m_message = nullptr;
    QPushButton *m_exportText = nullptr;
    QPushButton *m_exportCsv = nullptr;

    QThreadPool m_pool; ///< last: background calls end before the widgets go
};

} // namespace resosync::ui
