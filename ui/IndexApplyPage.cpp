#include "IndexApplyPage.h"

#include "IndexWizard.h"

#include <QClipboard>
#include <QFontDatabase>
#include <QGroupBox>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace resosync::ui {

using namespace Qt::StringLiterals;
using namespace indexwizard;

namespace {
enum Column { NameColumn, TableColumn, ActionColumn, ProgressColumn };

QPlainTextEdit *newSqlBox(const QString &objectName, QWidget *parent) {
    auto *box = new QPlainTextEdit(parent);
    box->setObjectName(objectName);
    box->setReadOnly(true);
    box->setLineWrapMode(QPlainTextEdit::NoWrap);
    box->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    box->setTabChangesFocus(true);
    return box;
}
} // namespace

IndexApplyPage::IndexApplyPage(IndexWizard *wizard)
    : QWizardPage(wizard)
    , m_wizard(wizard) {
    setObjectName(u"applyPage"_s);
    setTitle(tr("Apply"));
    setSubTitle(tr("Builds each index with CREATE INDEX CONCURRENTLY, one at a time and outside "
                   "a transaction, so a running sync keeps writing."));
    // Once indexes are built, going back to Measure would overwrite the "before" figures.
    setCommitPage(true);
    setButtonText(QWizard::CommitButton, tr("&Verify >"));

    m_plan = newReportTable(u"applyTable"_s,
                            {tr("Index"), tr("Table"), tr("Action"), tr("Progress")}, this);
    m_plan->setToolTip(tr("What Start builds or repairs, in order"));
    m_sql = newSqlBox(u"plannedSql"_s, this);
    m_sql->setToolTip(tr("The exact statements Start runs, one at a time"));

    m_start = new QPushButton(tr("&Start"), this);
    m_start->setObjectName(u"startButton"_s);
    m_start->setToolTip(tr("Build the indexes listed above (the sync may keep running)"));
    m_start->setAutoDefault(false);
    connect(m_start, &QPushButton::clicked, this, &IndexApplyPage::start);
    m_cancel = new QPushButton(tr("Cancel &build"), this);
    m_cancel->setObjectName(u"cancelBuildButton"_s);
    m_cancel->setToolTip(tr("Stop the build in progress (pg_cancel_backend) and drop what it "
                            "left half-done; indexes already built stay"));
    m_cancel->setAutoDefault(false);
    m_cancel->setEnabled(false);
    connect(m_cancel, &QPushButton::clicked, this, [this] { cancelBuild(); });
    m_status = newMessageLabel(u"applyStatus"_s, this);

    m_dbaBox = new QGroupBox(tr("For a database administrator"), this);
    m_dbaBox->setObjectName(u"dbaBox"_s);
    m_dbaMessage = newMessageLabel(u"dbaMessage"_s, m_dbaBox);
    m_dbaSql = newSqlBox(u"dbaSql"_s, m_dbaBox);
    m_dbaSql->setMinimumHeight(6 * m_dbaSql->fontMetrics().lineSpacing());
    m_dbaSql->setToolTip(tr("Run this as the tables' owner or a superuser, then Inspect again"));
    auto *copy = new QPushButton(tr("&Copy SQL"), m_dbaBox);
    copy->setObjectName(u"copyDbaSql"_s);
    copy->setToolTip(tr("Copy the SQL to the clipboard"));
    copy->setAutoDefault(false);
    connect(copy, &QPushButton::clicked, this,
            [this] { QGuiApplication::clipboard()->setText(m_dbaSql->toPlainText()); });
    auto *dbaLayout = new QVBoxLayout(m_dbaBox);
    dbaLayout->addWidget(m_dbaMessage);
    dbaLayout->addWidget(m_dbaSql, 1);
    dbaLayout->addWidget(copy, 0, Qt::AlignLeft);
    m_dbaBox->hide();

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_start);
    buttons->addWidget(m_cancel);
    buttons->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_plan);
    m_sqlLabel = new QLabel(tr("SQL to run:"), this);
    layout->addWidget(m_sqlLabel);
    layout->addWidget(m_sql, 2);
    layout->addLayout(buttons);
    layout->addWidget(m_status);
    layout->addWidget(m_dbaBox, 2);

    connect(&m_watcher, &QFutureWatcher<db::ApplyResult>::finished, this,
            [this] { showResult(m_watcher.result()); });
}

IndexApplyPage::~IndexApplyPage() {
    cancelAndWait();
}

void IndexApplyPage::initializePage() {
    const db::InspectReport &report = m_wizard->inspectBefore();
    m_done = false;
    m_bars.clear();
    m_current.clear();
    m_plan->setRowCount(0);
    for (const db::IndexStatus &status : report.indexes) {
        if (status.state != db::IndexState::Missing && status.state != db::IndexState::Invalid)
            continue;
        const int row = m_plan->rowCount();
        m_plan->insertRow(row);
        setCell(m_plan, row, NameColumn, status.index.name, status.index.createSql);
        setCell(m_plan, row, TableColumn, status.index.table,
                tr("Columns: %1").arg(status.index.columns.join(u", "_s)));
        const bool repair = status.state == db::IndexState::Invalid;
        setCell(m_plan, row, ActionColumn, repair ? tr("repair (drop, rebuild)") : tr("build"),
                stateExplanation(status.state));
        m_plan->item(row, ActionColumn)->setIcon(stateMarker(status.state));
        auto *bar = new QProgressBar(m_plan);
        bar->setObjectName(u"progress_"_s + status.index.name);
        bar->setRange(0, 100);
        bar->setValue(0);
        bar->setFormat(tr("waiting"));
        bar->setToolTip(tr("Phase and blocks or tuples done, from pg_stat_progress_create_index"));
        m_plan->setCellWidget(row, ProgressColumn, bar);
        m_bars.insert(status.index.name, bar);
    }
    m_plan->resizeColumnsToContents();
    m_plan->horizontalHeader()->setSectionResizeMode(ProgressColumn, QHeaderView::Stretch);
    fitHeightToRows(m_plan);
    m_sql->setPlainText(db::IndexAdvisor::plannedSql(report));
    showDbaBox(false);
    m_cancel->setEnabled(false);
    if (m_bars.isEmpty()) {
        m_start->setEnabled(false);
        m_status->setText(tr("Nothing to build: every recommended index is present or served by "
                             "another. Next verifies the queries."));
        m_done = true;
    } else {
        m_start->setEnabled(true);
        m_status->setText(tr("Press Start to build %n index(es).", nullptr, int(m_bars.size())));
    }
    Q_EMIT completeChanged();
}

bool IndexApplyPage::isComplete() const {
    return m_done && !isBuilding();
}

void IndexApplyPage::start() {
    if (isBuilding() || m_bars.isEmpty())
        return;
    m_cancelRequested = false;
    m_afterStop = {};
    m_current.clear();
    showDbaBox(false);
    for (QProgressBar *bar : std::as_const(m_bars)) {
        bar->setValue(0);
        bar->setFormat(tr("waiting"));
    }
    m_start->setEnabled(false);
    m_cancel->setEnabled(true);
    m_status->setText(tr("Building…"));
    const QString conninfo = m_wizard->conninfo();
    // The advisor blocks: it runs on a pool thread and posts its progress here. This page
    // waits for it before it is destroyed, so `this` outlives every posted call.
    m_future = QtConcurrent::run([this, conninfo] {
        return db::IndexAdvisor(conninfo).apply(
            m_cancelRequested, [this](const db::BuildProgress &progress) {
                QMetaObject::invokeMethod(
                    this, [this, progress] { showProgress(progress); }, Qt::QueuedConnection);
            });
    });
    m_watcher.setFuture(m_future);
    Q_EMIT completeChanged();
}

void IndexApplyPage::finishBar(const QString &index, const QString &text, int value) {
    if (QProgressBar *bar = m_bars.value(index)) {
        bar->setValue(value);
        bar->setFormat(text);
    }
}

void IndexApplyPage::showProgress(const db::BuildProgress &progress) {
    if (!isBuilding())
        return; // posted just before the end; the result says more
    // Builds run one at a time: a new index reporting means the one before has finished.
    if (!m_current.isEmpty() && m_current != progress.index)
        finishBar(m_current, tr("built"), 100);
    m_current = progress.index;
    QProgressBar *bar = m_bars.value(progress.index);
    if (!bar)
        return;
    int percent = bar->value();
    if (progress.blocksTotal > 0)
        percent = int(100 * progress.blocksDone / progress.blocksTotal);
    else if (progress.tuplesTotal > 0)
        percent = int(100 * progress.tuplesDone / progress.tuplesTotal);
    bar->setValue(std::clamp(percent, 0, 99)); // 100 only once the build has committed
    bar->setFormat(u"%p% — "_s + progress.phase);
    m_status->setText(tr("Building %1 (%2 of %3): %4")
                          .arg(progress.index.toHtmlEscaped())
                          .arg(progress.position)
                          .arg(progress.count)
                          .arg(progress.phase.toHtmlEscaped()));
}

void IndexApplyPage::showResult(const db::ApplyResult &result) {
    m_cancel->setEnabled(false);
    for (const QString &index : result.built)
        finishBar(index, tr("built"), 100);
    for (const QString &index : result.repaired)
        finishBar(index, tr("repaired"), 100);
    for (int row = 0; row < m_plan->rowCount(); ++row) {
        const QString index = m_plan->item(row, NameColumn)->text();
        if (result.built.contains(index) || result.repaired.contains(index))
            m_plan->item(row, ActionColumn)->setIcon(stateMarker(db::IndexState::Present));
    }
    for (auto it = m_bars.cbegin(); it != m_bars.cend(); ++it) {
        if (it.value()->value() < 100 ||
            (!result.built.contains(it.key()) && !result.repaired.contains(it.key()))) {
            it.value()->setValue(0);
            it.value()->setFormat(result.cancelled ? tr("cancelled") : tr("not built"));
        }
    }
    m_done = !result.cancelled && !result.error;
    m_start->setEnabled(!m_done);
    m_start->setText(m_done ? tr("&Start") : tr("&Start again"));
    if (result.error && !result.sqlForDba.isEmpty()) {
        m_status->setText(tr("<span style='color:#d73a49'><b>This role may not build the "
                             "indexes.</b></span> Nothing half-done was left behind."));
        // The message may quote the statements too: they are in the box below, once.
        QStringList reason;
        for (const QString &line : result.error->message.split(u'\n')) {
            if (line.startsWith("CREATE INDEX"_L1) || line.startsWith("DROP INDEX"_L1))
                break;
            reason << line.toHtmlEscaped();
        }
        m_dbaMessage->setText(reason.join("<br>"_L1) +
                              tr("<br>Once a DBA has run it, open this wizard again to verify."));
        m_dbaSql->setPlainText(result.sqlForDba);
        showDbaBox(true);
    } else if (result.error) {
        showError(m_status, *result.error,
                  tr("Nothing half-done was left behind. Fix the cause and press Start again."));
    } else if (result.cancelled) {
        m_status->setText(tr("Cancelled. %n index(es) built before the cancel stay; the one in "
                             "progress was dropped. Press Start again to resume.",
                             nullptr, int(result.built.size() + result.repaired.size())));
    } else {
        m_status->setText(tr("Done: %1 built, %2 repaired. Next measures the queries again.")
                              .arg(result.built.size())
                              .arg(result.repaired.size()));
    }
    Q_EMIT completeChanged();
    if (m_afterStop)
        std::exchange(m_afterStop, {})();
}

void IndexApplyPage::showDbaBox(bool show) {
    // The DBA's SQL is the same statements: show it in place of the SQL to run, with room.
    m_dbaBox->setVisible(show);
    m_sqlLabel->setVisible(!show);
    m_sql->setVisible(!show);
}

void IndexApplyPage::cancelBuild(std::function<void()> afterStop) {
    if (!isBuilding()) {
        if (afterStop)
            afterStop();
        return;
    }
    m_cancelRequested = true;
    m_afterStop = std::move(afterStop);
    m_cancel->setEnabled(false);
    m_status->setText(tr("Cancelling the build in progress…"));
}

void IndexApplyPage::cancelAndWait() {
    m_cancelRequested = true;
    m_future.waitForFinished();
}

} // namespace resosync::ui
