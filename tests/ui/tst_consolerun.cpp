// The console's "run a manual sync" part, driven through the main window's own buttons and
// fields offscreen: the real simulator over HTTP and a real PostgreSQL. Every run ends by
// comparing the database with the feed.
#include "ReplicaCheck.h"
#include "SimulatorFixture.h"
#include "TestDatabase.h"

#include "ChartsView.h"
#include "EventLoopProbe.h"
#include "LogPane.h"
#include "MainWindow.h"
#include "ProblemList.h"
#include "ReplicaTable.h"
#include "RunView.h"
#include "SettingSpinBox.h"
#include "db/SchemaMigrator.h"
#include "metrics/MetricsRecorder.h"

#include <QComboBox>
#include <QCoreApplication>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTest>
#include <QToolButton>

#include <memory>

using namespace Qt::StringLiterals;
using namespace resosync;
using reso::Resource;
using ui::MainWindow;
using ui::RunView;

namespace {

constexpr int kProperties = 300;
constexpr int kTimeoutMs = 120'000;

/// A fresh database with the schema, a simulator and the console's window on both.
struct Console {
    explicit Console(const sim::FaultOptions &faults = {})
        : database(u"console run"_s) {
        sim::SimulatorOptions options;
        options.seed = 3;
        options.properties = kProperties;
        options.faults = faults;
        simulator = test::startSimulator(options);
        if (!database.isValid())
            return;
        const db::SchemaReport schema = db::SchemaMigrator(database.conninfo()).apply();
        error = schema.ok() ? QString() : schema.error->message;
        ui::ConsoleSetup setup;
        setup.feedName = u"test simulator"_s;
        setup.feedUrl = simulator->baseUrl();
        setup.conninfo = database.conninfo();
        setup.profile = *reso::FeedProfile::byName(u"simulator"_s);
        setup.simulator = simulator.get();
        window = std::make_unique<MainWindow>(setup);
        window->show();
    }

    bool ready() const { return database.isValid() && error.isEmpty() && window; }
    QString problem() const { return database.isValid() ? error : database.error(); }

    template<typename T> T *child(const QString &name) const {
        T *found = window->findChild<T *>(name);
        if (!found)
            qFatal("No widget named %s", qPrintable(name));
        return found;
    }
    QToolButton *button(const QString &name) const { return child<QToolButton>(name); }
    RunView *runView() const { return window->runView(); }
    ui::SettingSpinBox *setting(const QString &option) const {
        return child<ui::SettingSpinBox>(u"setting_"_s + option);
    }
    QSpinBox *alertBox(const QString &option) const {
        return child<QSpinBox>(u"alert_"_s + option);
    }
    QComboBox *modeBox() const { return child<QComboBox>(u"modeBox"_s); }

    /// Small pages and batches, so paging, key splitting and chunking happen many times.
    void chooseSmallSettings() const {
        setting(u"batch-size"_s)->setValue(25);
        setting(u"property-batch-size"_s)->setValue(40);
        setting(u"db-batch-size"_s)->setValue(7);
        setting(u"throttle-ms"_s)->setValue(0);
        setting(u"concurrency"_s)->setValue(3);
    }
    void chooseMode(sync::SyncMode mode) const {
        modeBox()->setCurrentIndex(modeBox()->findData(int(mode)));
    }
    /// A full sync with small settings, started with the window's Start button.
    void startSmallFullRun() const {
        chooseMode(sync::SyncMode::Full);
        chooseSmallSettings();
        QTest::mouseClick(button(u"startButton"_s), Qt::LeftButton);
    }
    qint64 fetched(Resource resource) const {
        const metrics::MetricsRecorder *recorder = runView()->metrics();
        return recorder ? recorder->snapshot().progress(resource).fetched : 0;
    }
    QString runStatus() const {
        return test::queryValue(database.conninfo(),
                                u"SELECT status FROM resosync.runs ORDER BY run_id DESC LIMIT 1"_s);
    }

    test::TestDatabase database;
    std::unique_ptr<sim::FeedSimulator> simulator;
    std::unique_ptr<MainWindow> window;
    QString error;
};

/// The report of the next run to finish.
metrics::RunReport waitForRun(QSignalSpy &finished) {
    if (finished.isEmpty() && !finished.wait(kTimeoutMs))
        qWarning("the run did not finish in time");
    if (finished.isEmpty())
        return {};
    return finished.takeFirst().at(0).value<metrics::RunReport>();
}

QString problems(const metrics::RunReport &report) {
    return u"status %1, problems: %2"_s.arg(report.status, report.problems.join(u" | "_s));
}

/// A feed that answers every request `ms` late, so a run lasts long enough to act on.
sim::FaultOptions slowFeed(int ms) {
    sim::FaultOptions faults;
    faults.latencyMs = ms;
    return faults;
}

/// Replaces a spin box's value by typing `text` and pressing Return, as a user does.
void typeAndEnter(QSpinBox *box, const QString &text) {
    box->selectAll();
    QTest::keyClicks(box, text);
    QTest::keyClick(box, Qt::Key_Return);
}

qint64 feedCount(const sim::FeedSimulator &simulator, Resource resource) {
    return qint64(simulator.data().aliveCount(resource));
}

} // namespace

class TestConsoleRun final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void startFromTheWindowStoresTheFeed() {
        Console console;
        QVERIFY2(console.ready(), qPrintable(console.problem()));
        // A database without a cursor: the window suggests a full load.
        QTRY_COMPARE_WITH_TIMEOUT(console.modeBox()->currentData().toInt(),
                                  int(sync::SyncMode::Full), kTimeoutMs);
        console.chooseSmallSettings();
        QSignalSpy started(console.runView(), &RunView::runStarted);
        QSignalSpy finished(console.runView(), &RunView::runFinished);
        QTest::mouseClick(console.button(u"startButton"_s), Qt::LeftButton);

        QVERIFY(console.runView()->isRunning());
        QVERIFY(!console.button(u"startButton"_s)->isEnabled());
        QVERIFY(console.button(u"pauseButton"_s)->isEnabled());
        QVERIFY(console.button(u"cancelButton"_s)->isEnabled());
        QVERIFY(!console.child<QComboBox>(u"modeBox"_s)->isEnabled());
        const metrics::RunReport report = waitForRun(finished);
        QCOMPARE(started.size(), 1);
        QVERIFY(started.first().at(0).value<const metrics::MetricsRecorder *>() != nullptr);
        QVERIFY2(report.status == "succeeded"_L1, qPrintable(problems(report)));
        QCOMPARE(report.config.mode, u"full"_s);
        QCOMPARE(report.config.batchSize, 25);
        const QString difference =
            test::compareAllReplicas(*console.simulator, console.database.conninfo());
        QVERIFY2(difference.isEmpty(), qPrintable(difference));

        // Every bar full, with the feed's counts: Property in records (the feed's @odata.count),
        // children in listings visited, their records next to the bar.
        const QLocale locale;
        auto *property = console.child<QProgressBar>(u"progress_Property"_s);
        QCOMPARE(qint64(property->maximum()), feedCount(*console.simulator, Resource::Property));
        QCOMPARE(property->value(), property->maximum());
        for (Resource child : {Resource::Media, Resource::PropertyRooms, Resource::OpenHouse}) {
            const QString name = reso::resourceName(child);
            auto *bar = console.child<QProgressBar>(u"progress_"_s + name);
            QCOMPARE(bar->maximum(), kProperties);
            QCOMPARE(bar->value(), kProperties);
            const QString detail = console.child<QLabel>(u"detail_"_s + name)->text();
            const QString records =
                locale.toString(feedCount(*console.simulator, child)) + u" records"_s;
            QVERIFY2(detail.contains(records), qPrintable(detail + u" lacks "_s + records));
            QVERIFY2(detail.contains(u"done"_s), qPrintable(detail));
        }
        QVERIFY(console.child<QLabel>(u"phaseLabel"_s)->text().startsWith(u"Finished"_s));

        // Back to idle, nothing to retry, no problems; the log tells the run.
        QVERIFY(console.button(u"startButton"_s)->isEnabled());
        QVERIFY(!console.button(u"pauseButton"_s)->isEnabled());
        QVERIFY(!console.button(u"cancelButton"_s)->isEnabled());
        QVERIFY(!console.button(u"retryButton"_s)->isEnabled());
        QCOMPARE(console.child<ui::ProblemList>(u"problemList"_s)->problemCount(), 0);
        const QString log = console.child<ui::LogPane>(u"logPane"_s)->visibleText();
        QVERIFY2(log.contains(u"Run started: full sync of Property, Media, PropertyRooms, "
                              "OpenHouse"_s),
                 qPrintable(log));

        // The replica table refreshes with what was stored, and the next run is incremental.
        auto *table = console.window->replicaTable();
        const QString stored = locale.toString(feedCount(*console.simulator, Resource::Media));
        QTRY_COMPARE_WITH_TIMEOUT(table->item(int(Resource::Media), 2)->text(), stored, kTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(console.modeBox()->currentData().toInt(),
                                  int(sync::SyncMode::Incremental), kTimeoutMs);

        // The event loop was measured during the run, and the status bar says so.
        const ui::EventLoopProbe *probe = console.window->eventLoopProbe();
        QVERIFY(!probe->isRunning());
        QVERIFY(probe->lateness().count() > 0);
        QVERIFY(console.child<QLabel>(u"eventLoopLabel"_s)->text().contains(u"p99"_s));
        qInfo("%s", qPrintable(probe->summary()));
    }

    void aBatchSizeChangedMidRunIsUsedAndMarked() {
        Console console(slowFeed(20));
        QVERIFY2(console.ready(), qPrintable(console.problem()));
        QTRY_COMPARE_WITH_TIMEOUT(console.modeBox()->currentData().toInt(),
                                  int(sync::SyncMode::Full), kTimeoutMs);
        console.chooseSmallSettings();
        QSignalSpy finished(console.runView(), &RunView::runFinished);
        QTest::mouseClick(console.button(u"startButton"_s), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(console.fetched(Resource::Media) > 200, kTimeoutMs);

        auto *apply = console.child<QPushButton>(u"applySettingsButton"_s);
        auto *batchSize = console.setting(u"batch-size"_s);
        QVERIFY(!apply->isEnabled()); // nothing changed yet
        // A value the simulator profile does not allow: refused with its reason.
        batchSize->selectAll();
        QTest::keyClicks(batchSize, u"6000"_s);
        QCOMPARE(batchSize->value(), 6000);
        const QString reason = console.child<QLabel>(u"tuningStatus"_s)->text();
        QVERIFY2(reason.contains(u"Batch size 6000 is out of range: allowed 1 to 5000 (the "
                                 "simulator profile's largest $top)"_s),
                 qPrintable(reason));
        QVERIFY(!apply->isEnabled());

        batchSize->setValue(10);
        QVERIFY(apply->isEnabled());
        QTest::mouseClick(apply, Qt::LeftButton);
        QVERIFY(!apply->isEnabled()); // applied: nothing left to send
        // The feed now sees pages of 10.
        QTRY_VERIFY_WITH_TIMEOUT(console.simulator->stats().pagesByTop.value(10) > 0, kTimeoutMs);
        bool marked = false;
        for (const metrics::RunEvent &event : console.runView()->metrics()->events())
            marked = marked || event.label == "batch size 25 -> 10"_L1;
        QVERIFY(marked);
        QCOMPARE(console.simulator->stats().pagesByTop.value(6000), 0);

        const metrics::RunReport report = waitForRun(finished);
        QVERIFY2(report.status == "succeeded"_L1, qPrintable(problems(report)));
        QCOMPARE(report.config.batchSize, 10);
        const QString difference =
            test::compareAllReplicas(*console.simulator, console.database.conninfo());
        QVERIFY2(difference.isEmpty(), qPrintable(difference));
    }

    void alertThresholdsFromThePanelMarkTheChartsAndTheLog() {
        Console console(slowFeed(150));
        QVERIFY2(console.ready(), qPrintable(console.problem()));
        QTRY_COMPARE_WITH_TIMEOUT(console.modeBox()->currentData().toInt(),
                                  int(sync::SyncMode::Full), kTimeoutMs);
        // Typed as a user does: the value counts once Return is pressed.
        QSpinBox *latency = console.alertBox(u"latency-ms"_s);
        QCOMPARE(latency->value(), 5000);
        typeAndEnter(latency, u"100"_s);
        QCOMPARE(latency->value(), 100);
        QSignalSpy finished(console.runView(), &RunView::runFinished);
        console.startSmallFullRun();
        QCOMPARE(console.runView()->lastRequest().alerts.apiP95Ms, 100.0);
        auto *status = console.child<QLabel>(u"alertsStatus"_s);
        QVERIFY2(status->text().contains(u"The running sync alerts at: p95 latency 100 ms"_s),
                 qPrintable(status->text()));

        // The feed answers 150 ms late: an alert on the charts and in the log.
        auto *log = console.child<ui::LogPane>(u"logPane"_s);
        auto *charts = console.child<QWidget>(u"monitorPanel"_s)->findChild<ui::ChartsView *>();
        QVERIFY(charts);
        const QRegularExpression first(u"alert: p95 API latency \\d+ ms > 100 ms"_s);
        QTRY_VERIFY_WITH_TIMEOUT(charts->markerLabels().indexOf(first) >= 0, kTimeoutMs);
        QVERIFY2(log->visibleText().contains(first), qPrintable(log->visibleText()));
        QVERIFY(log->visibleText().contains(u"Alert thresholds: p95 latency 100 ms, error rate "
                                            "5%, memory 1024 MB"_s));

        // A new threshold mid-run reaches the engine: it says so, and alerts against it.
        typeAndEnter(latency, u"120"_s);
        QTRY_VERIFY_WITH_TIMEOUT(log->visibleText().contains(u"Alert thresholds changed: p95 "
                                                             "latency 120 ms, error rate 5%, "
                                                             "memory 1024 MB"_s),
                                 kTimeoutMs);
        QCOMPARE(console.runView()->lastRequest().alerts.apiP95Ms, 120.0);
        const QRegularExpression second(u"alert: p95 API latency \\d+ ms > 120 ms"_s);
        QTRY_VERIFY_WITH_TIMEOUT(charts->markerLabels().indexOf(second) >= 0, kTimeoutMs);
        QVERIFY2(log->visibleText().contains(second), qPrintable(log->visibleText()));

        // Both are saved with the run, whichever way it ends.
        QTest::mouseClick(console.button(u"cancelButton"_s), Qt::LeftButton);
        QCOMPARE(waitForRun(finished).status, u"cancelled"_s);
        const QString saved = test::queryValue(
            console.database.conninfo(),
            u"SELECT string_agg(label, ' | ' ORDER BY seq) FROM resosync.run_events WHERE "
            "run_id = (SELECT max(run_id) FROM resosync.runs) AND label LIKE 'alert: %'"_s);
        QVERIFY2(saved.contains(first) && saved.contains(second), qPrintable(saved));
        QVERIFY2(status->text().startsWith(u"The next run alerts at: p95 latency 120 ms"_s),
                 qPrintable(status->text()));
    }

    void alertThresholdsAreRememberedAndReset() {
        QSettings().remove(u"alerts"_s); // from an earlier run of this test
        const metrics::AlertThresholds defaults;
        {
            Console console;
            QVERIFY2(console.ready(), qPrintable(console.problem()));
            QCOMPARE(console.runView()->alertThresholds(), defaults);
            QSpinBox *errorRate = console.alertBox(u"error-rate"_s);
            QCOMPARE(errorRate->specialValueText(), u"off"_s);
            typeAndEnter(console.alertBox(u"latency-ms"_s), u"250"_s);
            typeAndEnter(errorRate, u"0"_s);
            QCOMPARE(errorRate->text(), u"off"_s);
            typeAndEnter(console.alertBox(u"memory-mb"_s), u"300"_s);
            QVERIFY(console.window->close());
        }
        const QSettings settings;
        QCOMPARE(settings.value(u"alerts/p95LatencyMs"_s).toDouble(), 250.0);
        QCOMPARE(settings.value(u"alerts/errorRatePercent"_s).toDouble(), 0.0);
        QCOMPARE(settings.value(u"alerts/memoryMb"_s).toDouble(), 300.0);

        // The next window starts with them; Reset brings back the defaults.
        Console again;
        QVERIFY2(again.ready(), qPrintable(again.problem()));
        QCOMPARE(again.alertBox(u"latency-ms"_s)->value(), 250);
        QCOMPARE(again.alertBox(u"error-rate"_s)->value(), 0);
        QCOMPARE(again.alertBox(u"memory-mb"_s)->value(), 300);
        QCOMPARE(again.runView()->alertThresholds(), (metrics::AlertThresholds{250, 0, 300}));
        QTest::mouseClick(again.child<QPushButton>(u"resetAlertsButton"_s), Qt::LeftButton);
        QCOMPARE(again.runView()->alertThresholds(), defaults);
        QCOMPARE(again.alertBox(u"latency-ms"_s)->value(), 5000);
        QVERIFY(again.window->close());
        QCOMPARE(QSettings().value(u"alerts/p95LatencyMs"_s).toDouble(), defaults.apiP95Ms);
    }

    void aRefusedValueBlocksStartWithItsReason() {
        Console console;
        QVERIFY2(console.ready(), qPrintable(console.problem()));
        auto *concurrency = console.setting(u"concurrency"_s);
        concurrency->selectAll();
        QTest::keyClicks(concurrency, u"0"_s);
        const QString reason = console.child<QLabel>(u"tuningStatus"_s)->text();
        QVERIFY2(reason.contains(u"Concurrency 0 is out of range: allowed 1 to 8"_s),
                 qPrintable(reason));
        QToolButton *start = console.button(u"startButton"_s);
        QVERIFY(!start->isEnabled());
        QVERIFY2(start->toolTip().contains(u"Concurrency 0"_s), qPrintable(start->toolTip()));
        // Stepping stays within the profile's bounds.
        concurrency->setValue(8);
        concurrency->stepUp();
        QCOMPARE(concurrency->value(), 8);
        QVERIFY(start->isEnabled());
        // Reset brings back the profile's defaults.
        concurrency->setValue(2);
        QTest::mouseClick(console.child<QPushButton>(u"resetSettingsButton"_s), Qt::LeftButton);
        QCOMPARE(concurrency->value(), reso::FeedProfile::byName(u"simulator"_s)->concurrency);
        QCOMPARE(console.setting(u"batch-size"_s)->value(),
                 reso::FeedProfile::byName(u"simulator"_s)->batchSize);
    }

    void pauseHoldsRequestsUntilResume() {
        Console console(slowFeed(20));
        QVERIFY2(console.ready(), qPrintable(console.problem()));
        QSignalSpy finished(console.runView(), &RunView::runFinished);
        console.startSmallFullRun();
        QTRY_VERIFY_WITH_TIMEOUT(console.fetched(Resource::Media) > 100, kTimeoutMs);

        QToolButton *pause = console.button(u"pauseButton"_s);
        QTest::mouseClick(pause, Qt::LeftButton);
        QCOMPARE(pause->text(), u"Resume"_s);
        QVERIFY(console.child<QLabel>(u"phaseLabel"_s)->text().startsWith(u"Paused"_s));
        // Requests on the wire finish; then the feed sees nothing until Resume.
        qint64 settled = -1;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                const qint64 now = console.simulator->stats().requests;
                const bool same = now == settled;
                settled = now;
                return same;
            }(),
            10'000);
        QTest::qWait(600);
        QCOMPARE(console.simulator->stats().requests, settled);
        QVERIFY(console.runView()->isRunning());

        QTest::mouseClick(pause, Qt::LeftButton);
        QCOMPARE(pause->text(), u"Pause"_s);
        QTRY_VERIFY_WITH_TIMEOUT(console.simulator->stats().requests > settled, 10'000);
        const metrics::RunReport report = waitForRun(finished);
        QVERIFY2(report.status == "succeeded"_L1, qPrintable(problems(report)));
        const QString difference =
            test::compareAllReplicas(*console.simulator, console.database.conninfo());
        QVERIFY2(difference.isEmpty(), qPrintable(difference));
    }

    void cancelStopsARunAndARerunCompletes() {
        Console console(slowFeed(40));
        QVERIFY2(console.ready(), qPrintable(console.problem()));
        QSignalSpy finished(console.runView(), &RunView::runFinished);
        console.startSmallFullRun();
        QTRY_VERIFY_WITH_TIMEOUT(console.fetched(Resource::Media) > 300, kTimeoutMs);

        QToolButton *cancel = console.button(u"cancelButton"_s);
        QTest::mouseClick(cancel, Qt::LeftButton);
        QVERIFY(!cancel->isEnabled());
        QCOMPARE(cancel->text(), u"Cancelling…"_s);
        QVERIFY(!console.button(u"pauseButton"_s)->isEnabled());
        const metrics::RunReport cancelled = waitForRun(finished);
        QCOMPARE(cancelled.status, u"cancelled"_s);
        QCOMPARE(console.runStatus(), u"cancelled"_s);
        QVERIFY(console.child<QLabel>(u"phaseLabel"_s)->text().startsWith(u"Cancelled"_s));
        QVERIFY(console.button(u"startButton"_s)->isEnabled());
        QVERIFY(!cancel->isEnabled());
        QCOMPARE(cancel->text(), u"Cancel"_s);
        QVERIFY(!console.button(u"retryButton"_s)->isEnabled()); // cancelled is not failed
        QVERIFY(test::queryValue(console.database.conninfo(),
                                 u"SELECT count(*) FROM public.\"Media\""_s)
                    .toLongLong() < feedCount(*console.simulator, Resource::Media));

        // The stored part is consistent: an incremental rerun (the mode the window now
        // suggests, as Property has a cursor) ends with the database equal to the feed.
        console.simulator->setFaults({});
        QTRY_COMPARE_WITH_TIMEOUT(console.modeBox()->currentData().toInt(),
                                  int(sync::SyncMode::Incremental), kTimeoutMs);
        QTest::mouseClick(console.button(u"startButton"_s), Qt::LeftButton);
        const metrics::RunReport rerun = waitForRun(finished);
        QVERIFY2(rerun.status == "succeeded"_L1, qPrintable(problems(rerun)));
        QCOMPARE(rerun.config.mode, u"incremental"_s);
        const QString difference =
            test::compareAllReplicas(*console.simulator, console.database.conninfo());
        QVERIFY2(difference.isEmpty(), qPrintable(difference));
    }

    void retryFailedFetchesWhatFailedBatchesLeftOut() {
        // The feed refuses every child query (400): every child batch fails (three attempts
        // each) while Property is stored. (A refused `in` no longer fails a batch: the sync
        // switches to `or` chains.)
        sim::FaultOptions refused;
        refused.refusedResources = {Resource::Media, Resource::PropertyRooms, Resource::OpenHouse};
        Console console(refused);
        QVERIFY2(console.ready(), qPrintable(console.problem()));
        QSignalSpy finished(console.runView(), &RunView::runFinished);
        console.startSmallFullRun();
        const metrics::RunReport failed = waitForRun(finished);
        QCOMPARE(failed.status, u"failed"_s);
        QVERIFY(failed.metrics.progress(Resource::Property).done);
        QVERIFY(test::compareReplica(*console.simulator, console.database.conninfo(),
                                     Resource::Property)
                    .isEmpty());

        // Each failed batch is listed with its resource, number and listings.
        auto *problemList = console.child<ui::ProblemList>(u"problemList"_s);
        QVERIFY(problemList->problemCount() > 0);
        bool namesABatch = false;
        for (int row = 0; row < problemList->topLevelItemCount(); ++row) {
            const QTreeWidgetItem *item = problemList->topLevelItem(row);
            namesABatch = namesABatch || (item->text(2) == "Media"_L1 &&
                                          item->text(3).contains(u"Media batch 1 (40 listings"_s) &&
                                          item->text(3).contains(u"failed after 3 attempts"_s));
        }
        QVERIFY2(namesABatch, qPrintable(problemList->rowsText(
                                  problemList->findItems(u"*"_s, Qt::MatchWildcard, 3))));
        QToolButton *retry = console.button(u"retryButton"_s);
        QVERIFY(retry->isEnabled());
        QVERIFY2(retry->toolTip().contains(u"Media, PropertyRooms, OpenHouse"_s),
                 qPrintable(retry->toolTip()));

        // The feed recovers; Retry failed runs the children incrementally and fills the gaps.
        console.simulator->setFaults({});
        console.simulator->resetStats();
        QTest::mouseClick(retry, Qt::LeftButton);
        const metrics::RunReport retried = waitForRun(finished);
        QVERIFY2(retried.status == "succeeded"_L1, qPrintable(problems(retried)));
        QCOMPARE(retried.config.mode, u"incremental"_s);
        QCOMPARE(retried.config.resources,
                 QStringList({u"Media"_s, u"PropertyRooms"_s, u"OpenHouse"_s}));
        QCOMPARE(console.simulator->stats().requestsByResource.value(u"Property"_s), 0);
        QVERIFY(!retry->isEnabled());
        const QString difference =
            test::compareAllReplicas(*console.simulator, console.database.conninfo());
        QVERIFY2(difference.isEmpty(), qPrintable(difference));
    }

    void closingTheWindowDuringARunAsksThenCancels() {
        Console console(slowFeed(40));
        QVERIFY2(console.ready(), qPrintable(console.problem()));
        console.startSmallFullRun();
        QTRY_VERIFY_WITH_TIMEOUT(console.fetched(Resource::Media) > 100, kTimeoutMs);

        // "Keep running" keeps the window and the run.
        QVERIFY(!console.window->close());
        auto *question = console.child<QMessageBox>(u"closeDuringRunQuestion"_s);
        QTRY_VERIFY(question->isVisible());
        QTest::mouseClick(console.child<QPushButton>(u"keepRunningButton"_s), Qt::LeftButton);
        QTRY_VERIFY(!console.window->findChild<QMessageBox *>(u"closeDuringRunQuestion"_s));
        QVERIFY(console.window->isVisible());
        QVERIFY(console.runView()->isRunning());

        // "Cancel run and close" stops the run, then the window closes.
        QVERIFY(!console.window->close());
        QTRY_VERIFY(console.window->findChild<QMessageBox *>(u"closeDuringRunQuestion"_s));
        QTest::mouseClick(console.child<QPushButton>(u"cancelRunAndCloseButton"_s), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!console.window->isVisible(), kTimeoutMs);
        QVERIFY(!console.runView()->isRunning());
        QCOMPARE(console.runStatus(), u"cancelled"_s);
    }
};

QTEST_MAIN(TestConsoleRun)
#include "tst_consolerun.moc"
