#include "RunCompareView.h"

#include "IndexWizard.h"
#include "RunFormat.h"
#include "metrics/ExportFile.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace resosync::ui {

using namespace Qt::StringLiterals;

namespace {

enum Column { SectionColumn, MetricColumn, AColumn, BColumn, RatioColumn };

QString directionText(metrics::BetterWhen better) {
    switch (better) {
    case metrics::BetterWhen::Higher:
        return RunCompareView::tr("higher is better");
    case metrics::BetterWhen::Lower:
        return RunCompareView::tr("lower is better");
    case metrics::BetterWhen::Unknown:
        break;
    }
    return RunCompareView::tr("neither higher nor lower is better by itself");
}

QString verdictText(metrics::ComparisonVerdict verdict) {
    switch (verdict) {
    case metrics::ComparisonVerdict::Same:
        return RunCompareView::tr("B is the same as A (within %1%)")
            .arg(metrics::RunComparison::kNoiseShare * 100);
    case metrics::ComparisonVerdict::Better:
        return RunCompareView::tr("B is better");
    case metrics::ComparisonVerdict::Worse:
        return RunCompareView::tr("B is worse");
    case metrics::ComparisonVerdict::Different:
        return RunCompareView::tr("B differs from A");
    }
    return {};
}

/// Translucent, so the colours read on a light and on a dark palette.
QColor verdictBackground(metrics::ComparisonVerdict verdict) {
    switch (verdict) {
    case metrics::ComparisonVerdict::Better:
        return QColor(0x28, 0xa7, 0x45, 80);
    case metrics::ComparisonVerdict::Worse:
        return QColor(0xd7, 0x3a, 0x49, 80);
    default:
        return {};
    }
}

} // namespace

RunCompareView::RunCompareView(QString conninfo, QWidget *parent)
    : QDialog(parent)
    , m_conninfo(std::move(conninfo)) {
    setObjectName(u"runCompareView"_s);
    setWindowTitle(tr("Compare runs"));
    m_pool.setObjectName(u"resosync-compare"_s);
    m_pool.setMaxThreadCount(1);

    m_pickA = new QComboBox(this);
    m_pickA->setObjectName(u"compareRunA"_s);
    m_pickA->setToolTip(tr("Run A: the baseline. Ratios are B / A"));
    m_pickB = new QComboBox(this);
    m_pickB->setObjectName(u"compareRunB"_s);
    m_pickB->setToolTip(tr("Run B: compared with A; green where B is better, red where worse"));
    m_swap = new QPushButton(tr("&Swap"), this);
    m_swap->setObjectName(u"compareSwap"_s);
    m_swap->setToolTip(tr("Exchange runs A and B"));
    m_swap->setAutoDefault(false);
    for (QComboBox *picker : {m_pickA, m_pickB}) {
        picker->setSizeAdjustPolicy(QComboBox::AdjustToContents);
        connect(picker, &QComboBox::currentIndexChanged, this, [this] { compareChosen(); });
    }
    connect(m_swap, &QPushButton::clicked, this, [this] {
        const qint64 a = m_pickA->currentData().toLongLong();
        compareRuns(m_pickB->currentData().toLongLong(), a);
    });
    auto *pickers = new QFormLayout;
    auto *rowB = new QHBoxLayout;
    rowB->addWidget(m_pickB, 1);
    rowB->addWidget(m_swap);
    pickers->addRow(tr("Run &A:"), m_pickA);
    auto *labelB = new QLabel(tr("Run &B:"), this);
    labelB->setBuddy(m_pickB); // a row of a layout gets no buddy of its own
    pickers->addRow(labelB, rowB);

    m_table = indexwizard::newReportTable(
        u"compareTable"_s, {tr("Section"), tr("Metric"), tr("Run A"), tr("Run B"), tr("B / A")},
        this);
    m_table->horizontalHeaderItem(RatioColumn)
        ->setToolTip(tr("Run B's figure divided by run A's; n/a where A is 0 or not a number"));
    m_table->setToolTip(tr("Every setting and metric of both runs' reports"));
    // The figures share the width; the ratio stays in view however long a run's text is.
    m_table->horizontalHeader()->setStretchLastSection(false);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(AColumn, QHeaderView::Stretch);
    m_table->horizontalHeader()->setSectionResizeMode(BColumn, QHeaderView::Stretch);

    m_message = new QLabel(this);
    m_message->setObjectName(u"compareMessage"_s);
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->hide();

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    m_exportText = buttons->addButton(tr("Export &text…"), QDialogButtonBox::ActionRole);
    m_exportText->setObjectName(u"compareExportText"_s);
    m_exportText->setToolTip(tr("Save the comparison as an aligned plain-text table"));
    m_exportCsv = buttons->addButton(tr("Export &CSV…"), QDialogButtonBox::ActionRole);
    m_exportCsv->setObjectName(u"compareExportCsv"_s);
    m_exportCsv->setToolTip(tr("Save the comparison as CSV, for a spreadsheet"));
    connect(m_exportText, &QPushButton::clicked, this,
            [this] { chooseExportFile(ExportFormat::Text); });
    connect(m_exportCsv, &QPushButton::clicked, this,
            [this] { chooseExportFile(ExportFormat::Csv); });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(pickers);
    layout->addWidget(m_message);
    layout->addWidget(m_table, 1);
    layout->addWidget(buttons);
    resize(860, 720);
    showComparison();
    refresh();
}

RunCompareView::~RunCompareView() = default;

void RunCompareView::compareRuns(qint64 runA, qint64 runB) {
    m_wantedA = runA;
    m_wantedB = runB;
    if (m_runs.isEmpty())
        return; // once listed
    const int a = m_pickA->findData(runA);
    const int b = m_pickB->findData(runB);
    {
        // One comparison for both choices, not one per picker.
        const QSignalBlocker blockA(m_pickA);
        const QSignalBlocker blockB(m_pickB);
        if (a >= 0)
            m_pickA->setCurrentIndex(a);
        if (b >= 0)
            m_pickB->setCurrentIndex(b);
    }
    compareChosen();
}

void RunCompareView::refresh() {
    runformat::showMessage(m_message, tr("Reading past runs…"), false);
    const QString conninfo = m_conninfo;
    QtConcurrent::run(&m_pool, [conninfo] {
        return db::RunHistory(conninfo).listRuns(kRunsOffered);
    }).then(this, [this](const db::RunPage &page) { showRuns(page); });
}

void RunCompareView::showRuns(const db::RunPage &page) {
    if (page.error) {
        runformat::showMessage(
            m_message, tr("Could not read the run history: %1").arg(page.error->message), true);
        Q_EMIT failed(page.error->message);
        return;
    }
    m_runs.clear();
    for (const db::RunListEntry &run : page.runs) {
        if (run.report)
            m_runs.append(run);
    }
    {
        const QSignalBlocker blockA(m_pickA);
        const QSignalBlocker blockB(m_pickB);
        for (QComboBox *picker : {m_pickA, m_pickB}) {
            picker->clear();
            for (const db::RunListEntry &run : std::as_const(m_runs))
                picker->addItem(runformat::statusMarker(run.status), runformat::runLabel(run),
                                run.runId);
        }
    }
    if (m_runs.size() < 2) {
        runformat::showMessage(
            m_message,
            tr("Comparing needs two runs with a saved report; %1 found.").arg(m_runs.size()),
            false);
    } else {
        m_message->hide();
    }
    Q_EMIT runsLoaded(int(m_runs.size()));
    if (m_runs.isEmpty())
        return;
    // By default the newest run (B) against the one before it (A).
    if (m_wantedA == 0 || m_wantedB == 0)
        compareRuns(m_runs[std::min<qsizetype>(1, m_runs.size() - 1)].runId, m_runs[0].runId);
    else
        compareRuns(m_wantedA, m_wantedB);
}

const db::RunListEntry *RunCompareView::chosen(const QComboBox *picker) const {
    const qint64 runId = picker->currentData().toLongLong();
    for (const db::RunListEntry &run : m_runs) {
        if (run.runId == runId)
            return &run;
    }
    return nullptr;
}

void RunCompareView::compareChosen() {
    const db::RunListEntry *a = chosen(m_pickA);
    const db::RunListEntry *b = chosen(m_pickB);
    if (!a || !b) {
        m_comparison.reset();
    } else {
        m_comparison.emplace(*a->report, *b->report);
        m_wantedA = a->runId;
        m_wantedB = b->runId;
    }
    showComparison();
    if (m_comparison)
        Q_EMIT comparisonShown(a->runId, b->runId);
}

void RunCompareView::showComparison() {
    m_exportText->setEnabled(m_comparison.has_value());
    m_exportCsv->setEnabled(m_comparison.has_value());
    m_swap->setEnabled(m_comparison.has_value());
    if (!m_comparison) {
        m_table->setRowCount(0);
        return;
    }
    const QList<metrics::ComparisonRow> &rows = m_comparison->rows();
    m_table->setRowCount(int(rows.size()));
    for (int i = 0; i < rows.size(); ++i) {
        const metrics::ComparisonRow &row = rows[i];
        const metrics::ComparisonVerdict verdict = row.verdict();
        const QString judged =
            u"%1: %2 (%3)"_s.arg(row.metric, verdictText(verdict), directionText(row.betterWhen));
        indexwizard::setCell(m_table, i, SectionColumn, row.section);
        indexwizard::setCell(m_table, i, MetricColumn, row.metric, judged);
        indexwizard::setCell(m_table, i, AColumn, row.a, {}, row.valueA.has_value());
        indexwizard::setCell(m_table, i, BColumn, row.b, judged, row.valueB.has_value());
        indexwizard::setCell(m_table, i, RatioColumn, row.ratioText(), judged, true);
        const QColor background = verdictBackground(verdict);
        if (background.isValid()) {
            m_table->item(i, BColumn)->setBackground(background);
            m_table->item(i, RatioColumn)->setBackground(background);
        }
    }
}

void RunCompareView::chooseExportFile(ExportFormat format) {
    if (!m_comparison)
        return;
    const bool csv = format == ExportFormat::Csv;
    const QString suggested =
        QDir::home().filePath(u"resosync-compare-%1-%2.%3"_s.arg(m_comparison->a().runId)
                                  .arg(m_comparison->b().runId)
                                  .arg(csv ? u"csv"_s : u"txt"_s));
    const QString path = QFileDialog::getSaveFileName(
        this, csv ? tr("Export the comparison as CSV") : tr("Export the comparison as text"),
        suggested, csv ? tr("CSV (*.csv)") : tr("Text (*.txt)"));
    if (!path.isEmpty())
        exportComparison(path, format);
}

void RunCompareView::exportComparison(const QString &path, ExportFormat format) {
    if (!m_comparison) {
        const QString message = tr("Choose two runs to compare before exporting.");
        runformat::showMessage(m_message, message, true);
        Q_EMIT exportFailed(message);
        return;
    }
    const QString contents =
        format == ExportFormat::Csv ? m_comparison->toCsv() : m_comparison->toText();
    if (const auto error =
            metrics::writeExportFile(path, contents.toUtf8(), tr("the comparison"))) {
        runformat::showMessage(m_message, *error, true);
        Q_EMIT exportFailed(*error);
        return;
    }
    runformat::showMessage(m_message, tr("Saved the comparison to %1").arg(path), false);
    Q_EMIT comparisonExported(path);
}

} // namespace resosync::ui
