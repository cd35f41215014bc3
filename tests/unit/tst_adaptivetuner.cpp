// The adaptive tuner's rules, fed with synthetic snapshots: it backs off when the feed pushes
// back, keeps a step only when throughput rose, puts a useless step back, and never leaves the
// profile's limits.
#include "sync/AdaptiveTuner.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace resosync;
using sync::AdaptiveTuner;
using sync::SyncSettings;

namespace {

constexpr auto kMedia = std::size_t(reso::Resource::Media);

/// A cumulative snapshot stream: each window adds `requests` and `records` over 2 s.
class Feed {
public:
    metrics::MetricsSnapshot next(double recordsPerSecond, qint64 requests = 10,
                                  qint64 rateLimited = 0, qint64 failed = 0) {
        m_snapshot.elapsedMs += AdaptiveTuner::kWindowMs;
        m_snapshot.api.requests += requests;
        m_snapshot.api.rateLimited += rateLimited;
        m_snapshot.api.failed += failed;
        m_snapshot.resources[kMedia].fetched +=
            qint64(recordsPerSecond * double(AdaptiveTuner::kWindowMs) / 1000.0);
        return m_snapshot;
    }

private:
    metrics::MetricsSnapshot m_snapshot;
};

reso::FeedProfile profile() {
    reso::FeedProfile p = *reso::FeedProfile::byName(u"simulator"_s);
    p.maxConcurrency = 6;
    return p;
}

SyncSettings unthrottled() {
    SyncSettings s = SyncSettings::fromProfile(profile());
    s.throttleMs = 0;
    return s;
}

/// Runs windows until the tuner proposes something (at most `limit`).
std::optional<sync::TunerDecision> untilDecision(AdaptiveTuner &tuner, Feed &feed, double rate,
                                                 int limit = 5) {
    for (int i = 0; i < limit; ++i) {
        if (auto d = tuner.observe(feed.next(rate), 100))
            return d;
    }
    return std::nullopt;
}

} // namespace

class TestAdaptiveTuner : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void firstWindowOnlyObserves() {
        AdaptiveTuner tuner(profile(), unthrottled());
        Feed feed;
        QVERIFY(!tuner.observe(feed.next(1000), 100));
        // Too soon after the last look: nothing either.
        metrics::MetricsSnapshot early = feed.next(1000);
        early.elapsedMs -= AdaptiveTuner::kWindowMs / 2;
        QVERIFY(!tuner.observe(early, 100));
    }

    void keepsAStepThatHelpsAndTriesAgain() {
        AdaptiveTuner tuner(profile(), unthrottled());
        Feed feed;
        const auto first = untilDecision(tuner, feed, 1000);
        QVERIFY(first);
        QCOMPARE(first->settings.concurrency, 4); // throttle is 0 already: concurrency next
        QVERIFY(first->reason.contains(u"concurrency"_s));
        QVERIFY(!tuner.observe(feed.next(1100), 100));           // the window the change landed in
        const auto second = tuner.observe(feed.next(1100), 100); // +10%: kept, once more
        QVERIFY(second);
        QCOMPARE(second->settings.concurrency, 5);
    }

    void putsBackAStepThatDidNotHelp() {
        AdaptiveTuner tuner(profile(), unthrottled());
        Feed feed;
        QVERIFY(untilDecision(tuner, feed, 1000));
        QVERIFY(!tuner.observe(feed.next(1000), 100));
        const auto back = tuner.observe(feed.next(1010), 100); // +1%: below the 3% bar
        QVERIFY(back);
        QCOMPARE(back->settings.concurrency, 3);
        QVERIFY(back->reason.contains(u"did not help"_s));
        // Concurrency rests; the next try is another knob.
        const auto next = untilDecision(tuner, feed, 1000);
        QVERIFY(next);
        QCOMPARE(next->settings.concurrency, 3);
        QCOMPARE(next->settings.dbBatchSize, 200);
    }

    void backsOffOn429() {
        SyncSettings start = unthrottled();
        start.concurrency = 6;
        AdaptiveTuner tuner(profile(), start);
        Feed feed;
        tuner.observe(feed.next(1000), 100);
        tuner.observe(feed.next(1000), 100);
        const auto d = tuner.observe(feed.next(500, 10, 3), 100);
        QVERIFY(d);
        QCOMPARE(d->settings.concurrency, 3);
        QCOMPARE(d->settings.throttleMs, 250);
        QVERIFY(d->reason.contains(u"429"_s));
        // Another 429 window: halves again, throttle doubles.
        const auto again = tuner.observe(feed.next(500, 10, 1), 100);
        QVERIFY(again);
        QCOMPARE(again->settings.concurrency, 1);
        QCOMPARE(again->settings.throttleMs, 500);
    }

    void backsOffOnErrorsAndSlowAnswers() {
        AdaptiveTuner tuner(profile(), unthrottled());
        Feed feed;
        tuner.observe(feed.next(1000), 100);
        const auto failing = tuner.observe(feed.next(1000, 20, 0, 2), 100); // 10% failed
        QVERIFY(failing);
        QVERIFY(failing->reason.contains(u"failed"_s));
        QCOMPARE(failing->settings.batchSize, unthrottled().batchSize);

        AdaptiveTuner slowTuner(profile(), unthrottled());
        Feed slowFeed;
        slowTuner.observe(slowFeed.next(1000), 100);
        const double slowP95 = 0.6 * double(profile().requestTimeoutMs);
        const auto slow = slowTuner.observe(slowFeed.next(1000), slowP95);
        QVERIFY(slow);
        QCOMPARE(slow->settings.batchSize, unthrottled().batchSize / 2);
        QVERIFY(slow->reason.contains(u"p95"_s));
    }

    void neverLeavesTheProfilesLimits() {
        AdaptiveTuner tuner(profile(), unthrottled());
        Feed feed;
        double rate = 1000;
        SyncSettings last = unthrottled();
        for (int i = 0; i < 200; ++i) {
            rate *= 1.1; // every step "helps": the tuner climbs as far as it may
            if (auto d = tuner.observe(feed.next(rate), 100))
                last = d->settings;
            QVERIFY2(last.validate(profile()).isEmpty(), qPrintable(last.validate(profile())));
        }
        QCOMPARE(last.concurrency, profile().maxConcurrency);
        QCOMPARE(last.batchSize, profile().maxTop);
        QVERIFY(last.dbBatchSize <= last.batchSize);
    }

    void aManualChangeRestartsFromIt() {
        AdaptiveTuner tuner(profile(), unthrottled());
        Feed feed;
        QVERIFY(untilDecision(tuner, feed, 1000));
        SyncSettings manual = unthrottled();
        manual.concurrency = 2;
        tuner.setSettings(manual);
        QCOMPARE(tuner.settings().concurrency, 2);
        // No verdict on the abandoned trial: the next change starts from the manual settings.
        const auto next = untilDecision(tuner, feed, 1000);
        QVERIFY(next);
        QCOMPARE(next->settings.concurrency, 3);
    }

    void anotherResourceStartsOver() {
        AdaptiveTuner tuner(profile(), unthrottled());
        Feed feed;
        QVERIFY(untilDecision(tuner, feed, 1000));
        // Media done, rooms start: the pending trial is dropped, no verdict, no change.
        metrics::MetricsSnapshot s = feed.next(1000);
        s.resources[kMedia].done = true;
        s.resources[std::size_t(reso::Resource::PropertyRooms)].fetched = 100;
        QVERIFY(!tuner.observe(s, 100));
    }
};

QTEST_GUILESS_MAIN(TestAdaptiveTuner)
#include "tst_adaptivetuner.moc"
