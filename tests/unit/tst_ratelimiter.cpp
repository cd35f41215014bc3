// The feed client rules, without a network: rate limits, backoff, Retry-After, and the
// checks that tell a complete response from one cut short.
#include "reso/RateLimiter.h"
#include "reso/ResponseCheck.h"
#include "reso/RetryPolicy.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace resosync;
using reso::RateLimiter;
using reso::RateLimits;
using reso::RetryPolicy;

namespace {

/// Starts `count` requests as early as the limiter allows, from t = 0; returns the start times.
QList<qint64> startGreedily(RateLimiter &limiter, int count, qint64 from = 0) {
    QList<qint64> starts;
    qint64 t = from;
    for (int i = 0; i < count; ++i) {
        t = limiter.nextStartMs(t);
        limiter.recordStart(t);
        starts << t;
    }
    return starts;
}

/// Most starts within any window of `windowMs` (half-open, as a vendor's counter).
int busiestWindow(const QList<qint64> &starts, qint64 windowMs) {
    int most = 0;
    qsizetype first = 0;
    for (qsizetype i = 0; i < starts.size(); ++i) {
        while (starts[i] - starts[first] >= windowMs)
            ++first;
        most = std::max(most, int(i - first + 1));
    }
    return most;
}

} // namespace

class TestRateLimiter final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void noLimitsLetEverythingStartAtOnce() {
        RateLimiter limiter;
        QVERIFY(limiter.isUnlimited());
        const QList<qint64> starts = startGreedily(limiter, 100);
        QCOMPARE(starts.last(), 0);
    }

    void perSecondSpreadsRequestsEvenly_data() {
        QTest::addColumn<double>("perSecond");
        QTest::addColumn<qint64>("gapMs");
        QTest::newRow("2 per second (MLS Grid)") << 2.0 << qint64(500);
        QTest::newRow("3 per second (Trestle)") << 3.0 << qint64(334);
        QTest::newRow("half a request per second") << 0.5 << qint64(2000);
    }
    void perSecondSpreadsRequestsEvenly() {
        QFETCH(double, perSecond);
        QFETCH(qint64, gapMs);
        RateLimiter limiter(RateLimits{perSecond, 0, 0, 0});
        const QList<qint64> starts = startGreedily(limiter, 30);
        QCOMPARE(starts.first(), 0);
        for (qsizetype i = 1; i < starts.size(); ++i)
            QVERIFY2(starts[i] - starts[i - 1] >= gapMs - 1,
                     qPrintable(u"gap %1 ms"_s.arg(starts[i] - starts[i - 1])));
        QVERIFY(busiestWindow(starts, 1000) <= std::max(1, int(std::ceil(perSecond))));
    }

    void anIdleBucketDoesNotSaveUpABurst() {
        RateLimiter limiter(RateLimits{2, 0, 0, 0});
        limiter.recordStart(0);
        // A minute idle, then a rush: still one every 500 ms (burst 1).
        const QList<qint64> starts = startGreedily(limiter, 5, 60'000);
        QCOMPARE(starts, (QList<qint64>{60'000, 60'500, 61'000, 61'500, 62'000}));
    }

    void aLargerBurstIsAllowedWhenAsked() {
        RateLimiter limiter(RateLimits{2, 0, 0, 0}, 4);
        const QList<qint64> starts = startGreedily(limiter, 6);
        QCOMPARE(starts.mid(0, 4), (QList<qint64>{0, 0, 0, 0}));
        QCOMPARE(starts[4], 500);
    }

    void hourlyQuotaHoldsInEverySlidingHour() {
        RateLimiter limiter(RateLimits{0, 100, 0, 0});
        const QList<qint64> starts = startGreedily(limiter, 350);
        QCOMPARE(busiestWindow(starts, RateLimiter::kHourMs), 100);
        // The 101st waits until the first has left the window.
        QCOMPARE(starts[100], RateLimiter::kHourMs);
        QCOMPARE(limiter.startsInLastHour(starts.last()), 50); // 300..349, at 3 h
    }

    void dailyQuotaHoldsAlongsideTheOthers() {
        RateLimiter limiter(RateLimits{0, 50, 120, 0});
        const QList<qint64> starts = startGreedily(limiter, 300);
        QCOMPARE(busiestWindow(starts, RateLimiter::kHourMs), 50);
        QCOMPARE(busiestWindow(starts, RateLimiter::kDayMs), 120);
        QCOMPARE(starts[120], RateLimiter::kDayMs);
    }

    void bytesPerHourHoldNewRequestsBack() {
        RateLimiter limiter(RateLimits{0, 0, 0, 1000});
        QCOMPARE(limiter.nextStartMs(0), 0);
        limiter.recordStart(0);
        limiter.recordBytes(10, 600);
        QCOMPARE(limiter.nextStartMs(20), 20); // 600 < 1000: still allowed
        limiter.recordStart(20);
        limiter.recordBytes(30, 600);
        // 1200 bytes in the hour: wait until the first 600 leave it.
        QCOMPARE(limiter.nextStartMs(40), 10 + RateLimiter::kHourMs);
    }

    void backoffDoublesUpToTheCap() {
        const RetryPolicy policy;
        QList<int> delays;
        for (int retry = 1; retry <= 8; ++retry)
            delays << policy.baseDelayMs(retry);
        QCOMPARE(delays, (QList<int>{1000, 2000, 4000, 8000, 16000, 32000, 32000, 32000}));
    }

    void jitterStaysWithinTwentyPercent() {
        const RetryPolicy policy;
        int below = 0, above = 0;
        for (int i = 0; i < 2000; ++i) {
            const int delay = policy.delayMs(3);
            QVERIFY(delay >= 3200 && delay <= 4800);
            below += delay < 4000;
            above += delay > 4000;
        }
        QVERIFY(below > 500 && above > 500); // it does spread
    }

    void retryAfterIsReadAsSecondsOrADate_data() {
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<qint64>("expectedMs");
        QTest::newRow("seconds") << QByteArray("2") << qint64(2000);
        QTest::newRow("seconds with spaces") << QByteArray(" 120 ") << qint64(120'000);
        QTest::newRow("zero") << QByteArray("0") << qint64(0);
        QTest::newRow("an IMF-fixdate 90 s ahead")
            << QByteArray("Tue, 02 Jan 2024 03:05:30 GMT") << qint64(90'000);
        QTest::newRow("an RFC 850 date 90 s ahead")
            << QByteArray("Tuesday, 02-Jan-24 03:05:30 GMT") << qint64(90'000);
        QTest::newRow("an asctime date 90 s ahead")
            << QByteArray("Tue Jan  2 03:05:30 2024") << qint64(90'000);
        QTest::newRow("a date in the past")
            << QByteArray("Mon, 01 Jan 2024 00:00:00 GMT") << qint64(0);
        QTest::newRow("missing") << QByteArray() << qint64(-1);
        QTest::newRow("garbage") << QByteArray("soon") << qint64(-1);
        QTest::newRow("negative") << QByteArray("-5") << qint64(-1);
    }
    void retryAfterIsReadAsSecondsOrADate() {
        QFETCH(QByteArray, value);
        QFETCH(qint64, expectedMs);
        const QDateTime now(QDate(2024, 1, 2), QTime(3, 4, 0), Qt::UTC);
        const auto parsed = RetryPolicy::parseRetryAfter(value, now);
        QCOMPARE(parsed.value_or(-1), expectedMs);
    }

    void completeJsonIsToldFromACutBody_data() {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<bool>("complete");
        const QByteArray page = "{\"@odata.context\":\"x\",\"value\":[{\"ListingKey\":\"L1\","
                                "\"PublicRemarks\":\"a \\\"quoted\\\" } brace\"},"
                                "{\"ListingKey\":\"L2\",\"PublicRemarks\":\"back\\\\slash\\\\\"}],"
                                "\"@odata.nextLink\":\"http://h/odata/Property?$skip=2\"}";
        QTest::newRow("a whole page") << page << true;
        QTest::newRow("a whole page with trailing whitespace") << page + "\r\n" << true;
        QTest::newRow("an array") << QByteArray("[1,2,{\"a\":[]}]") << true;
        QTest::newRow("empty") << QByteArray() << false;
        QTest::newRow("whitespace only") << QByteArray("  \n") << false;
        QTest::newRow("not JSON") << QByteArray("<html></html>") << false;
        QTest::newRow("trailing garbage") << page + "}" << false;
        QTest::newRow("cut inside an escape") << QByteArray("{\"a\":\"x\\") << false;
        for (qsizetype cut : {qsizetype(1), page.size() / 3, page.size() / 2, page.size() - 1})
            QTest::addRow("cut after %lld of %lld bytes", qlonglong(cut), qlonglong(page.size()))
                << page.left(cut) << false;
        // Cut right after a record's closing brace, where a naive "ends with }" check passes.
        const qsizetype afterRecord = page.indexOf("},") + 1;
        QTest::newRow("cut right after a record") << page.left(afterRecord) << false;
    }
    void completeJsonIsToldFromACutBody() {
        QFETCH(QByteArray, body);
        QFETCH(bool, complete);
        QCOMPARE(reso::isCompleteJson(body), complete);
    }

    void odataErrorMessagesAreExtracted_data() {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("message");
        QTest::newRow("OData error")
            << QByteArray(
                   "{\"error\":{\"code\":\"BadRequest\",\"message\":\"Unknown field 'Nope'\"}}")
            << u"Unknown field 'Nope'"_s;
        QTest::newRow("OData error without a message")
            << QByteArray("{\"error\":{\"code\":\"BadRequest\"}}") << u"BadRequest"_s;
        QTest::newRow("OAuth2 error")
            << QByteArray("{\"error\":\"invalid_client\",\"error_description\":\"unknown client\"}")
            << u"invalid_client: unknown client"_s;
        QTest::newRow("not JSON") << QByteArray("Bad Gateway") << QString();
        QTest::newRow("a page") << QByteArray("{\"value\":[]}") << QString();
    }
    void odataErrorMessagesAreExtracted() {
        QFETCH(QByteArray, body);
        QFETCH(QString, message);
        QCOMPARE(reso::odataErrorMessage(body), message);
    }
};

QTEST_GUILESS_MAIN(TestRateLimiter)
#include "tst_ratelimiter.moc"
