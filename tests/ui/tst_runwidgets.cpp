// The run view's small widgets on their own, fed as the engine and the recorder feed them:
// the log's filters, bound and copy; the problem list's copy; the progress bars' totals.
#include "LogPane.h"
#include "ProblemList.h"
#include "ResourceProgressView.h"
#include "RunControls.h"
#include "RunView.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace resosync;
using reso::Resource;
using sync::LogLevel;

namespace {

template<typename T> T *childOf(const QWidget &parent, const QString &name) {
    T *found = parent.findChild<T *>(name);
    if (!found)
        qFatal("No widget named %s", qPrintable(name));
    return found;
}

metrics::MetricsSnapshot snapshotAt(qint64 elapsedMs) {
    metrics::MetricsSnapshot snapshot;
    snapshot.elapsedMs = elapsedMs;
    return snapshot;
}

} // namespace

class TestRunWidgets final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void logFiltersByLevelResourceAndText() {
        ui::LogPane log;
        log.append(LogLevel::Info, u"Media"_s, u"12 listings to visit"_s);
        log.append(LogLevel::Warning, u"Media"_s, u"Batch 2 failed on attempt 1: HTTP 503"_s);
        log.append(LogLevel::Error, u"OpenHouse"_s, u"OpenHouse batch 1 failed after 3 attempts"_s);
        log.append(LogLevel::Info, QString(), u"Settings changed: batch size 25 -> 10"_s);
        QCOMPARE(log.visibleText().count(u'\n'), 3); // four lines, all shown

        auto *level = childOf<QComboBox>(log, u"logLevelFilter"_s);
        auto *resource = childOf<QComboBox>(log, u"logResourceFilter"_s);
        auto *search = childOf<QLineEdit>(log, u"logSearch"_s);
        level->setCurrentIndex(1); // warnings and errors
        QString shown = log.visibleText();
        QVERIFY(!shown.contains(u"listings to visit"_s));
        QVERIFY(shown.contains(u"HTTP 503"_s) && shown.contains(u"after 3 attempts"_s));
        level->setCurrentIndex(2); // errors
        QVERIFY(!log.visibleText().contains(u"HTTP 503"_s));
        level->setCurrentIndex(0);
        resource->setCurrentText(u"Media"_s);
        shown = log.visibleText();
        QVERIFY(shown.contains(u"listings to visit"_s) && shown.contains(u"HTTP 503"_s));
        QVERIFY(!shown.contains(u"OpenHouse batch"_s));
        resource->setCurrentIndex(1); // lines of the run as a whole
        QVERIFY(log.visibleText().contains(u"batch size 25 -> 10"_s));
        QVERIFY(!log.visibleText().contains(u"Media"_s));
        resource->setCurrentIndex(0);
        QTest::keyClicks(search, u"ATTEMPT"_s);
        shown = log.visibleText();
        QCOMPARE(shown.count(u'\n'), 1);
        QVERIFY(shown.contains(u"HTTP 503"_s) && shown.contains(u"after 3 attempts"_s));

        // Lines arriving while a filter is set show only if they match.
        log.append(LogLevel::Info, u"Property"_s, u"no match here"_s);
        log.append(LogLevel::Warning, u"Property"_s, u"Page unusable on attempt 2"_s);
        QVERIFY(log.visibleText().contains(u"attempt 2"_s));
        QVERIFY(!log.visibleText().contains(u"no match here"_s));

        QTest::mouseClick(childOf<QPushButton>(log, u"logCopyAll"_s), Qt::LeftButton);
        QCOMPARE(QApplication::clipboard()->text(), log.visibleText());
    }

    void logKeepsTheLastLinesOnly() {
        ui::LogPane log;
        for (int i = 0; i < ui::LogPane::kMaxLines + 500; ++i)
            log.append(LogLevel::Info, QString(), u"line %1"_s.arg(i));
        QCOMPARE(log.lineCount(), ui::LogPane::kMaxLines);
        QTest::qWait(2 * ui::LogPane::kFlushMs); // the batch is shown
        const QString shown = log.visibleText();
        QCOMPARE(shown.count(u'\n') + 1, ui::LogPane::kMaxLines);
        QVERIFY(!shown.contains(u"line 499\n"_s));
        QVERIFY(shown.contains(u"line 500\n"_s));
        QVERIFY(shown.endsWith(u"line %1"_s.arg(ui::LogPane::kMaxLines + 499)));
    }

    void problemsAreListedOnceAndCopyAsRows() {
        ui::ProblemList problems;
        problems.addProblem(LogLevel::Error, u"Media"_s,
                            u"Media batch 3 failed after 3 attempts"_s);
        problems.addProblem(LogLevel::Warning, u"Media"_s, u"Batch 4 failed on attempt 1"_s);
        // The report repeats what was logged: not listed twice.
        problems.addReportProblems(
            {u"Media batch 3 failed after 3 attempts"_s, u"The run's record could not be saved"_s});
        QCOMPARE(problems.problemCount(), 3);
        QCOMPARE(problems.topLevelItem(2)->text(2), u"run"_s);
        problems.topLevelItem(1)->setSelected(true);
        problems.topLevelItem(0)->setSelected(true);
        problems.setFocus();
        problems.actions().first()->trigger();
        const QStringList rows = QApplication::clipboard()->text().split(u'\n');
        QCOMPARE(rows.size(), 2);
        QVERIFY(rows[0].endsWith(u"\terror\tMedia\tMedia batch 3 failed after 3 attempts"_s));
        QVERIFY(rows[1].endsWith(u"\twarning\tMedia\tBatch 4 failed on attempt 1"_s));
        problems.clearProblems();
        QCOMPARE(problems.problemCount(), 0);

        // A storm of warnings: the list stops at its bound and counts the rest in one row.
        for (int i = 0; i < ui::ProblemList::kMaxProblems + 3; ++i)
            problems.addProblem(LogLevel::Warning, u"Media"_s, u"warning %1"_s.arg(i));
        QCOMPARE(problems.problemCount(), ui::ProblemList::kMaxProblems + 1);
        QCOMPARE(problems.topLevelItem(ui::ProblemList::kMaxProblems)->text(3),
                 u"… and 3 more problems: see the log"_s);
    }

    void progressBarsKnowTheirTotals() {
        ui::ResourceProgressView view;
        view.begin({Resource::Property, Resource::Media});
        auto *property = childOf<QProgressBar>(view, u"progress_Property"_s);
        auto *media = childOf<QProgressBar>(view, u"progress_Media"_s);
        auto *rooms = childOf<QProgressBar>(view, u"progress_PropertyRooms"_s);
        QVERIFY(!rooms->isEnabled());
        QCOMPARE(childOf<QLabel>(view, u"detail_PropertyRooms"_s)->text(), u"not in this run"_s);

        // Records arrive before the feed's count is known: indeterminate.
        metrics::MetricsSnapshot s = snapshotAt(1000);
        s.resources[0].fetched = 100;
        view.showSnapshot(s);
        QCOMPARE(property->maximum(), 0);
        // The count arrives: 400 of 1,000 at 300 records/s over the last second.
        s = snapshotAt(2000);
        s.resources[0].fetched = 400;
        s.resources[0].expected = 1000;
        view.showSnapshot(s);
        QCOMPARE(property->maximum(), 1000);
        QCOMPARE(property->value(), 400);
        const QString detail = childOf<QLabel>(view, u"detail_Property"_s)->text();
        QVERIFY2(detail.contains(u"300 records/s"_s) && detail.contains(u"ETA 0:02"_s),
                 qPrintable(detail));

        // Children count listings from the engine, records from the recorder.
        view.showUnits(Resource::Media, 50, 200, u"listings"_s);
        s.resources[1].fetched = 1250;
        view.showSnapshot(s);
        QCOMPARE(media->maximum(), 200);
        QCOMPARE(media->value(), 50);
        QVERIFY(childOf<QLabel>(view, u"detail_Media"_s)->text().contains(u"1,250 records"_s));
        view.showUnits(Resource::Media, 200, 200, u"listings"_s);
        s = snapshotAt(3000);
        s.resources[1].fetched = 5000;
        s.resources[1].done = true;
        view.showSnapshot(s);
        QCOMPARE(media->value(), media->maximum());
        QVERIFY(childOf<QLabel>(view, u"detail_Media"_s)->text().endsWith(u"done"_s));
    }

    void runViewSplittersRoundTrip() {
        ui::RunView first;
        first.resize(1200, 900);
        first.show();
        QVERIFY(QTest::qWaitForWindowExposed(&first));
        auto *split = childOf<QSplitter>(first, u"runSplitter"_s);
        split->setSizes({300, 0, 500});
        const QList<int> chosen = split->sizes();
        const QByteArray state = first.saveState();

        ui::RunView second;
        second.resize(1200, 900);
        second.show();
        QVERIFY(QTest::qWaitForWindowExposed(&second));
        QVERIFY(!second.restoreState(QByteArray("not a state")));
        QVERIFY(second.restoreState(state));
        QCOMPARE(childOf<QSplitter>(second, u"runSplitter"_s)->sizes(), chosen);
    }

    void controlsEnableByState() {
        ui::RunControls controls;
        const QList<QAction *> actions = controls.runActions();
        QAction *start = actions[0], *pause = actions[1], *cancel = actions[2], *retry = actions[3];
        QVERIFY(start->isEnabled() && !pause->isEnabled() && !cancel->isEnabled() &&
                !retry->isEnabled());
        QCOMPARE(start->shortcuts(),
                 (QList<QKeySequence>{QKeySequence(u"Ctrl+R"_s), QKeySequence(Qt::Key_F9)}));
        QCOMPARE(cancel->shortcut(), QKeySequence(u"Ctrl+."_s));
        controls.setState(ui::RunControls::State::Running);
        QVERIFY(!start->isEnabled() && pause->isEnabled() && cancel->isEnabled());
        controls.setState(ui::RunControls::State::Paused);
        QCOMPARE(pause->text(), u"&Resume"_s);
        controls.setState(ui::RunControls::State::Cancelling);
        QVERIFY(!pause->isEnabled() && !cancel->isEnabled() && !start->isEnabled());
        controls.setState(ui::RunControls::State::Idle);
        controls.setRetryResources({Resource::Media});
        QVERIFY(retry->isEnabled());
        controls.setStartBlocked(u"Batch size 0 is out of range"_s);
        QVERIFY(!start->isEnabled());
        controls.setStartBlocked({});
        for (Resource resource : reso::kAllResources)
            childOf<QCheckBox>(controls, u"resource_"_s + reso::resourceName(resource))
                ->setChecked(false);
        QVERIFY(!start->isEnabled()); // nothing to sync
        childOf<QCheckBox>(controls, u"resource_OpenHouse"_s)->setChecked(true);
        QCOMPARE(controls.resources(), QList<Resource>{Resource::OpenHouse});
        QVERIFY(start->isEnabled());
    }
};

QTEST_MAIN(TestRunWidgets)
#include "tst_runwidgets.moc"
