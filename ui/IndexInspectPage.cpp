#include "IndexInspectPage.h"

#include "IndexWizard.h"

#include <QHBoxLayout>
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
enum IndexColumn {
    NameColumn,
    TableColumn,
    StateColumn,
    ServedByColumn,
    SizeColumn,
    QueriesColumn
};
enum TableColumn { TableNameColumn, RowsColumn, TotalSizeColumn };
} // namespace

IndexInspectPage::IndexInspectPage(IndexWizard *wizard)
    : QWizardPage(wizard)
    , m_wizard(wizard) {
    setObjectName(u"inspectPage"_s);
    setTitle(tr("Inspect"));
    setSubTitle(tr("The seed's eight recommended indexes in this database, and which of the "
                   "sync's own queries each one serves."));

    m_indexes = newReportTable(u"inspectTable"_s,
                               {tr("Index"), tr("Table"), tr("State"), tr("Served by"), tr("Size"),
                                tr("Sync queries it serves")},
                               this);
    m_indexes->setToolTip(tr("Each recommended index from sql/indexes.sql and its state here"));
    m_indexes->horizontalHeaderItem(ServedByColumn)
        ->setToolTip(tr("For a redundant index: the index or primary key that already serves "
                        "its queries"));
    m_tables =
        newReportTable(u"tableStatsTable"_s, {tr("Table"), tr("Rows"), tr("Total size")}, this);
    m_tables->setToolTip(tr("Exact row counts and sizes including indexes and TOAST"));
    m_tables->horizontalHeader()->setStretchLastSection(false);
    m_tables->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_tables->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);

    m_busy = newBusyBar(u"inspectBusy"_s, tr("Inspecting the database…"), this);
    m_summary = newMessageLabel(u"inspectSummary"_s, this);
    m_retry = new QPushButton(tr("&Retry"), this);
    m_retry->setObjectName(u"inspectRetry"_s);
    m_retry->setToolTip(tr("Inspect the database again"));
    m_retry->setAutoDefault(false);
    m_retry->hide();
    connect(m_retry, &QPushButton::clicked, this, &IndexInspectPage::inspect);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_busy);
    layout->addWidget(m_indexes);
    auto *below = new QHBoxLayout;
    below->addWidget(m_tables);
    auto *side = new QVBoxLayout;
    side->addWidget(m_summary);
    side->addWidget(m_retry, 0, Qt::AlignLeft);
    side->addStretch(1);
    below->addLayout(side, 1);
    layout->addLayout(below);
    layout->addStretch(1);

    connect(&m_watcher, &QFutureWatcher<db::InspectReport>::finished, this,
            [this] { showReport(m_watcher.result()); });
}

IndexInspectPage::~IndexInspectPage() {
    m_watcher.waitForFinished();
}

void IndexInspectPage::initializePage() {
    inspect();
}

bool IndexInspectPage::isComplete() const {
    return m_ok && !m_watcher.isRunning();
}

void IndexInspectPage::inspect() {
    if (m_watcher.isRunning())
        return;
    m_ok = false;
    m_retry->hide();
    m_summary->clear();
    m_busy->show();
    Q_EMIT completeChanged();
    const QString conninfo = m_wizard->conninfo();
    m_watcher.setFuture(
        QtConcurrent::run([conninfo] { return db::IndexAdvisor(conninfo).inspect(); }));
}

void IndexInspectPage::showReport(const db::InspectReport &report) {
    m_busy->hide();
    if (report.error) {
        showError(m_summary, *report.error,
                  tr("Check that the database is reachable and the ResoSync schema is "
                     "installed (Install schema in the main window), then press Retry."));
        m_retry->show();
        Q_EMIT completeChanged();
        return;
    }
    m_wizard->setInspectBefore(report);
    const QLocale locale;
    m_indexes->setRowCount(int(report.indexes.size()));
    int toBuild = 0, toRepair = 0, redundant = 0, present = 0;
    for (int row = 0; row < report.indexes.size(); ++row) {
        const db::IndexStatus &status = report.indexes[row];
        setCell(m_indexes, row, NameColumn, status.index.name, status.index.createSql);
        setCell(m_indexes, row, TableColumn, status.index.table,
                tr("Columns: %1").arg(status.index.columns.join(u", "_s)));
        setCell(m_indexes, row, StateColumn, db::indexStateName(status.state),
                stateExplanation(status.state));
        m_indexes->item(row, StateColumn)->setIcon(stateMarker(status.state));
        setCell(m_indexes, row, ServedByColumn,
                status.servedBy.isEmpty() ? u"—"_s : status.servedBy);
        const bool built =
            status.state == db::IndexState::Present || status.state == db::IndexState::Invalid;
        setCell(m_indexes, row, SizeColumn, built ? formattedSize(status.sizeBytes) : u"—"_s, {},
                true);
        setCell(m_indexes, row, QueriesColumn, status.servesQueries.join(u"; "_s),
                status.servesQueries.join(u"\n"_s));
        switch (status.state) {
        case db::IndexState::Present:
            ++present;
            break;
        case db::IndexState::Missing:
            ++toBuild;
            break;
        case db::IndexState::Invalid:
            ++toRepair;
            break;
        case db::IndexState::Redundant:
            ++redundant;
            break;
        }
    }
    m_indexes->resizeColumnsToContents();
    // The last column (the queries) takes the width left and wraps rather than elides.
    m_indexes->setWordWrap(true);
    m_indexes->resizeRowsToContents();
    fitHeightToRows(m_indexes);

    m_tables->setRowCount(int(report.tables.size()));
    for (int row = 0; row < report.tables.size(); ++row) {
        const db::TableStats &table = report.tables[row];
        setCell(m_tables, row, TableNameColumn, table.table);
        setCell(m_tables, row, RowsColumn, locale.toString(table.rows), {}, true);
        setCell(m_tables, row, TotalSizeColumn, formattedSize(table.totalBytes), {}, true);
    }
    m_tables->resizeColumnsToContents();
    int width = 2 * m_tables->frameWidth();
    for (int column = 0; column < m_tables->columnCount(); ++column)
        width += m_tables->columnWidth(column);
    m_tables->setFixedWidth(width);
    fitHeightToRows(m_tables);

    m_summary->setText(
        tr("In %1: %2 present, %3 to build, %4 to repair, %5 redundant (not built). Next "
           "measures the sync's queries before anything changes.")
            .arg(report.database.toHtmlEscaped())
            .arg(present)
            .arg(toBuild)
            .arg(toRepair)
            .arg(redundant));
    m_ok = true;
    Q_EMIT completeChanged();
}

} // namespace resosync::ui
