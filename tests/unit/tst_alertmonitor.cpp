// Alerts fire once per crossing, re-arm only well below the line, and judge error rates over
// enough requests to mean something.
#include "metrics/AlertMonitor.h"

#include <QTest>

using namespace Qt::StringLiterals;
using resosync::metrics::AlertMonitor;
using resosync::metrics::AlertThresholds;
using resosync::metrics::MetricsSnapshot;

namespace {

MetricsSnapshot at(qint64 ms, qint64 requests = 0, qint64 failed = 0, double rssMb = 50) {
    MetricsSnapshot s;
    s.elapsedMs = ms;
    s.api.requests = requests;
    s.api.failed = failed;
    s.memory.currentMb = rssMb;
    return s;
}

} // namespace

class TestAlertMonitor : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void latencyFiresOnceAndRearmsBelowNinetyPercent() {
        AlertMonitor monitor(AlertThresholds{1000, 0, 0});
        QVERIFY(monitor.observe(at(250), 900).isEmpty());
        const QStringList fired = monitor.observe(at(500), 1500);
        QCOMPARE(fired.size(), 1);
        QCOMPARE(fired.first(), u"alert: p95 API latency 1500 ms > 1000 ms"_s);
        QVERIFY(monitor.observe(at(750), 1600).isEmpty());  // still over: no repeat
        QVERIFY(monitor.observe(at(1000), 950).isEmpty());  // under, but not under 900
        QVERIFY(monitor.observe(at(1250), 1200).isEmpty()); // so no second alert
        QVERIFY(monitor.observe(at(1500), 800).isEmpty());  // re-armed
        QCOMPARE(monitor.observe(at(1750), 1200).size(), 1);
    }

    void errorRateNeedsEnoughRequests() {
        AlertMonitor monitor(AlertThresholds{0, 5, 0});
        QVERIFY(monitor.observe(at(0), 0).isEmpty());
        // 3 requests, 2 failed, after 5 s: too few to judge
        QVERIFY(monitor.observe(at(5000, 3, 2), 0).isEmpty());
        // 20 more, 4 failed: 20% over the next interval
        const QStringList fired = monitor.observe(at(6000, 23, 6), 0);
        QCOMPARE(fired.size(), 1);
        QVERIFY2(fired.first().startsWith(u"alert: 20% of the last 20 requests"_s),
                 qPrintable(fired.first()));
    }

    void retriesCountAsErrors() {
        AlertMonitor monitor(AlertThresholds{0, 5, 0});
        monitor.observe(at(0), 0);
        MetricsSnapshot s = at(1000, 20);
        s.api.retries = 2;
        QCOMPARE(monitor.observe(s, 0).size(), 1);
    }

    void memoryAndTurnedOffChecks() {
        AlertMonitor monitor(AlertThresholds{0, 0, 100});
        QVERIFY(monitor.observe(at(0, 0, 0, 99), 99999).isEmpty()); // latency check off
        const QStringList fired = monitor.observe(at(250, 100, 100, 120), 99999);
        QCOMPARE(fired, QStringList{u"alert: memory 120 MB > 100 MB"_s}); // error check off
    }

    void newThresholdsRearm() {
        AlertMonitor monitor(AlertThresholds{1000, 0, 0});
        QCOMPARE(monitor.observe(at(0), 1500).size(), 1);
        monitor.setThresholds(AlertThresholds{1200, 0, 0});
        QCOMPARE(monitor.observe(at(250), 1500).size(), 1);
    }
};

QTEST_GUILESS_MAIN(TestAlertMonitor)
#include "tst_alertmonitor.moc"
