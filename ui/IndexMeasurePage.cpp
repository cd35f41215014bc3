#include "IndexMeasurePage.h"

#include "IndexWizard.h"

#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace resosync::ui {

using namespace Qt::StringLiterals;
using namespace indexwizard;

namespace {
enum Column { QueryColumn, TimeColumn, BuffersColumn, IndexColumn, PlanColumn };
} // namespace

void showMeasurements(QTableWidget *table, const QList<db::QueryMeasurement> &measurements) {
    const QLocale locale;
    table->setRowCount(int(measurements.size()));
    for (int row = 0; row < measurements.size(); ++row) {
        const db::QueryMeasurement &m = measurements[row];
        setCell(table, row, QueryColumn, m.name, m.sql);
        setCell(table, row, TimeColumn, locale.toString(m.executionMs, 'f', 2), {}, true);
        setCell(table, row, BuffersColumn,
                u"%1 / %2"_s.arg(locale.toString(m.sharedHitBlocks),
                                 locale.toString(m.sharedReadBlocks)),
                IndexMeasurePage::tr("Shared buffers hit in memory / read from disk or OS cache"),
                true);
        setCell(table, row, IndexColumn,
                m.usesIndex ? IndexMeasurePage::tr("yes") : IndexMeasurePage::tr("no"));
        setCell(table, row, PlanColumn, m.planShape);
    }
    table->resizeColumnsToContents();
}

IndexMeasurePage::IndexMeasurePage(IndexWizard *wizard)
    : QWizardPage(wizard)
    , m_wizard(wizard) {
    setObjectName(u"measurePage"_s);
    setTitle(tr("Measure"));
    setSubTitle(tr("The sync's own queries under EXPLAIN (ANALYZE, BUFFERS), before anything is "
                   "built. Hover a query for its SQL."));
    m_queries = newReportTable(
        u"measureTable"_s,
        {tr("Query"), tr("Time (ms)"), tr("Buffers hit / read"), tr("Index"), tr("Plan")}, this);
    m_queries->setToolTip(tr("Measured now on this database, with representative parameters"));
    m_busy = newBusyBar(u"measureBusy"_s, tr("Running the queries under EXPLAIN ANALYZE…"), this);
    m_summary = newMessageLabel(u"measureSummary"_s, this);
    m_retry = new QPushButton(tr("&Measure again"), this);
    m_retry->setObjectName(u"measureRetry"_s);
    m_retry->setToolTip(tr("Run the queries again (a second run shows them with a warm cache)"));
    m_retry->setAutoDefault(false);
    connect(m_retry, &QPushButton::clicked, this, &IndexMeasurePage::measure);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_busy);
    layout->addWidget(m_queries);
    layout->addWidget(m_summary);
    layout->addWidget(m_retry, 0, Qt::AlignLeft);
    layout->addStretch(1);

    connect(&m_watcher, &QFutureWatcher<db::ExplainReport>::finished, this,
            [this] { showReport(m_watcher.result()); });
}

IndexMeasurePage::~IndexMeasurePage() {
    m_watcher.waitForFinished();
}

void IndexMeasurePage::initializePage() {
    measure();
}

bool IndexMeasurePage::isComplete() const {
    return m_ok && !m_watcher.isRunning();
}

void IndexMeasurePage::measure() {
    if (m_watcher.isRunning())
        return;
    m_ok = false;
    m_retry->setEnabled(false);
    m_summary->clear();
    m_busy->show();
    Q_EMIT completeChanged();
    const QString conninfo = m_wizard->conninfo();
    m_watcher.setFuture(
        QtConcurrent::run([conninfo] { return db::IndexAdvisor(conninfo).explain(); }));
}

void IndexMeasurePage::showReport(const db::ExplainReport &report) {
    m_busy->hide();
    m_retry->setEnabled(true);
    if (report.error) {
        // A role that may not run the sync's deletes can still see what Apply would build
        // (and get the SQL for a DBA there); it only has no "before" figures.
        const bool privilege = report.error->kind == db::DbErrorKind::InsufficientPrivilege;
        m_wizard->setExplainBefore({});
        showError(m_summary, *report.error,
                  privilege ? tr("Without before figures Verify shows only the times after. "
                                 "Next goes on to Apply.")
                            : tr("Check that the database is reachable, then press Measure "
                                 "again."));
        m_ok = privilege;
        Q_EMIT completeChanged();
        return;
    }
    m_wizard->setExplainBefore(report);
    showMeasurements(m_queries, report.measurements);
    fitHeightToRows(m_queries);
    double total = 0;
    int indexed = 0;
    for (const db::QueryMeasurement &m : report.measurements) {
        total += m.executionMs;
        indexed += m.usesIndex ? 1 : 0;
    }
    m_summary->setText(tr("%1 queries, %2 ms in all; %3 use an index. These are the \"before\" "
                          "figures Verify compares with.")
                           .arg(report.measurements.size())
                           .arg(QLocale().toString(total, 'f', 2))
                           .arg(indexed));
    m_ok = true;
    Q_EMIT completeChanged();
}

} // namespace resosync::ui
