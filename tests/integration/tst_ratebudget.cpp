// Client-side rate limits hold across a restart (issue #6): two `resosync-cli sync` processes
// one after the other share the profile's per-second and hourly (or daily) budget, because
// the requests each spends are kept in the database (resosync.feed_requests). Measured
// against the simulator, which enforces the same limits itself and counts every refusal.
#include "ReplicaCheck.h"
#include "SimulatorFixture.h"
#include "SyncHarness.h"
#include "TestDatabase.h"
#include "sim/FeedSimulator.h"

#include <QProcess>
#include <QTest>

#include <csignal>

using namespace Qt::StringLiterals;
using namespace resosync;

namespace {

constexpr int kPerSecond = 4;
constexpr int kBudget = 12;

QStringList syncArgs(const QUrl &feed, const QString &conninfo, const QString &window) {
    return test::cliSyncArguments(feed, conninfo, u"full"_s,
                                  {u"--batch-size"_s, u"100"_s, u"--requests-per-second"_s,
                                   QString::number(kPerSecond), u"--requests-per-"_s + window,
                                   QString::number(kBudget)});
}

/// The most requests the simulator received within any `windowMs`.
int busiestWindow(const QList<sim::RequestLogEntry> &log, qint64 windowMs) {
    int most = 0;
    qsizetype first = 0;
    for (qsizetype last = 0; last < log.size(); ++last) {
        while (log[last].atMs - log[first].atMs >= windowMs)
            ++first;
        most = std::max(most, int(last - first + 1));
    }
    return most;
}

} // namespace

class TestRateBudget final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void theBudgetHoldsAcrossProcesses_data() {
        QTest::addColumn<QString>("window");
        QTest::newRow("requests per hour") << u"hour"_s;
        QTest::newRow("requests per day") << u"day"_s;
    }
    void theBudgetHoldsAcrossProcesses() {
        QFETCH(QString, window);
        test::TestDatabase db(u"ratebudget_"_s + window);
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        QCOMPARE(test::applySchema(db.conninfo()), QString());
        sim::SimulatorOptions o;
        o.seed = 19;
        o.logRequests = true; // arrival times, for the per-second check
        o.properties = 20;
        // The vendor enforces what the profile says: past it, 429 with a Retry-After of up to
        // an hour or a day, which the client treats as a spent quota and fails on.
        o.faults.requestsPerSecond = kPerSecond;
        (window == "hour"_L1 ? o.faults.requestsPerHour : o.faults.requestsPerDay) = kBudget;
        auto simulator = test::startSimulator(o);
        QTest::qWait(1100); // the vendor's per-second bucket is full when a session starts
        const QString cli = qEnvironmentVariable("RESOSYNC_CLI");

        // The first process syncs everything within the budget.
        QProcess first;
        first.start(cli, syncArgs(simulator->baseUrl(), db.conninfo(), window));
        QVERIFY(first.waitForFinished(60'000));
        QVERIFY2(first.exitCode() == 0, first.readAllStandardError().constData());
        const qint64 spent = simulator->stats().requests;
        QVERIFY2(spent < kBudget && 2 * spent > kBudget, qPrintable(QString::number(spent)));
        QCOMPARE(
            test::queryValue(db.conninfo(), u"SELECT sum(requests) FROM resosync.feed_requests"_s),
            QString::number(spent));

        // The second process, a full load again, may only spend what is left, then waits.
        QProcess second;
        second.start(cli, syncArgs(simulator->baseUrl(), db.conninfo(), window));
        QTRY_COMPARE_WITH_TIMEOUT(simulator->stats().requests, qint64(kBudget), 30'000);
        QTest::qWait(2000);
        QCOMPARE(second.state(), QProcess::Running); // waiting for the window, not failing
        QCOMPARE(simulator->stats().requests, qint64(kBudget));
        ::kill(pid_t(second.processId()), SIGTERM); // a person stops it: it cancels cleanly
        QVERIFY(second.waitForFinished(30'000));
        const QString err = QString::fromUtf8(second.readAllStandardError());
        QVERIFY2(err.contains(u"limit of %1 requests per %2 is used up"_s.arg(kBudget).arg(window)),
                 qPrintable(err));

        // Measured by the vendor: no refusal, and never more than allowed in any window.
        const sim::SimulatorStats served = simulator->stats();
        QCOMPARE(served.quotaRefused, 0);
        QCOMPARE(served.rateLimited, 0);
        QCOMPARE(served.requests, qint64(kBudget));
        // The client spaces its starts 1000/kPerSecond ms apart; the vendor logs arrivals, which
        // jitter around that spacing (a new connection, a busy simulator thread; under the
        // sanitizers CI once saw 5 arrivals within 970 ms, with the vendor's bucket unbroken). One
        // late arrival followed by punctual ones puts kPerSecond + 1 into a window a little shorter
        // than a second, so the window allows 100 ms of jitter: still fails any burst, or spacing
        // 11% too tight.
        const int busiest = busiestWindow(served.requestLog, 1000 - 100);
        QVERIFY2(busiest <= kPerSecond, qPrintable(QString::number(busiest)));
        qInfo("rate budget per %s across two processes: %lld requests (limit %d), at most %d "
              "in any second (limit %d), %lld 429s",
              qPrintable(window), served.requests, kBudget, busiest, kPerSecond,
              served.rateLimited + served.quotaRefused);
    }
};

QTEST_GUILESS_MAIN(TestRateBudget)
#include "tst_ratebudget.moc"
