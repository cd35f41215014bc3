// The history views driven through their widgets offscreen, over two real syncs (real simulator,
// real PostgreSQL): the run list, a run's report, its charts, export, comparison with ratios,
// trends, and deletion. Each view is also saved as a PNG next to the test binary for review
// (history.png, history-compare.png, history-trends.png).
#include "SimulatorFixture.h"
#include "SyncHarness.h"
#include "TestDatabase.h"

#include "HistoryView.h"
#include "ReplicaCheck.h"
#include "RunCompareView.h"
#include "RunTrendsView.h"
#include "db/SchemaMigrator.h"
#include "metrics/MetricsRecorder.h"
#include "sim/FeedSimulator.h"

#include <QAbstractButton>
#include <QApplication>
#include <QFile>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QtCharts/QLineSeries>

#include <memory>

using namespace Qt::StringLiterals;
using namespace resosync;
using reso::Resource;
using ui::HistoryView;
using ui::RunCompareView;
using ui::RunTrendsView;

namespace {

constexpr int kTimeoutMs = 60'000;

QByteArray readAll(const QString &path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

void saveScreenshot(QWidget *widget, const QString &name) {
    const QString path = QCoreApplication::applicationDirPath() + u'/' + name;
    QVERIFY2(widget->grab().save(path), qPrintable(path));
}

/// Answers the next modal question box with `button`, once it is up.
void answerNextQuestion(QMessageBox::StandardButton button) {
    auto *timer = new QTimer;
    timer->setInterval(20);
    QObject::connect(timer, &QTimer::timeout, timer, [timer, button] {
        auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
        if (!box)
            return;
        timer->deleteLater();
        box->button(button)->click();
    });
    timer->start();
}

int rowOfRun(const QTableView *table, qint64 runId) {
    for (int row = 0; row < table->model()->rowCount(); ++row) {
        if (table->model()->index(row, 0).data().toLongLong() == runId)
            return row;
    }
    return -1;
}

void clickRow(QTableView *table, int row, Qt::KeyboardModifiers modifiers = {}) {
    const QRect cell = table->visualRect(table->model()->index(row, 0));
    QTest::mouseClick(table->viewport(), Qt::LeftButton, modifiers, cell.center());
}

/// The row of the comparison table with this section and metric, or -1.
int comparisonRow(const QTableWidget *table, const QString &section, const QString &metric) {
    for (int row = 0; row < table->rowCount(); ++row) {
        if (table->item(row, 0)->text() == section && table->item(row, 1)->text() == metric)
            return row;
    }
    return -1;
}

} // namespace

class TestHistoryView final : public QObject {
    Q_OBJECT

    std::unique_ptr<test::TestDatabase> m_db;
    std::unique_ptr<sim::FeedSimulator> m_simulator;
    test::SyncOutcome m_first;  ///< batch size 25, changed to 10 mid-run
    test::SyncOutcome m_second; ///< batch size 50, concurrency 2

    /// A history view listing the runs, shown and loaded.
    std::unique_ptr<HistoryView> loadedView() {
        auto view = std::make_unique<HistoryView>(m_db->conninfo());
        view->resize(1200, 700);
        view->show();
        QSignalSpy loaded(view.get(), &HistoryView::runsLoaded);
        view->refresh();
        if (!loaded.wait(kTimeoutMs))
            qWarning("the run list did not load");
        return view;
    }

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        m_db = std::make_unique<test::TestDatabase>(u"history_view"_s);
        QVERIFY2(m_db->isValid(), qPrintable(m_db->error()));
        const db::SchemaReport schema = db::SchemaMigrator(m_db->conninfo()).apply();
        QVERIFY2(schema.ok(), qPrintable(schema.error->message));
        sim::SimulatorOptions options;
        options.seed = 5;
        options.properties = 120;
        options.faults.latencyMs = 10;
        m_simulator = test::startSimulator(options);

        const sync::SyncSettings first{25, 40, 7, 0, 3};
        m_first = test::runSync(
            test::simulatorRequest(*m_simulator, m_db->conninfo(), sync::SyncMode::Full, first),
            [first](sync::SyncEngine &engine) {
                QTRY_VERIFY_WITH_TIMEOUT(
                    engine.metrics()->snapshot().progress(Resource::Media).fetched > 50,
                    kTimeoutMs);
                sync::SyncSettings smaller = first;
                smaller.batchSize = 10;
                engine.updateSettings(smaller);
            });
        QCOMPARE(int(m_first.outcome), int(sync::RunOutcome::Succeeded));
        m_second = test::runSync(test::simulatorRequest(*m_simulator, m_db->conninfo(),
                                                        sync::SyncMode::Full, {50, 40, 7, 0, 2}));
        QCOMPARE(int(m_second.outcome), int(sync::RunOutcome::Succeeded));
    }

    void listsTheRunsAndShowsTheNewest() {
        const auto view = loadedView();
        auto *table = view->findChild<QTableView *>(u"historyTable"_s);
        auto *report = view->findChild<QPlainTextEdit *>(u"historyReport"_s);
        QVERIFY(table && report);
        QCOMPARE(table->model()->rowCount(), 2);
        // Newest first, and selected: reopening the console shows the last run.
        QCOMPARE(table->model()->index(0, 0).data().toLongLong(), m_second.report.runId);
        QCOMPARE(table->model()->index(1, 0).data().toLongLong(), m_first.report.runId);
        QCOMPARE(view->currentRunId(), m_second.report.runId);
        QCOMPARE(report->toPlainText(), m_second.report.toText());
        const QModelIndex status = table->model()->index(0, 3);
        QCOMPARE(status.data().toString(), u"succeeded"_s);
        QCOMPARE(status.data(Qt::ForegroundRole).value<QBrush>().color(), QColor(0x28, 0xa7, 0x45));
        QVERIFY(!status.data(Qt::ToolTipRole).toString().isEmpty());
        qint64 fetched = 0;
        for (const metrics::ResourceProgress &p : m_second.report.metrics.resources)
            fetched += p.fetched;
        QCOMPARE(table->model()->index(0, 6).data(Qt::UserRole + 1).toLongLong(), fetched);
        QVERIFY(view->findChild<QLabel *>(u"historyCount"_s)->text().contains(u"2 of 2"_s));

        // Sorting by another column, then a refresh, keeps the run shown.
        table->sortByColumn(0, Qt::AscendingOrder);
        QCOMPARE(table->model()->index(0, 0).data().toLongLong(), m_first.report.runId);
        QSignalSpy loaded(view.get(), &HistoryView::runsLoaded);
        view->refresh();
        QVERIFY(loaded.wait(kTimeoutMs));
        QCOMPARE(view->currentRunId(), m_second.report.runId);
        saveScreenshot(view.get(), u"history.png"_s);
    }

    void clickingARunShowsItsReport() {
        const auto view = loadedView();
        auto *table = view->findChild<QTableView *>(u"historyTable"_s);
        QSignalSpy shown(view.get(), &HistoryView::runShown);
        clickRow(table, rowOfRun(table, m_first.report.runId));
        QCOMPARE(view->currentRunId(), m_first.report.runId);
        QCOMPARE(shown.size(), 1);
        QCOMPARE(view->findChild<QPlainTextEdit *>(u"historyReport"_s)->toPlainText(),
                 m_first.report.toText());
        QVERIFY(view->findChild<QLabel *>(u"historyRunTitle"_s)
                    ->text()
                    .contains(u"#%1"_s.arg(m_first.report.runId)));
    }

    void showChartsHandsOverTheSavedSeriesAndEvents() {
        const auto view = loadedView();
        view->selectRun(m_first.report.runId);
        qint64 runId = 0;
        db::SeriesByName series;
        QList<metrics::RunEvent> events;
        connect(view.get(), &HistoryView::runChartsLoaded, this,
                [&](qint64 id, const db::SeriesByName &s, const QList<metrics::RunEvent> &e) {
                    runId = id;
                    series = s;
                    events = e;
                });
        view->findChild<QPushButton *>(u"historyCharts"_s)->click();
        QTRY_COMPARE_WITH_TIMEOUT(runId, m_first.report.runId, kTimeoutMs);
        QCOMPARE(series.size(), m_first.series.size());
        for (auto it = m_first.series.cbegin(); it != m_first.series.cend(); ++it)
            QCOMPARE(series.value(it.key()).size(), it.value().size());
        QCOMPARE(events.size(), m_first.events.size());
        QVERIFY(std::any_of(events.cbegin(), events.cend(), [](const metrics::RunEvent &e) {
            return e.label == u"batch size 25 -> 10"_s;
        }));
    }

    void exportsTheReportOrSaysWhyNot() {
        const auto view = loadedView();
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QSignalSpy exported(view.get(), &HistoryView::reportExported);
        QSignalSpy failed(view.get(), &HistoryView::exportFailed);
        const QString json = dir.filePath(u"report.json"_s);
        const QString text = dir.filePath(u"report.txt"_s);
        view->exportReport(json, metrics::ReportFormat::Json);
        view->exportReport(text, metrics::ReportFormat::Text);
        QCOMPARE(exported.size(), 2);
        QCOMPARE(QJsonDocument::fromJson(readAll(json)).object(), m_second.report.toJson());
        QCOMPARE(QString::fromUtf8(readAll(text)), m_second.report.toText());

        const QString unwritable = dir.filePath(u"report.txt/inside.json"_s);
        view->exportReport(unwritable, metrics::ReportFormat::Json);
        QCOMPARE(failed.size(), 1);
        auto *message = view->findChild<QLabel *>(u"historyMessage"_s);
        QVERIFY(message->isVisible());
        QVERIFY2(message->text().startsWith(u"Could not write the report to "_s),
                 qPrintable(message->text()));
        QCOMPARE(message->text(), failed.first().first().toString());
    }

    void comparesTwoRunsWithRatios() {
        const auto view = loadedView();
        auto *table = view->findChild<QTableView *>(u"historyTable"_s);
        clickRow(table, rowOfRun(table, m_second.report.runId));
        clickRow(table, rowOfRun(table, m_first.report.runId), Qt::ControlModifier);
        QCOMPARE(view->selectedRunIds(),
                 QList<qint64>({m_first.report.runId, m_second.report.runId}));
        view->findChild<QPushButton *>(u"historyCompare"_s)->click();
        auto *compare = view->findChild<RunCompareView *>();
        QVERIFY(compare);
        QTRY_VERIFY_WITH_TIMEOUT(compare->comparison().has_value(), kTimeoutMs);
        QCOMPARE(compare->comparison()->a().runId, m_first.report.runId); // the older is A
        QCOMPARE(compare->comparison()->b().runId, m_second.report.runId);

        auto *rows = compare->findChild<QTableWidget *>(u"compareTable"_s);
        const int requests = comparisonRow(rows, u"API"_s, u"Requests"_s);
        QVERIFY(requests >= 0);
        const double a = double(m_first.report.metrics.api.requests);
        const double b = double(m_second.report.metrics.api.requests);
        QVERIFY(a > 0 && b > 0 && a != b);
        QCOMPARE(rows->item(requests, 2)->text(), QString::number(qint64(a)));
        QCOMPARE(rows->item(requests, 3)->text(), QString::number(qint64(b)));
        const double shownRatio = rows->item(requests, 4)->text().toDouble();
        QVERIFY2(std::abs(shownRatio - b / a) <= 0.005,
                 qPrintable(u"%1 vs %2"_s.arg(shownRatio).arg(b / a)));
        // The batch size was 10 at the end of the first run (changed mid-run), 50 in the second.
        const int batch = comparisonRow(rows, u"Config"_s, u"Batch size"_s);
        QCOMPARE(rows->item(batch, 2)->text(), u"10"_s);
        QCOMPARE(rows->item(batch, 4)->text(), u"5.00"_s);
        // A figure whose better direction is known is coloured; a setting is not.
        QVERIFY(!rows->item(batch, 3)->background().color().isValid() ||
                rows->item(batch, 3)->background().style() == Qt::NoBrush);
        const int sameRequests = comparisonRow(rows, u"Run"_s, u"Records fetched"_s);
        QCOMPARE(rows->item(sameRequests, 4)->text(), u"1.00"_s); // the same feed twice

        QTemporaryDir dir;
        const QString csv = dir.filePath(u"compare.csv"_s);
        compare->exportComparison(csv, RunCompareView::ExportFormat::Csv);
        QCOMPARE(QString::fromUtf8(readAll(csv)), compare->comparison()->toCsv());
        QSignalSpy failed(compare, &RunCompareView::exportFailed);
        compare->exportComparison(dir.path(), RunCompareView::ExportFormat::Text);
        QCOMPARE(failed.size(), 1);
        QVERIFY(failed.first().first().toString().contains(u"that is a folder"_s));

        // Swapping exchanges A and B: the ratio turns over.
        compare->findChild<QPushButton *>(u"compareSwap"_s)->click();
        QCOMPARE(compare->comparison()->a().runId, m_second.report.runId);
        const double swapped =
            rows->item(comparisonRow(rows, u"API"_s, u"Requests"_s), 4)->text().toDouble();
        QVERIFY(std::abs(swapped - a / b) <= 0.005);
        compare->resize(900, 900);
        saveScreenshot(compare, u"history-compare.png"_s);
    }

    void trendsPlotEveryRun() {
        RunTrendsView trends(m_db->conninfo());
        trends.resize(900, 600);
        trends.show();
        QSignalSpy shown(&trends, &RunTrendsView::trendsShown);
        trends.refresh();
        QVERIFY(shown.wait(kTimeoutMs));
        QCOMPARE(shown.first().first().toInt(), 2);
        const QList<QPointF> rates = trends.series(RunTrendsView::RecordsPerSecond)->points();
        QCOMPARE(rates.size(), 2);
        QCOMPARE(qint64(rates[0].x()), m_first.report.runId);
        QCOMPARE(rates[1].y(),
                 m_second.report.toJson()[u"batches"_s][u"records_per_s"_s].toDouble());
        const QList<QPointF> peaks = trends.series(RunTrendsView::PeakMemory)->points();
        QCOMPARE(peaks[0].y(), m_first.report.toJson()[u"memory"_s][u"peak_mb"_s].toDouble());
        saveScreenshot(&trends, u"history-trends.png"_s);
    }

    // Last: it removes a run the others show.
    void deletingARunAsksFirst() {
        const auto view = loadedView();
        auto *table = view->findChild<QTableView *>(u"historyTable"_s);
        view->selectRun(m_first.report.runId);
        auto *remove = view->findChild<QPushButton *>(u"historyDelete"_s);

        answerNextQuestion(QMessageBox::No);
        remove->click();
        QCOMPARE(table->model()->rowCount(), 2);

        QSignalSpy deleted(view.get(), &HistoryView::runDeleted);
        QSignalSpy loaded(view.get(), &HistoryView::runsLoaded);
        answerNextQuestion(QMessageBox::Yes);
        remove->click();
        QVERIFY(deleted.wait(kTimeoutMs));
        QCOMPARE(deleted.first().first().toLongLong(), m_first.report.runId);
        QVERIFY(loaded.wait(kTimeoutMs));
        QCOMPARE(table->model()->rowCount(), 1);
        QCOMPARE(view->currentRunId(), m_second.report.runId);
        QCOMPARE(test::queryValue(m_db->conninfo(), u"SELECT count(*) FROM resosync.runs"_s),
                 u"1"_s);
    }
};

QTEST_MAIN(TestHistoryView)
#include "tst_historyview.moc"
