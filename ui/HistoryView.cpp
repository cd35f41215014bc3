#include "HistoryView.h"

#include "RunCompareView.h"
#include "RunFormat.h"
#include "RunTrendsView.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStandardItemModel>
#include <QTableView>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

namespace resosync::ui {

using namespace Qt::StringLiterals;
using namespace runformat;

namespace {

enum Column {
    RunColumn,
    StartedColumn,
    DurationColumn,
    StatusColumn,
    ModeColumn,
    ResourcesColumn,
    FetchedColumn,
    WrittenColumn,
    RateColumn,
    FeedColumn,
    ErrorColumn,
    ColumnCount
};

/// The value a column sorts by (numbers as numbers, times as times).
constexpr int kSortRole = Qt::UserRole + 1;
/// The run id of a row, on its first cell.
constexpr int kRunIdRole = Qt::UserRole + 2;

QStandardItem *cell(const QString &text, const QVariant &sortValue, const QString &tooltip = {},
                    bool number = false) {
    auto *item = new QStandardItem(text);
    item->setEditable(false);
    item->setData(sortValue, kSortRole);
    item->setToolTip(tooltip.isEmpty() ? text : tooltip);
    if (number)
        item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return item;
}

} // namespace

HistoryView::HistoryView(QString conninfo, QWidget *parent)
    : QWidget(parent)
    , m_conninfo(std::move(conninfo)) {
    setObjectName(u"historyView"_s);
    m_pool.setObjectName(u"resosync-history"_s);
    m_pool.setMaxThreadCount(1); // calls run in the order made: a delete before the refresh

    m_model = new QStandardItemModel(0, ColumnCount, this);
    m_model->setHorizontalHeaderLabels({tr("Run"), tr("Started"), tr("Duration"), tr("Status"),
                                        tr("Mode"), tr("Resources"), tr("Fetched"), tr("Written"),
                                        tr("Records/s"), tr("Feed"), tr("Error")});
    const QList<QString> headerTips{
        tr("Run id in resosync.runs: higher is newer"),
        tr("When the run started, in your time zone"),
        tr("How long the run took"),
        tr("How the run ended"),
        tr("full loads everything; incremental fetches what changed since the last run"),
        tr("The resources the run synced"),
        tr("Records received from the feed, all resources"),
        tr("Rows inserted or updated, all resources (an unchanged record costs no write)"),
        tr("Records written per second of the run"),
        tr("The feed's service root (stored without credentials)"),
        tr("Why the run failed, if it did")};
    for (int column = 0; column < ColumnCount; ++column)
        m_model->horizontalHeaderItem(column)->setToolTip(headerTips[column]);
    m_sorted = new QSortFilterProxyModel(this);
    m_sorted->setSourceModel(m_model);
    m_sorted->setSortRole(kSortRole);

    m_table = new QTableView(this);
    m_table->setObjectName(u"historyTable"_s);
    m_table->setModel(m_sorted);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(RunColumn, Qt::DescendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setToolTip(tr("Past runs; select one to see its report, two to compare them. "
                           "Double-click shows a run's charts"));
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this] { showCurrentRun(); });
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            [this] { updateButtons(); });
    connect(m_table, &QTableView::doubleClicked, this, [this] { showChartsOfCurrentRun(); });

    m_runTitle = new QLabel(this);
    m_runTitle->setObjectName(u"historyRunTitle"_s);
    m_runTitle->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_runTitle->setWordWrap(true);
    m_report = new QPlainTextEdit(this);
    m_report->setObjectName(u"historyReport"_s);
    m_report->setReadOnly(true);
    m_report->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_report->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_report->setToolTip(tr("The run's report: the seed's summary block with our figures, and "
                            "its problems. Export saves it as text or JSON"));
    auto *reportPane = new QWidget(this);
    auto *reportLayout = new QVBoxLayout(reportPane);
    reportLayout->setContentsMargins(0, 0, 0, 0);
    reportLayout->addWidget(m_runTitle);
    reportLayout->addWidget(m_report, 1);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->setObjectName(u"historySplitter"_s);
    splitter->addWidget(m_table);
    splitter->addWidget(reportPane);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);

    m_message = new QLabel(this);
    m_message->setObjectName(u"historyMessage"_s);
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->hide();

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(buildButtons());
    layout->addWidget(m_message);
    layout->addWidget(splitter, 1);
    updateButtons();
}

HistoryView::~HistoryView() = default;

QWidget *HistoryView::buildButtons() {
    auto *bar = new QWidget(this);
    auto *row = new QHBoxLayout(bar);
    row->setContentsMargins(0, 0, 0, 0);
    auto button = [this, row](const QString &name, const QString &text, const QString &tip,
                              auto slot) {
        auto *b = new QPushButton(text, this);
        b->setObjectName(name);
        b->setToolTip(tip);
        b->setAutoDefault(false);
        connect(b, &QPushButton::clicked, this, slot);
        row->addWidget(b);
        return b;
    };
    m_refreshButton =
        button(u"historyRefresh"_s, tr("&Refresh"),
               tr("List the newest runs again from resosync.runs"), &HistoryView::refresh);
    m_chartsButton = button(u"historyCharts"_s, tr("Show &charts"),
                            tr("Show the selected run's charts again from its saved samples, "
                               "with its marked events (double-click does the same)"),
                            &HistoryView::showChartsOfCurrentRun);
    m_compareButton = button(u"historyCompare"_s, tr("C&ompare…"),
                             tr("Compare two runs side by side: every setting and metric with "
                                "the ratio. Select two runs, or one to compare with the run "
                                "before it"),
                             &HistoryView::compareSelectedRuns);
    m_trendsButton = button(u"historyTrends"_s, tr("&Trends…"),
                            tr("Records/s, API p95, DB time and peak memory across past runs"),
                            &HistoryView::showTrends);
    m_exportJsonButton = button(
        u"historyExportJson"_s, tr("Export &JSON…"),
        tr("Save the selected run's report as JSON (the same as resosync-cli sync --report-json)"),
        [this] { chooseExportFile(metrics::ReportFormat::Json); });
    m_exportTextButton =
        button(u"historyExportText"_s, tr("Export te&xt…"),
               tr("Save the selected run's report as the seed's text summary block"),
               [this] { chooseExportFile(metrics::ReportFormat::Text); });
    m_deleteButton = button(u"historyDelete"_s, tr("&Delete…"),
                            tr("Delete the selected run with its samples and events (asks first)"),
                            &HistoryView::deleteCurrentRun);
    row->addStretch(1);
    m_count = new QLabel(this);
    m_count->setObjectName(u"historyCount"_s);
    row->addWidget(m_count);
    m_olderButton = button(u"historyOlder"_s, tr("Load &older runs"),
                           tr("List %1 more runs, older than those shown").arg(kPageSize),
                           [this] { loadPage(int(m_runs.size())); });
    m_olderButton->hide(); // until a page says there are more
    return bar;
}

qint64 HistoryView::currentRunId() const {
    const db::RunListEntry *run = currentRun();
    return run ? run->runId : 0;
}

QList<qint64> HistoryView::selectedRunIds() const {
    QList<qint64> ids;
    for (const QModelIndex &index : m_table->selectionModel()->selectedRows(RunColumn))
        ids.append(index.data(kRunIdRole).toLongLong());
    std::sort(ids.begin(), ids.end());
    return ids;
}

const db::RunListEntry *HistoryView::currentRun() const {
    const QModelIndex index = m_table->currentIndex();
    if (!index.isValid())
        return nullptr;
    const qint64 runId = index.siblingAtColumn(RunColumn).data(kRunIdRole).toLongLong();
    for (const db::RunListEntry &run : m_runs) {
        if (run.runId == runId)
            return &run;
    }
    return nullptr;
}

void HistoryView::refresh() {
    if (m_wantedRunId == 0)
        m_wantedRunId = currentRunId();
    loadPage(0);
}

void HistoryView::loadPage(int offset) {
    setBusy(true, tr("Reading past runs…"));
    const QString conninfo = m_conninfo;
    QtConcurrent::run(&m_pool, [conninfo, offset] {
        return db::RunHistory(conninfo).listRuns(kPageSize, offset);
    }).then(this, [this, offset](const db::RunPage &page) { showPage(page, offset); });
}

void HistoryView::showPage(const db::RunPage &page, int offset) {
    setBusy(false);
    if (page.error) {
        runformat::showMessage(
            m_message, tr("Could not read the run history: %1").arg(page.error->message), true);
        Q_EMIT failed(page.error->message);
        return;
    }
    const qint64 keep = m_wantedRunId != 0 ? m_wantedRunId : currentRunId();
    m_wantedRunId = 0;
    if (offset == 0) {
        m_runs = page.runs;
    } else {
        m_runs.append(page.runs);
    }
    m_totalRuns = page.totalRuns;
    m_table->setSortingEnabled(false); // rows keep their place while they are filled
    m_model->setRowCount(int(m_runs.size()));
    for (int row = 0; row < m_runs.size(); ++row)
        fillRow(row, m_runs[row]);
    m_table->setSortingEnabled(true);
    m_table->resizeColumnsToContents();
    m_count->setText(tr("%1 of %2 runs").arg(m_runs.size()).arg(m_totalRuns));
    m_olderButton->setVisible(m_runs.size() < m_totalRuns);

    const bool listed = std::any_of(m_runs.cbegin(), m_runs.cend(),
                                    [keep](const db::RunListEntry &r) { return r.runId == keep; });
    if (listed)
        selectRun(keep);
    else if (!m_runs.isEmpty())
        selectRun(m_runs.first().runId); // the newest: reopening shows the last run
    else
        showCurrentRun();
    updateButtons();
    Q_EMIT runsLoaded(int(m_runs.size()), m_totalRuns);
}

void HistoryView::fillRow(int row, const db::RunListEntry &run) {
    const QLocale locale;
    auto *id = cell(QString::number(run.runId), run.runId, {}, true);
    id->setData(run.runId, kRunIdRole);
    m_model->setItem(row, RunColumn, id);
    m_model->setItem(row, StartedColumn,
                     cell(startedText(run.startedAt), run.startedAt,
                          QLocale().toString(run.startedAt.toLocalTime(), QLocale::LongFormat)));
    m_model->setItem(row, DurationColumn,
                     cell(durationText(run.durationSeconds), run.durationSeconds, {}, true));
    auto *status = cell(run.status, run.status, statusExplanation(run.status));
    status->setIcon(statusMarker(run.status));
    status->setForeground(statusColour(run.status));
    m_model->setItem(row, StatusColumn, status);
    m_model->setItem(row, ModeColumn, cell(run.mode, run.mode));
    const QString resources = run.resources.join(u", "_s);
    m_model->setItem(row, ResourcesColumn, cell(resources, resources));
    const bool hasReport = run.report.has_value();
    const QString noReport = tr("No saved report: %1").arg(statusExplanation(run.status));
    m_model->setItem(row, FetchedColumn,
                     cell(hasReport ? locale.toString(run.recordsFetched) : u"–"_s,
                          run.recordsFetched, hasReport ? QString() : noReport, true));
    m_model->setItem(row, WrittenColumn,
                     cell(hasReport ? locale.toString(run.recordsWritten) : u"–"_s,
                          run.recordsWritten, hasReport ? QString() : noReport, true));
    m_model->setItem(row, RateColumn,
                     cell(hasReport ? locale.toString(run.recordsPerSecond, 'f', 0) : u"–"_s,
                          run.recordsPerSecond, hasReport ? QString() : noReport, true));
    m_model->setItem(row, FeedColumn, cell(run.feed, run.feed));
    const QString error = run.error.section(u'\n', 0, 0);
    m_model->setItem(row, ErrorColumn, cell(error, run.error, run.error));
}

void HistoryView::selectRun(qint64 runId) {
    for (int row = 0; row < m_sorted->rowCount(); ++row) {
        const QModelIndex index = m_sorted->index(row, RunColumn);
        if (index.data(kRunIdRole).toLongLong() != runId)
            continue;
        // A new current row shows its run through currentRowChanged; the same row does not
        // signal, yet its run may have been refreshed.
        const bool sameRow = m_table->currentIndex().row() == row;
        m_table->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect |
                                                              QItemSelectionModel::Rows);
        m_table->scrollTo(index);
        if (sameRow)
            showCurrentRun();
        return;
    }
}

void HistoryView::showCurrentRun() {
    const db::RunListEntry *run = currentRun();
    if (!run) {
        m_runTitle->setText(m_runs.isEmpty() ? tr("No runs yet: a finished sync appears here.")
                                             : QString());
        m_report->clear();
        updateButtons();
        return;
    }
    QString title = u"<b>%1</b>"_s.arg(runLabel(*run).toHtmlEscaped());
    if (!run->feed.isEmpty())
        title += u" · "_s + run->feed.toHtmlEscaped();
    m_runTitle->setText(title);
    if (run->report) {
        m_report->setPlainText(run->report->toText());
    } else {
        QString text = tr("This run has no saved report. %1.").arg(statusExplanation(run->status));
        if (!run->error.isEmpty())
            text += u"\n\n"_s + tr("Error: %1").arg(run->error);
        m_report->setPlainText(text);
    }
    updateButtons();
    Q_EMIT runShown(run->runId);
}

void HistoryView::updateButtons() {
    const db::RunListEntry *run = currentRun();
    const bool idle = !m_busy;
    const bool reported = run && run->report;
    m_refreshButton->setEnabled(idle);
    m_olderButton->setEnabled(idle);
    m_chartsButton->setEnabled(idle && run);
    m_exportJsonButton->setEnabled(reported);
    m_exportTextButton->setEnabled(reported);
    m_deleteButton->setEnabled(idle && run);
    const auto comparable = std::count_if(m_runs.cbegin(), m_runs.cend(),
                                          [](const db::RunListEntry &r) { return r.report; });
    m_compareButton->setEnabled(comparable >= 2);
    m_trendsButton->setEnabled(true);
}

void HistoryView::setBusy(bool busy, const QString &message) {
    m_busy = busy;
    if (busy)
        runformat::showMessage(m_message, message, false);
    else
        m_message->hide();
    updateButtons();
}

void HistoryView::showChartsOfCurrentRun() {
    const qint64 runId = currentRunId();
    if (runId == 0 || m_busy)
        return;
    setBusy(true, tr("Loading the samples of run %1…").arg(runId));
    const QString conninfo = m_conninfo;
    QtConcurrent::run(&m_pool, [conninfo, runId] {
        return db::RunHistory(conninfo).loadRun(runId);
    }).then(this, [this, runId](const db::RecordedRun &recorded) {
        setBusy(false);
        if (recorded.error) {
            runformat::showMessage(m_message,
                                   tr("Could not load the charts of run %1: %2")
                                       .arg(runId)
                                       .arg(recorded.error->message),
                                   true);
            Q_EMIT failed(recorded.error->message);
            return;
        }
        if (recorded.series.isEmpty())
            runformat::showMessage(m_message,
                                   tr("Run %1 saved no samples (it ended before the first one was "
                                      "taken): its charts are empty.")
                                       .arg(runId),
                                   false);
        Q_EMIT runChartsLoaded(runId, recorded.series, recorded.events);
    });
}

void HistoryView::chooseExportFile(metrics::ReportFormat format) {
    const db::RunListEntry *run = currentRun();
    if (!run || !run->report)
        return;
    const bool json = format == metrics::ReportFormat::Json;
    const QString suggested = QDir::home().filePath(
        u"resosync-run-%1.%2"_s.arg(run->runId).arg(json ? u"json"_s : u"txt"_s));
    const QString path = QFileDialog::getSaveFileName(
        this, json ? tr("Export the report as JSON") : tr("Export the report as text"), suggested,
        json ? tr("JSON (*.json)") : tr("Text (*.txt)"));
    if (!path.isEmpty())
        exportReport(path, format);
}

void HistoryView::exportReport(const QString &path, metrics::ReportFormat format) {
    const db::RunListEntry *run = currentRun();
    if (!run || !run->report) {
        const QString message = tr("Select a run with a saved report to export it.");
        runformat::showMessage(m_message, message, true);
        Q_EMIT exportFailed(message);
        return;
    }
    // A few kilobytes to a local file: written here, the GUI thread does not wait on it.
    if (const auto error = metrics::exportReport(*run->report, format, path)) {
        runformat::showMessage(m_message, *error, true);
        Q_EMIT exportFailed(*error);
        return;
    }
    runformat::showMessage(m_message,
                           tr("Saved the report of run %1 to %2").arg(run->runId).arg(path), false);
    Q_EMIT reportExported(path);
}

void HistoryView::deleteCurrentRun() {
    const db::RunListEntry *run = currentRun();
    if (!run || m_busy)
        return;
    const qint64 runId = run->runId;
    QString question = tr("Delete run %1 with its samples and events? This cannot be undone. "
                          "Rejected records it left in resosync.rejects stay.")
                           .arg(runLabel(*run));
    if (run->status == "running"_L1)
        question += u"\n\n"_s + tr("It is recorded as running: if a sync is still in progress, "
                                   "it loses its record and its report cannot be saved.");
    QMessageBox box(QMessageBox::Question, tr("Delete run %1?").arg(runId), question,
                    QMessageBox::Yes | QMessageBox::No, this);
    box.setObjectName(u"deleteRunQuestion"_s);
    box.setDefaultButton(QMessageBox::No);
    if (box.exec() != QMessageBox::Yes)
        return;
    setBusy(true, tr("Deleting run %1…").arg(runId));
    const QString conninfo = m_conninfo;
    QtConcurrent::run(&m_pool, [conninfo, runId] {
        return db::RunHistory(conninfo).deleteRun(runId);
    }).then(this, [this, runId](const std::optional<db::DbError> &error) {
        setBusy(false);
        if (error) {
            runformat::showMessage(
                m_message, tr("Could not delete run %1: %2").arg(runId).arg(error->message), true);
            Q_EMIT failed(error->message);
            return;
        }
        Q_EMIT runDeleted(runId);
        refresh();
    });
}

void HistoryView::compareSelectedRuns() {
    QList<qint64> ids = selectedRunIds();
    if (ids.size() != 2) {
        // The current run against the run before it (the next older one with a report).
        ids.clear();
        const qint64 current = currentRunId();
        for (const db::RunListEntry &run : std::as_const(m_runs)) {
            if (run.report && run.runId < current) {
                ids = {run.runId, current};
                break;
            }
        }
    }
    auto *dialog = new RunCompareView(m_conninfo, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    if (ids.size() == 2)
        dialog->compareRuns(ids[0], ids[1]);
    dialog->show();
}

void HistoryView::showTrends() {
    auto *dialog = new QDialog(this);
    dialog->setObjectName(u"trendsDialog"_s);
    dialog->setWindowTitle(tr("Trends across runs"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    auto *trends = new RunTrendsView(m_conninfo, dialog);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    auto *layout = new QVBoxLayout(dialog);
    layout->addWidget(trends, 1);
    layout->addWidget(buttons);
    dialog->resize(900, 640);
    dialog->show();
    trends->refresh();
}

} // namespace resosync::ui
