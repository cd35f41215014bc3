// The feed client against the real simulator over HTTP: retries, rate limits, auth, throttle,
// cancellation, and the messages a person gets when it gives up.
#include "SimulatorFixture.h"
#include "metrics/MetricsRecorder.h"
#include "reso/FeedClient.h"
#include "reso/QueryUrl.h"
#include "sim/FeedSimulator.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpServer>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace resosync;
using reso::FeedClient;
using reso::FetchError;
using reso::FetchResult;
using test::startSimulator;

namespace {

constexpr int kProperties = 300;

sim::SimulatorOptions defaults() {
    sim::SimulatorOptions o;
    o.seed = 5;
    o.properties = kProperties;
    return o;
}

/// The simulator profile: no client-side limits, no throttle, no auth.
reso::FeedProfile simulatorProfile() {
    reso::FeedProfile profile = *reso::FeedProfile::byName(u"simulator"_s);
    profile.throttleMs = 0;
    profile.limits = {};
    return profile;
}

QUrl propertyPage(const sim::FeedSimulator &simulator, int top = 5) {
    return reso::queryUrl(simulator.baseUrl(), u"Property", {{u"$top"_s, QString::number(top)}});
}

int recordsIn(const QByteArray &body) {
    return int(QJsonDocument::fromJson(body).object().value(u"value"_s).toArray().size());
}

/// Gathers callbacks with the time each arrived. Declare it before the client, so it outlives
/// the client's callbacks.
struct Results {
    QList<FetchResult> results;
    QList<qint64> atMs;
    QElapsedTimer clock;

    Results() { clock.start(); }
    FeedClient::Callback collect() {
        return [this](const FetchResult &r) {
            results << r;
            atMs << clock.elapsed();
        };
    }
    int size() const { return int(results.size()); }
    int okCount() const {
        return int(std::count_if(results.begin(), results.end(),
                                 [](const FetchResult &r) { return r.ok(); }));
    }
    int retries() const {
        int n = 0;
        for (const FetchResult &r : results)
            n += r.attempts - 1;
        return n;
    }
};

QString describe(const FetchResult &r) {
    return u"%1 (status %2, %3 attempts): %4"_s.arg(reso::fetchErrorName(r.error))
        .arg(r.status)
        .arg(r.attempts)
        .arg(r.message);
}

} // namespace

class TestFeedClient final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void aGzipPageArrivesDecodedAndIsRecorded() {
        auto simulator = startSimulator(defaults());
        metrics::MetricsRecorder recorder;
        Results r;
        reso::FeedProfile vendorLike = simulatorProfile();
        vendorLike.compressResponses = true; // as every vendor profile has it
        FeedClient client(vendorLike, {}, &recorder);
        client.get(propertyPage(*simulator, 200), r.collect());
        QCOMPARE(client.pending(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(r.size(), 1, 10'000);
        const FetchResult &result = r.results.first();
        QVERIFY2(result.ok(), qPrintable(describe(result)));
        QCOMPARE(result.status, 200);
        QCOMPARE(result.attempts, 1);
        QVERIFY(result.message.isEmpty());
        QVERIFY(result.elapsedMs > 0);
        QCOMPARE(recordsIn(result.body), 200);
        // QNAM negotiated gzip itself and handed over the decoded body.
        QCOMPARE(simulator->stats().gzipped, 1);
        QVERIFY(simulator->stats().bytesSent < result.body.size());
        QCOMPARE(client.pending(), 0);
        const metrics::MetricsSnapshot snapshot = recorder.snapshot();
        QCOMPARE(snapshot.api.requests, 1);
        QCOMPARE(snapshot.api.succeeded, 1);
        QCOMPARE(snapshot.api.retries, 0);
        QCOMPARE(snapshot.api.bytes, qint64(result.body.size()));
    }

    void aLoopbackFeedIsFetchedUncompressed() {
        // The simulator profile turns gzip off: on one machine it would only cost CPU.
        QVERIFY(!simulatorProfile().compressResponses);
        auto simulator = startSimulator(defaults());
        Results r;
        FeedClient client(simulatorProfile(), {}, nullptr);
        client.get(propertyPage(*simulator, 200), r.collect());
        QTRY_COMPARE_WITH_TIMEOUT(r.size(), 1, 10'000);
        const FetchResult &result = r.results.first();
        QVERIFY2(result.ok(), qPrintable(describe(result)));
        QCOMPARE(recordsIn(result.body), 200);
        QCOMPARE(simulator->stats().gzipped, 0);
        QCOMPARE(simulator->stats().bytesSent, qint64(result.body.size()));
    }

    void maxPageSizeIsAskedForWhenTheProfileSaysSo() {
        auto simulator = startSimulator(defaults());
        reso::FeedProfile profile = simulatorProfile();
        profile.sendMaxPageSize = true;
        profile.batchSize = 7;
        Results r;
        FeedClient client(profile, {}, nullptr);
        client.get(reso::queryUrl(simulator->baseUrl(), u"Property", {}), r.collect());
        QTRY_COMPARE_WITH_TIMEOUT(r.size(), 1, 10'000);
        QVERIFY2(r.results.first().ok(), qPrintable(describe(r.results.first())));
        QCOMPARE(recordsIn(r.results.first().body), 7);
    }

    void theClientKeepsUnderTheVendorsRateLimit() {
        sim::SimulatorOptions o = defaults();
        o.faults.requestsPerSecond = 2;
        o.faults.sendRetryAfter = true;
        auto simulator = startSimulator(o);
        reso::FeedProfile profile = simulatorProfile();
        profile.limits.perSecond = 2; // as the vendor publishes
        Results r;
        FeedClient client(profile, {}, nullptr);
        for (int i = 0; i < 8; ++i)
            client.get(propertyPage(*simulator), r.collect());
        QTRY_COMPARE_WITH_TIMEOUT(r.size(), 8, 20'000);
        QCOMPARE(r.okCount(), 8);
        // The simulator's bucket starts empty, so the very first request may meet a 429 (and
        // its Retry-After pauses everything); after that the client's own limiter holds.
        const sim::SimulatorStats stats = simulator->stats();
        QVERIFY2(stats.rateLimited <= 1, qPrintable(u"%1 429s"_s.arg(stats.rateLimited)));
        QCOMPARE(stats.requests, 8 + stats.rateLimited);
        QCOMPARE(r.retries(), int(stats.rateLimited));
        // Eight requests at two per second take at least three and a half seconds.
        QVERIFY(r.atMs.last() >= 3400);
    }

    void a429WithoutRetryAfterPausesEveryRequestAndBacksOff() {
        sim::SimulatorOptions o = defaults();
        o.faults.requestsPerSecond = 2;
        o.faults.sendRetryAfter = false;
        auto simulator = startSimulator(o);
        metrics::MetricsRecorder recorder;
        Results r;
        FeedClient client(simulatorProfile(), {}, &recorder); // no client-side limit
        for (int i = 0; i < 4; ++i)
            client.get(propertyPage(*simulator), r.collect());
        QTRY_COMPARE_WITH_TIMEOUT(r.size(), 4, 30'000);
        QCOMPARE(r.okCount(), 4);
        const sim::SimulatorStats stats = simulator->stats();
        QVERIFY(stats.rateLimited >= 1);
        // Every 429 paused all requests, so the server saw a handful, not a hammering.
        QVERIFY2(stats.rateLimited <= 8, qPrintable(u"%1 429s"_s.arg(stats.rateLimited)));
        QCOMPARE(r.retries(), int(stats.rateLimited));
        QCOMPARE(recorder.snapshot().api.rateLimited, stats.rateLimited);
        QCOMPARE(recorder.snapshot().api.retries, stats.rateLimited);
        // A retried request came back no sooner than the first backoff step (1 s - 20%).
        for (qsizetype i = 0; i < r.results.size(); ++i) {
            if (r.results[i].attempts > 1)
                QVERIFY2(r.atMs[i] >= 800, qPrintable(u"after %1 ms"_s.arg(r.atMs[i])));
        }
    }

    void serverErrorsAreRetriedUntilTheyPass() {
        sim::SimulatorOptions o = defaults();
        o.faults.serverErrorRate = 0.5;
        auto simulator = startSimulator(o);
        metrics::MetricsRecorder recorder;
        Results r;
        FeedClient client(simulatorProfile(), {}, &recorder);
        client.setRetryDelays(20, 200);
        client.setMaxAttempts(12);
        for (int i = 0; i < 10; ++i)
            client.get(propertyPage(*simulator), r.collect());
        QTRY_COMPARE_WITH_TIMEOUT(r.size(), 10, 20'000);
        for (const FetchResult &result : std::as_const(r.results))
            QVERIFY2(result.ok(), qPrintable(describe(result)));
        const sim::SimulatorStats stats = simulator->stats();
        QVERIFY(stats.serverErrors > 0);
        QCOMPARE(r.retries(), int(stats.serverErrors));
        const metrics::MetricsSnapshot snapshot = recorder.snapshot();
        QCOMPARE(snapshot.api.retries, stats.serverErrors);
        QCOMPARE(snapshot.api.requests, stats.requests);
        QCOMPARE(snapshot.api.failed, stats.serverErrors);
    }

    void aBodyCutShortIsNeverHandedOverAsASuccess_data() {
        QTest::addColumn<double>("resetRate");
        QTest::addColumn<double>("truncateRate");
        QTest::addColumn<int>("top");
        QTest::newRow("connection resets mid-body") << 0.3 << 0.0 << 200;
        QTest::newRow("bodies that end early") << 0.0 << 0.3 << 200;
        QTest::newRow("both, on small pages") << 0.2 << 0.2 << 3;
    }
    void aBodyCutShortIsNeverHandedOverAsASuccess() {
        QFETCH(double, resetRate);
        QFETCH(double, truncateRate);
        QFETCH(int, top);
        sim::SimulatorOptions o = defaults();
        o.faults.resetRate = resetRate;
        o.faults.truncateRate = truncateRate;
        auto simulator = startSimulator(o);
        Results r;
        FeedClient client(simulatorProfile(), {}, nullptr);
        client.setRetryDelays(20, 200);
        client.setMaxAttempts(12);
        for (int i = 0; i < 12; ++i)
            client.get(propertyPage(*simulator, top), r.collect());
        QTRY_COMPARE_WITH_TIMEOUT(r.size(), 12, 20'000);
        const sim::SimulatorStats stats = simulator->stats();
        QVERIFY(stats.resets + stats.truncated > 0);
        for (const FetchResult &result : std::as_const(r.results)) {
            QVERIFY2(result.ok(), qPrintable(describe(result)));
            QCOMPARE(recordsIn(result.body), top);
        }
        // Every cut response, and nothing else, cost exactly one more request to the feed.
        const int cuts = int(stats.resets + stats.truncated);
        QCOMPARE(stats.requests, qint64(12 + cuts));
        // A cut closes its connection; a request QNAM had just sent on it never reaches the
        // server and is retried too (status 0, "Connection closed"): at most one per cut.
        QVERIFY2(r.retries() >= cuts && r.retries() <= 2 * cuts,
                 qPrintable(u"%1 retries for %2 cuts"_s.arg(r.retries()).arg(cuts)));
    }

    void aBadFilterIsNotRetriedAndSaysWhy() {
        auto simulator = startSimulator(defaults());
        Results r;
        FeedClient client(simulatorProfile(), {}, nullptr);
        client.get(reso::queryUrl(simulator->baseUrl(), u"Property",
                                  {{u"$filter"_s, u"NoSuchField eq 1"_s}}),
                   r.collect());
        QTRY_COMPARE_WITH_TIMEOUT(r.size(), 1, 10'000);
        const FetchResult &result = r.results.first();
        QCOMPARE(result.error, FetchError::Http);
        QCOMPARE(result.status, 400);
        QCOMPARE(result.attempts, 1);
        QCOMPARE(simulator->stats().requests, 1);
        QVERIFY2(result.message.contains(u"HTTP 400"_s), qPrintable(result.message));
        QVERIFY2(result.message.contains(u"NoSuchField"_s), qPrintable(result.message)); // OData's
        QVERIFY2(result.message.startsWith(u"GET http://127.0.0.1:"_s), qPrintable(result.message));
        QVERIFY2(result.message.contains(u"Check the query"_s), qPrintable(result.message));
    }

    void aUrlTooLongIsNotRetried() {
        sim::SimulatorOptions o = defaults();
        o.faults.maxUrlLength = 200;
        auto simulator = startSimulator(o);
        Results r;
        FeedClient client(simulatorProfile(), {}, nullptr);
        client.get(
            reso::queryUrl(simulator->baseUrl(), u"Property",
                           {{u"$filter"_s, u"ListingKey eq '%1'"_s.arg(QString(300, u'x'))}}),
            r.collect());
        QTRY_COMPARE_WITH_TIMEOUT(r.size(), 1, 10'000);
        const FetchResult &result = r.results.first();
        QCOMPARE(result.error, FetchError::Http);
        QCOMPARE(result.status, 414);
        QCOMPARE(result.attempts, 1);
        QVERIFY2(result.message.contains(u"HTTP 414"_s), qPrintable(result.message));
        QVERIFY2(result.message.contains(u"URL length cap"_s), qPrintable(result.message));
        // A long URL is elided in the message, not pasted whole.
        QVERIFY(result.message.size() < 1000);
    }

    void clientCredentialsFetchOneTokenAndUseIt() {
        sim::SimulatorOptions o = defaults();
        o.auth.clientId = u"analyst"_s;
        o.auth.clientSecret = u"s3cret-value"_s;
        auto simulator = startSimulator(o);
        reso::FeedAuth auth;
        auth.kind = reso::AuthKind::ClientCredentials;
        auth.tokenUrl = simulator->tokenUrl();
        auth.clientId = u"analyst"_s;
        auth.clientSecret = u"s3cret-value"_s;
        Results r;
        FeedClient client(simulatorProfile(), auth, nullptr);
        for (int i = 0; i < 3; ++i)
            client.get(propertyPage(*simulator), r.collect());
        QTRY_COMPARE_WITH_TIMEOUT(r.size(), 3, 10'000);
        QCOMPARE(r.okCount(), 3);
        QCOMPARE(simulator->stats().tokensIssued, 1);
        QCOMPARE(simulator->stats().byStatus.value(401), 0);
    }

    void aTokenIsRefreshedBeforeItExpires() {
        sim::SimulatorOptions o = defaults();
        o.auth.clientId = u"analyst"_s;
        o.auth.clientSecret = u"s3cret-value"_s;
        o.auth.tokenLifetimeSeconds = 1;
        auto simulator = startSimulator(o);
        reso::FeedAuth auth;
        auth.kind = reso::AuthKind::ClientCredentials;
        auth.tokenUrl = simulator->tokenUrl();
        auth.clientId = u"analyst"_s;
        auth.clientSecret = u"s3cret-value"_s;
        Results r;
        FeedClient client(simulatorProfile(), auth, nullptr);
        // The throttle, not a sleep, puts the second request past the token's lifetime.
        client.setThrottleMs(1100);
        client.get(propertyPage(*simulator), r.collect());
        client.get(propertyPage(*simulator), r.collect());
        QTRY_COMPARE_WITH_TIMEOUT(r.size(), 2, 10'000);
        QCOMPARE(r.okCount(), 2);
        QCOMPARE(simulator->stats().tokensIssued, 2);
        QCOMPARE(simulator->stats().byStatus.value(401), 0); // refreshed before, not after
    }

    void a401RefreshesTheTokenOnceAndRetries() {
        sim::SimulatorOptions o = defaults();
        o.auth.clientId = u"analyst"_s;
        o.auth.clientSecret = u"s3cret-value"_s;
        auto first = startSimulator(o);
        const quint16 port = first->port();
        reso::FeedAuth auth;
        auth.kind = reso::AuthKind::ClientCredentials;
        auth.tokenUrl = first->tokenUrl();
        auth.clientId = u"analyst"_s;
        auth.clientSecret = u"s3cret-value"_s;
        Results r;
        FeedClient client(simulatorProfile(), auth, nullptr);
        client.get(propertyPage(*first), r.collect());
        QTRY_COMPARE_WITH_TIMEOUT(r.size(), 1, 10'000);
        QVERIFY2(r.results[0].ok(), qPrintable(describe(r.results[0])));
        // A new server on the same port has never seen our token: as if the vendor revoked it.
        first.reset();
        auto second = startSimulator(o, port);
        client.get(propertyPage(*second), r.collect());
        QTRY_COMPARE_WITH_TIMEOUT(r.size(), 2, 10'000);
        const FetchResult &result = r.results[1];
        QVERIFY2(result.ok(), qPrintable(describe(result)));
        QCOMPARE(result.attempts, 2);
        QCOMPARE(second->stats().byStatus.value(401), 1);
        QCOMPARE(second->stats().tokensIssued, 1);
    }

    void aRefusedSecretIsUnauthorizedAndNeverQuoted() {
        sim::SimulatorOptions o = defaults();
        o.auth.clientId = u"analyst"_s;
        o.auth.clientSecret = u"the-right-secret"_s;
        auto simulator = startSimulator(o);
        reso::FeedAuth auth;
        auth.kind = reso::AuthKind::ClientCredentials;
        auth.tokenUrl = simulator->tokenUrl();
        auth.clientId = u"analyst"_s;
        auth.clientSecret = u"wrong-secret-4711"_s;
        Results r;
        FeedClient client(simulatorProfile(), auth, nullptr);
        client.get(propertyPage(*simulator), r.collect());
        client.get(propertyPage(*simulator), r.collect());
        QTRY_COMPARE_WITH_TIMEOUT(r.size(), 2, 10'000);
        for (const FetchResult &result : std::as_const(r.results)) {
            QCOMPARE(result.error, FetchError::Unauthorized);
            QVERIFY(!result.message.contains(u"wrong-secret-4711"_s));
            QVERIFY(!result.message.contains(u"the-right-secret"_s));
            QVERIFY2(result.message.contains(u"client secret"_s), qPrintable(result.message));
            QVERIFY2(result.message.contains(u"invalid_client"_s), qPrintable(result.message));
        }
        QCOMPARE(simulator->stats().requests, 0); // nothing went to the feed without a token
        QCOMPARE(simulator->stats().tokensIssued, 0);
    }

    void aStaticTokenIsSentAndARefusedOneIsNotRetried_data() {
        QTest::addColumn<QString>("token");
        QTest::addColumn<bool>("accepted");
        QTest::newRow("the right token") << u"static-token-1"_s << true;
        QTest::newRow("a revoked token") << u"revoked-token-2"_s << false;
    }
    void aStaticTokenIsSentAndARefusedOneIsNotRetried() {
        QFETCH(QString, token);
        QFETCH(bool, accepted);
        sim::SimulatorOptions o = defaults();
        o.auth.staticToken = u"static-token-1"_s;
        auto simulator = startSimulator(o);
        reso::FeedAuth auth;
        auth.kind = reso::AuthKind::StaticToken;
        auth.staticToken = token;
        Results r;
        FeedClient client(simulatorProfile(), auth, nullptr);
        client.get(propertyPage(*simulator), r.collect());
        QTRY_COMPARE_WITH_TIMEOUT(r.size(), 1, 10'000);
        const FetchResult &result = r.results.first();
        QCOMPARE(result.ok(), accepted);
        QCOMPARE(result.attempts, 1);
        if (!accepted) {
            QCOMPARE(result.error, FetchError::Unauthorized);
            QCOMPARE(result.status, 401);
            QVERIFY(!result.message.contains(token));
            QVERIFY2(result.message.contains(u"bearer token"_s), qPrintable(result.message));
        }
    }

    void theThrottleSpacesRequestStarts() {
        auto simulator = startSimulator(defaults());
        Results r;
        FeedClient client(simulatorProfile(), {}, nullptr);
        client.setThrottleMs(100);
        QCOMPARE(client.throttleMs(), 100);
        for (int i = 0; i < 5; ++i)
            client.get(propertyPage(*simulator), r.collect());
        QTRY_COMPARE_WITH_TIMEOUT(r.size(), 5, 10'000);
        QCOMPARE(r.okCount(), 5);
        // When each request started: its answer's arrival less the attempt's own duration.
        QList<double> startedMs;
        for (qsizetype i = 0; i < r.results.size(); ++i)
            startedMs << double(r.atMs[i]) - r.results[i].elapsedMs;
        for (qsizetype i = 1; i < startedMs.size(); ++i)
            QVERIFY2(startedMs[i] - startedMs[i - 1] >= 95,
                     qPrintable(u"gap %1 ms"_s.arg(startedMs[i] - startedMs[i - 1])));
    }

    void cancelAllEndsRunningAndQueuedRequestsPromptly() {
        sim::SimulatorOptions o = defaults();
        o.faults.latencyMs = 2000;
        auto simulator = startSimulator(o);
        Results r;
        FeedClient client(simulatorProfile(), {}, nullptr);
        for (int i = 0; i < 8; ++i) // six go on the wire, two wait in the queue
            client.get(propertyPage(*simulator), r.collect());
        QTRY_COMPARE_WITH_TIMEOUT(simulator->stats().requests, 6, 5'000);
        QCOMPARE(client.pending(), 8);
        QElapsedTimer timer;
        timer.start();
        client.cancelAll();
        QCOMPARE(client.pending(), 0);
        QTRY_COMPARE_WITH_TIMEOUT(r.size(), 8, 500);
        QVERIFY(timer.elapsed() < 500);
        for (const FetchResult &result : std::as_const(r.results)) {
            QCOMPARE(result.error, FetchError::Cancelled);
            QVERIFY(result.message.contains(u"cancelled"_s));
        }
    }

    void destroyingTheClientCallsNoCallback() {
        sim::SimulatorOptions o = defaults();
        o.faults.latencyMs = 300;
        auto simulator = startSimulator(o);
        Results r;
        auto client = std::make_unique<FeedClient>(simulatorProfile(), reso::FeedAuth{}, nullptr);
        client->get(propertyPage(*simulator), r.collect());
        client->get(propertyPage(*simulator), r.collect());
        QTRY_COMPARE_WITH_TIMEOUT(simulator->stats().requests, 2, 5'000);
        client.reset();
        // A later request with the same latency finishing means the first two would have.
        Results later;
        FeedClient other(simulatorProfile(), {}, nullptr);
        other.get(propertyPage(*simulator), later.collect());
        QTRY_COMPARE_WITH_TIMEOUT(later.size(), 1, 5'000);
        QCOMPARE(r.size(), 0);
    }

    void aRefusedConnectionIsReportedAfterItsRetries() {
        // A port that nothing listens on: take a free one and let it go.
        quint16 port = 0;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
            port = probe.serverPort();
        }
        Results r;
        FeedClient client(simulatorProfile(), {}, nullptr);
        client.setMaxAttempts(2);
        client.setRetryDelays(50, 100);
        QCOMPARE(client.maxAttempts(), 2);
        client.get(QUrl(u"http://user:pw@127.0.0.1:%1/odata/Property?$top=1"_s.arg(port)),
                   r.collect());
        QTRY_COMPARE_WITH_TIMEOUT(r.size(), 1, 10'000);
        const FetchResult &result = r.results.first();
        QCOMPARE(result.error, FetchError::Network);
        QCOMPARE(result.status, 0);
        QCOMPARE(result.attempts, 2);
        QVERIFY2(result.message.contains(u"refused"_s, Qt::CaseInsensitive),
                 qPrintable(result.message));
        QVERIFY2(result.message.contains(u"after 2 attempts"_s), qPrintable(result.message));
        QVERIFY2(result.message.contains(u"Check the feed URL"_s), qPrintable(result.message));
        QVERIFY(!result.message.contains(u"pw@"_s)); // user info is stripped
    }

    void aSilentServerTimesOut() {
        sim::SimulatorOptions o = defaults();
        o.faults.latencyMs = 3000;
        auto simulator = startSimulator(o);
        reso::FeedProfile profile = simulatorProfile();
        profile.requestTimeoutMs = 300;
        Results r;
        FeedClient client(profile, {}, nullptr);
        client.setMaxAttempts(2);
        client.setRetryDelays(50, 100);
        client.get(propertyPage(*simulator), r.collect());
        QTRY_COMPARE_WITH_TIMEOUT(r.size(), 1, 10'000);
        const FetchResult &result = r.results.first();
        QCOMPARE(result.error, FetchError::Timeout);
        QCOMPARE(result.attempts, 2);
        QVERIFY2(result.message.contains(u"request timeout"_s), qPrintable(result.message));
        QVERIFY(r.atMs.first() < 3000); // it did not wait for the answer
    }

    void anInvalidUrlFailsWithoutARequest() {
        Results r;
        FeedClient client(simulatorProfile(), {}, nullptr);
        client.get(QUrl(u"ftp://example.com/odata/Property"_s), r.collect());
        QCOMPARE(r.size(), 0); // never from inside get()
        QTRY_COMPARE_WITH_TIMEOUT(r.size(), 1, 1'000);
        QCOMPARE(r.results.first().error, FetchError::Network);
        QCOMPARE(r.results.first().attempts, 0);
    }
};

QTEST_GUILESS_MAIN(TestFeedClient)
#include "tst_feedclient.moc"
