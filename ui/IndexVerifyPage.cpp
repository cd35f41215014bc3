#include "IndexVerifyPage.h"

#include "IndexWizard.h"

#include <QGraphicsLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QtCharts/QBarCategoryAxis>
#include <QtCharts/QBarSeries>
#include <QtCharts/QBarSet>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QValueAxis>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

namespace resosync::ui {

using namespace Qt::StringLiterals;
using namespace indexwizard;

namespace {
enum Column { QueryColumn, BeforeColumn, AfterColumn, RatioColumn, PlanColumn };

/// The seed's claim (media-sync-optimization-guide.md) this page compares with.
constexpr int kClaimedLowPercent = 50;
constexpr int kClaimedHighPercent = 70;

const db::QueryMeasurement *findByName(const QList<db::QueryMeasurement> &list,
                                       const QString &name) {
    const auto it = std::find_if(list.cbegin(), list.cend(),
                                 [&name](const db::QueryMeasurement &m) { return m.name == name; });
    return it == list.cend() ? nullptr : &*it;
}
} // namespace

IndexVerifyPage::IndexVerifyPage(IndexWizard *wizard)
    : QWizardPage(wizard)
    , m_wizard(wizard) {
    setObjectName(u"verifyPage"_s);
    setTitle(tr("Verify"));
    setSubTitle(tr("The same queries measured again with the indexes in place."));
    m_busy = newBusyBar(u"verifyBusy"_s, tr("Inspecting and measuring again…"), this);
    m_states = newMessageLabel(u"verifyStates"_s, this);
    m_queries = newReportTable(
        u"verifyTable"_s,
        {tr("Query"), tr("Before (ms)"), tr("After (ms)"), tr("Speedup"), tr("Plan after")}, this);
    m_queries->setToolTip(tr("Each of the sync's queries before and after the indexes"));
    m_queries->horizontalHeaderItem(RatioColumn)
        ->setToolTip(tr("Time before divided by time after: above 1× is faster"));

    m_beforeSet = new QBarSet(tr("Before"));
    m_afterSet = new QBarSet(tr("After"));
    auto *series = new QBarSeries;
    series->append(m_beforeSet);
    series->append(m_afterSet);
    m_chart = new QChart;
    m_chart->addSeries(series);
    m_chart->setAnimationOptions(QChart::NoAnimation);
    m_chart->setTitle(tr("Query time, ms (Q1… are the table's rows)"));
    m_chart->legend()->setAlignment(Qt::AlignRight);
    m_chart->layout()->setContentsMargins(0, 0, 0, 0);
    m_categories = new QBarCategoryAxis;
    m_times = new QValueAxis;
    m_times->setLabelFormat(u"%.1f"_s);
    m_chart->addAxis(m_categories, Qt::AlignBottom);
    m_chart->addAxis(m_times, Qt::AlignLeft);
    series->attachAxis(m_categories);
    series->attachAxis(m_times);
    m_chartView = new QChartView(m_chart, this);
    m_chartView->setObjectName(u"verifyChart"_s);
    m_chartView->setRenderHint(QPainter::Antialiasing);
    m_chartView->setMinimumHeight(200);
    m_chartView->setToolTip(tr("Before and after times of each query"));
    m_note = newMessageLabel(u"verifyNote"_s, this);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_busy);
    layout->addWidget(m_states);
    layout->addWidget(m_queries);
    layout->addWidget(m_chartView, 1);
    layout->addWidget(m_note);

    connect(&m_watcher, &QFutureWatcher<Verification>::finished, this,
            [this] { showVerification(m_watcher.result()); });
}

IndexVerifyPage::~IndexVerifyPage() {
    m_watcher.waitForFinished();
}

namespace {

/// What the wizard keeps with the run history: the measurements before and after, and which
/// indexes this build added or repaired (missing or invalid before, present now).
QJsonObject resultSummary(const db::InspectReport &before, const db::ExplainReport &explainBefore,
                          const IndexVerifyPage::Verification &after) {
    QJsonArray built, repaired;
    for (const db::IndexStatus &was : before.indexes) {
        for (const db::IndexStatus &now : after.inspect.indexes) {
            if (now.index.name != was.index.name || now.state != db::IndexState::Present)
                continue;
            if (was.state == db::IndexState::Missing)
                built.append(was.index.name);
            else if (was.state == db::IndexState::Invalid)
                repaired.append(was.index.name);
        }
    }
    return QJsonObject{{u"before"_s, db::IndexAdvisor::measurementsJson(explainBefore)},
                       {u"after"_s, db::IndexAdvisor::measurementsJson(after.explain)},
                       {u"built"_s, built},
                       {u"repaired"_s, repaired},
                       {u"source"_s, u"console"_s}};
}

} // namespace

void IndexVerifyPage::initializePage() {
    if (m_watcher.isRunning())
        return;
    m_ok = false;
    m_note->clear();
    m_states->clear();
    m_busy->show();
    Q_EMIT completeChanged();
    const QString conninfo = m_wizard->conninfo();
    const db::InspectReport inspectBefore = m_wizard->inspectBefore();
    const db::ExplainReport explainBefore = m_wizard->explainBefore();
    m_watcher.setFuture(QtConcurrent::run([conninfo, inspectBefore, explainBefore] {
        const db::IndexAdvisor advisor(conninfo);
        Verification after;
        after.inspect = advisor.inspect();
        if (!after.inspect.error)
            after.explain = advisor.explain();
        if (!after.explain.error)
            after.saveError =
                advisor.saveResult(resultSummary(inspectBefore, explainBefore, after));
        return after;
    }));
}

bool IndexVerifyPage::isComplete() const {
    return m_ok && !m_watcher.isRunning();
}

void IndexVerifyPage::showVerification(const Verification &after) {
    m_busy->hide();
    m_ok = true; // Finish stays possible: the indexes are built whatever this shows
    Q_EMIT completeChanged();
    if (after.inspect.error || after.explain.error) {
        showError(m_note, after.inspect.error ? *after.inspect.error : *after.explain.error,
                  tr("The indexes built stay. Open the wizard again to measure once the "
                     "database answers."));
        return;
    }
    int present = 0, redundant = 0, other = 0;
    for (const db::IndexStatus &status : after.inspect.indexes) {
        if (status.state == db::IndexState::Present)
            ++present;
        else if (status.state == db::IndexState::Redundant)
            ++redundant;
        else
            ++other;
    }
    m_states->setText(other == 0
                          ? tr("All %1 recommended indexes are in place: %2 present, %3 served by "
                               "another index.")
                                .arg(after.inspect.indexes.size())
                                .arg(present)
                                .arg(redundant)
                          : tr("<span style='color:#d73a49'>%1 of %2 recommended indexes are still "
                               "missing or invalid.</span>")
                                .arg(other)
                                .arg(after.inspect.indexes.size()));
    if (after.saveError)
        m_states->setText(m_states->text() +
                          tr("<br>The result could not be kept with the run history: %1")
                              .arg(after.saveError->message.toHtmlEscaped()));

    const QLocale locale;
    const QList<db::QueryMeasurement> &before = m_wizard->explainBefore().measurements;
    const QList<db::QueryMeasurement> &now = after.explain.measurements;
    m_queries->setRowCount(int(now.size()));
    QList<qreal> beforeTimes, afterTimes;
    QStringList categories;
    double totalBefore = 0, totalAfter = 0;
    for (int row = 0; row < now.size(); ++row) {
        const db::QueryMeasurement &a = now[row];
        const db::QueryMeasurement *b = findByName(before, a.name);
        setCell(m_queries, row, QueryColumn, u"Q%1  %2"_s.arg(row + 1).arg(a.name), a.sql);
        setCell(m_queries, row, BeforeColumn, b ? locale.toString(b->executionMs, 'f', 2) : u"—"_s,
                b ? b->planShape : tr("Not measured before"), true);
        setCell(m_queries, row, AfterColumn, locale.toString(a.executionMs, 'f', 2),
                tr("Buffers hit / read: %1 / %2")
                    .arg(locale.toString(a.sharedHitBlocks), locale.toString(a.sharedReadBlocks)),
                true);
        QString ratio = u"—"_s;
        if (b && a.executionMs > 0) {
            const double factor = b->executionMs / a.executionMs;
            // Sub-millisecond timings jitter by a few percent: do not call that a change.
            if (factor > 0.9 && factor < 1.1)
                ratio = tr("%1× (no change)").arg(locale.toString(factor, 'f', 1));
            else if (factor >= 1)
                ratio = tr("%1× faster").arg(locale.toString(factor, 'f', 1));
            else
                ratio = tr("%1× slower").arg(locale.toString(1 / factor, 'f', 1));
            totalBefore += b->executionMs;
            totalAfter += a.executionMs;
        }
        setCell(m_queries, row, RatioColumn, ratio, {}, true);
        setCell(m_queries, row, PlanColumn, a.planShape,
                b ? tr("Before: %1\nAfter: %2").arg(b->planShape, a.planShape) : a.planShape);
        categories << u"Q%1"_s.arg(row + 1);
        beforeTimes << (b ? b->executionMs : 0);
        afterTimes << a.executionMs;
    }
    m_queries->resizeColumnsToContents();
    fitHeightToRows(m_queries, 240);

    // Replace the chart's data in one go (STYLE 9): no per-point appends.
    m_beforeSet->remove(0, m_beforeSet->count());
    m_afterSet->remove(0, m_afterSet->count());
    m_beforeSet->append(beforeTimes);
    m_afterSet->append(afterTimes);
    m_categories->clear();
    m_categories->append(categories);
    qreal top = 0;
    for (const QList<qreal> *times : {&beforeTimes, &afterTimes})
        for (const qreal time : *times)
            top = std::max(top, time);
    m_times->setRange(0, top > 0 ? top * 1.1 : 1);

    if (totalBefore <= 0 || totalAfter <= 0) {
        m_note->setText(tr("No before figures to compare with."));
        return;
    }
    const double saved = 100 * (1 - totalAfter / totalBefore);
    QString verdict;
    if (saved < 0)
        verdict = tr("no speedup: compare with the seed's claimed %1–%2% once the tables are "
                     "larger, where an index scan beats a sequential one");
    else if (saved > kClaimedHighPercent)
        verdict = tr("more than the seed's claimed %1–%2% speedup");
    else if (saved >= kClaimedLowPercent)
        verdict = tr("within the seed's claimed %1–%2% speedup");
    else
        verdict = tr("less than the seed's claimed %1–%2% speedup: on tables this small a "
                     "sequential scan is already cheap; the gap grows with the data");
    m_note->setText(tr("Together the queries took %1 ms before and %2 ms after: %3% less time, %4.")
                        .arg(locale.toString(totalBefore, 'f', 2),
                             locale.toString(totalAfter, 'f', 2), locale.toString(saved, 'f', 0),
                             verdict.arg(kClaimedLowPercent).arg(kClaimedHighPercent)));
}

} // namespace resosync::ui
