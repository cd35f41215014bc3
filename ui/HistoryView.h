#pragma once

#include "db/RunHistory.h"
#include "metrics/ExportFile.h"

#include <QThreadPool>
#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QSortFilterProxyModel;
class QStandardItemModel;
class QTableView;

namespace resosync::ui {

/// Past runs from resosync.runs (issue 4, History): a sortable table of runs; the selected
/// run's report (the seed's text block, with its problems) below it; buttons to show its
/// charts again, compare two runs, see trends across runs, export the report as JSON or
/// text, and delete a run. Every database call runs on a private pool thread.
class HistoryView final : public QWidget {
    Q_OBJECT

public:
    /// How many runs one refresh lists; "Load older runs" adds as many again.
    static constexpr int kPageSize = 200;

    explicit HistoryView(QString conninfo, QWidget *parent = nullptr);
    ~HistoryView() override;

    /// The run whose report is shown (0 when none).
    qint64 currentRunId() const;
    /// The selected runs, by ascending run id.
    QList<qint64> selectedRunIds() const;
    /// The runs listed, newest first.
    const QList<db::RunListEntry> &runs() const { return m_runs; }

public Q_SLOTS:
    /// Lists the newest runs again. The run shown stays selected; on the first refresh (or
    /// when it is gone) the newest run is selected, so reopening the console shows the last
    /// run.
    void refresh();
    /// Selects `runId` if it is listed and shows its report.
    void selectRun(qint64 runId);
    /// Loads the current run's samples and events, then emits runChartsLoaded.
    void showChartsOfCurrentRun();
    /// Writes the current run's report to `path` (no dialog); the outcome is shown and
    /// reported by reportExported or exportFailed.
    void exportReport(const QString &path, metrics::ReportFormat format);
    /// Asks, then deletes the current run with its samples and events.
    void deleteCurrentRun();
    /// Opens the comparison of the two selected runs (older as A), or of the current run and
    /// the one before it.
    void compareSelectedRuns();
    /// Opens the trend charts across past runs.
    void showTrends();

Q_SIGNALS:
    /// A refresh or "load older" finished: `shown` runs listed of `total` in the database.
    void runsLoaded(int shown, qint64 total);
    /// A run was selected and its report (or why it has none) is shown.
    void runShown(qint64 runId);
    /// The charts of a past run, for the charts view (ChartsView::showRecorded).
    void runChartsLoaded(qint64 runId, const resosync::db::SeriesByName &series,
                         const QList<resosync::metrics::RunEvent> &events);
    void reportExported(const QString &path);
    void exportFailed(const QString &message);
    void runDeleted(qint64 runId);
    /// A database call failed; the message is also shown in the view.
    void failed(const QString &message);

private:
    QWidget *buildButtons();
    void loadPage(int offset);
    void showPage(const db::RunPage &page, int offset);
    void fillRow(int row, const db::RunListEntry &run);
    void showCurrentRun();
    void updateButtons();
    void setBusy(bool busy, const QString &message = {});
    void chooseExportFile(metrics::ReportFormat format);
    const db::RunListEntry *currentRun() const;

    QString m_conninfo;
    QList<db::RunListEntry> m_runs;
    qint64 m_totalRuns = 0;
    qint64 m_wantedRunId = 0; ///< to select once the list is loaded (0: keep the current one)
    bool m_busy = false;

    QStandardItemModel *m_model = nullptr;
    QSortFilterProxyModel *m_sorted = nullptr;
    QTableView *m_table = nullptr;
    QLabel *m_runTitle = nullptr;
    QPlainTextEdit *m_report = nullptr;
    QLabel *m_message = nullptr;
    QLabel *m_count = nullptr;
    QPushButton *m_refreshButton = nullptr;
    QPushButton *m_olderButton = nullptr;
    QPushButton *m_chartsButton = nullptr;
    QPushButton *m_compareButton = nullptr;
    QPushButton *m_trendsButton = nullptr;
    QPushButton *m_exportJsonButton = nullptr;
    QPushButton *m_exportTextButton = nullptr;
    QPushButton *m_deleteButton = nullptr;

    // Last member: destroyed first, so every background call has ended before the widgets
    // its continuation would touch go.
    QThreadPool m_pool;
};

} // namespace resosync::ui
