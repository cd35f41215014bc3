// Feed faults the sync must survive (issue #6). Each test injects one fault with the
// simulator's fault flags, runs a real sync over HTTP into a real PostgreSQL, checks with the
// simulator's own counters that the fault really was injected, and ends with the database
// equal to the feed. The counters are printed (qInfo "faults injected") for RELIABILITY.md.
#include "ReplicaCheck.h"
#include "SimulatorFixture.h"
#include "SyncHarness.h"
#include "TestDatabase.h"
#include "sim/FeedSimulator.h"

#include <QProcess>
#include <QProcessEnvironment>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace resosync;
using reso::Resource;
using sync::RunOutcome;

namespace {

constexpr int kProperties = 60;

sim::SimulatorOptions feedOptions() {
    sim::SimulatorOptions o;
    o.seed = 11;
    o.logRequests = true;
    o.properties = kProperties;
    return o;
}

/// Retries quick enough for a test: backoff 20 .. 200 ms, 8 attempts; the circuit breaker
/// opens after 5 refused probes in a row for 300 ms and never gives up.
reso::RetrySettings quickRetries() {
    reso::RetrySettings retry;
    retry.initialDelayMs = 20;
    retry.maxDelayMs = 200;
    retry.maxAttempts = 8;
    retry.circuitThreshold = 5;
    retry.circuitCoolOffMs = 300;
    retry.circuitMaxOpenings = 1000;
    return retry;
}

/// A fresh database with the schema and a simulator serving `options`.
class FaultCase {
public:
    FaultCase(const QString &name, const sim::SimulatorOptions &options)
        : m_db(name)
        , m_simulator(test::startSimulator(options)) {
        m_setUpError = m_db.isValid() ? test::applySchema(m_db.conninfo()) : m_db.error();
    }

    QString setUpError() const { return m_setUpError; }
    QString conninfo() const { return m_db.conninfo(); }
    sim::FeedSimulator &simulator() const { return *m_simulator; }
    sim::SimulatorStats stats() const { return m_simulator->stats(); }

    sync::SyncRequest request(sync::SyncMode mode = sync::SyncMode::Full) const {
        sync::SyncRequest r = test::simulatorRequest(*m_simulator, m_db.conninfo(), mode);
        r.profile.retry = quickRetries();
        return r;
    }
    QString difference(const QSet<QString> &absent = {}) const {
        return test::compareAllReplicas(*m_simulator, m_db.conninfo(), absent);
    }
    /// The line RELIABILITY.md quotes: what the simulator injected during the test.
    void printInjected(const char *fault) const {
        qInfo("%s: faults injected %s; records lost 0", fault,
              qPrintable(test::faultCounters(stats())));
    }
    /// The feed changes, and an incremental run follows, as a later process would run it.
    test::SyncOutcome changeAndSyncAgain(quint64 seed) const {
        m_simulator->mutate({seed, 10, 5, 0, 20, 5});
        m_simulator->resetStats();
        return test::runSync(request(sync::SyncMode::Incremental));
    }
    QString learned(const QString &column) const {
        return test::queryValue(m_db.conninfo(),
                                u"SELECT %1::text FROM resosync.feed_capabilities"_s.arg(column));
    }

private:
    test::TestDatabase m_db;
    std::unique_ptr<sim::FeedSimulator> m_simulator;
    QString m_setUpError;
};

/// Incremental when a cursor was saved (the run resumes), else a full load.
sync::SyncMode rerunMode(const QString &conninfo) {
    const QString cursors =
        test::queryValue(conninfo, u"SELECT count(*) FROM resosync.sync_cursor"_s);
    return cursors == "0"_L1 ? sync::SyncMode::Full : sync::SyncMode::Incremental;
}

QString problems(const test::SyncOutcome &run) {
    return test::describe(run) + u" | log: "_s + run.log.join(u" | "_s);
}

/// Runs a full sync that must succeed despite the fault and leave the replica equal.
#define SYNC_MUST_SURVIVE(c, request)                                                              \
    const test::SyncOutcome run = test::runSync(request);                                          \
    QVERIFY2(run.outcome == RunOutcome::Succeeded, qPrintable(problems(run)));                     \
    {                                                                                              \
        const QString difference = (c).difference();                                               \
        QVERIFY2(difference.isEmpty(), qPrintable(difference));                                    \
    }

} // namespace

class TestFeedFaults final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void rateLimitedWithAndWithoutRetryAfter_data() {
        QTest::addColumn<bool>("retryAfter");
        QTest::newRow("429 with Retry-After") << true;
        QTest::newRow("429 without Retry-After: exponential backoff with jitter") << false;
    }
    void rateLimitedWithAndWithoutRetryAfter() {
        QFETCH(bool, retryAfter);
        sim::SimulatorOptions o = feedOptions();
        o.faults.requestsPerSecond = 8;
        o.faults.sendRetryAfter = retryAfter;
        FaultCase c(u"faults_429"_s, o);
        QCOMPARE(c.setUpError(), QString());
        sync::SyncRequest request = c.request();
        request.settings.batchSize = 100; // about 25 requests: a few seconds at 8 a second
        SYNC_MUST_SURVIVE(c, request);
        const sim::SimulatorStats served = c.stats();
        QVERIFY(served.rateLimited > 0);
        QCOMPARE(run.report.metrics.api.rateLimited, served.rateLimited);
        c.printInjected(retryAfter ? "429 with Retry-After" : "429 without Retry-After");
    }

    void theCircuitBreakerPausesEveryRequestAndSaysSo() {
        // One request per second at most and a client that probes again after 20 .. 80 ms:
        // every probe is refused, three in a row open the circuit for 1.5 s.
        sim::SimulatorOptions o = feedOptions();
        o.faults.requestsPerSecond = 2;
        o.faults.sendRetryAfter = false;
        FaultCase c(u"faults_circuit"_s, o);
        QCOMPARE(c.setUpError(), QString());
        sync::SyncRequest request = c.request();
        request.settings.batchSize = 1000; // few requests: the feed allows two a second
        request.profile.retry.maxDelayMs = 80;
        request.profile.retry.circuitThreshold = 3;
        request.profile.retry.circuitCoolOffMs = 1500;
        SYNC_MUST_SURVIVE(c, request);
        const QString opened =
            u"circuit open: the feed rate-limited 3 requests in a row; pausing 1.5 s"_s;
        QVERIFY2(run.eventsContain(opened), qPrintable(problems(run)));
        QVERIFY2(run.logContains(u"warning: "_s + opened), qPrintable(problems(run)));
        // While the circuit was open the feed saw nothing: a gap of the cool-off.
        const QList<sim::RequestLogEntry> log = c.stats().requestLog;
        qint64 longestGap = 0;
        for (qsizetype i = 1; i < log.size(); ++i)
            longestGap = std::max(longestGap, log[i].atMs - log[i - 1].atMs);
        QVERIFY2(longestGap >= 1400, qPrintable(QString::number(longestGap)));
        QVERIFY(c.stats().rateLimited >= 3);
        c.printInjected("429 until the circuit breaker opens");
    }

    void aCircuitThatNeverClosesFailsTheRunClearlyAndARerunCompletes() {
        sim::SimulatorOptions o = feedOptions();
        o.faults.requestsPerSecond = 0.05; // one request per 20 s: the quota is spent
        o.faults.sendRetryAfter = false;
        FaultCase c(u"faults_circuit_gives_up"_s, o);
        QCOMPARE(c.setUpError(), QString());
        sync::SyncRequest request = c.request();
        request.profile.retry.circuitThreshold = 2;
        request.profile.retry.circuitCoolOffMs = 100;
        request.profile.retry.circuitMaxOpenings = 2;
        const test::SyncOutcome refused = test::runSync(request);
        QCOMPARE(int(refused.outcome), int(RunOutcome::Failed));
        QVERIFY2(refused.report.problems.join(u' ').contains(u"kept rate-limiting"_s),
                 qPrintable(problems(refused)));
        QVERIFY(refused.eventsContain(u"circuit open for good"_s));
        const qint64 injected = c.stats().rateLimited;
        QVERIFY(injected >= 6);
        c.printInjected("429 on every request (the circuit gives up)");

        // The quota comes back: a rerun picks up from what was stored and ends equal.
        c.simulator().setFaults({});
        const test::SyncOutcome rerun = test::runSync(c.request());
        QVERIFY2(rerun.outcome == RunOutcome::Succeeded, qPrintable(problems(rerun)));
        const QString difference = c.difference();
        QVERIFY2(difference.isEmpty(), qPrintable(difference));
    }

    void transientFeedFaults_data() {
        QTest::addColumn<QString>("fault");
        QTest::newRow("5xx") << u"503"_s;
        QTest::newRow("connection reset mid-body") << u"reset"_s;
        QTest::newRow("truncated JSON") << u"truncate"_s;
        QTest::newRow("a response slower than the timeout") << u"slow"_s;
        QTest::newRow("stale nextLinks (skiptoken expired)") << u"expired"_s;
        QTest::newRow("pages with duplicate records") << u"duplicates"_s;
    }
    void transientFeedFaults() {
        QFETCH(QString, fault);
        sim::SimulatorOptions o = feedOptions();
        sim::FaultOptions &f = o.faults;
        if (fault == "503"_L1)
            f.serverErrorRate = 0.2;
        else if (fault == "reset"_L1)
            f.resetRate = 0.15;
        else if (fault == "truncate"_L1)
            f.truncateRate = 0.15;
        else if (fault == "slow"_L1) {
            f.slowResponseRate = 0.08;
            f.slowResponseMs = 2500;
        } else if (fault == "expired"_L1) {
            f.expiredLinkRate = 0.3;
            o.nextLinkStyle = sim::NextLinkStyle::Token;
        } else if (fault == "duplicates"_L1)
            f.duplicateRecordRate = 0.3;
        FaultCase c(u"faults_"_s + fault, o);
        QCOMPARE(c.setUpError(), QString());
        sync::SyncRequest request = c.request();
        request.profile.requestTimeoutMs = 500; // the slow responses take 2.5 s
        SYNC_MUST_SURVIVE(c, request);
        const sim::SimulatorStats s = c.stats();
        const qint64 injected = fault == "503"_L1        ? s.serverErrors
                                : fault == "reset"_L1    ? s.resets
                                : fault == "truncate"_L1 ? s.truncated
                                : fault == "slow"_L1     ? s.slow
                                : fault == "expired"_L1  ? s.expiredLinks
                                                         : s.duplicatesServed;
        QVERIFY2(injected > 0, qPrintable(test::faultCounters(s)));
        // Nothing rejected: every fault was recovered from, none turned into a reject.
        QCOMPARE(test::queryValue(c.conninfo(), u"SELECT count(*) FROM resosync.rejects"_s),
                 u"0"_s);
        c.printInjected(QTest::currentDataTag());
    }

    void aTokenThatExpiresEarlyIsRefreshedOnceAndTheRunGoesOn() {
        sim::SimulatorOptions o = feedOptions();
        o.auth.clientId = u"analyst"_s;
        o.auth.clientSecret = u"s3cret-value"_s;
        o.auth.tokenLifetimeSeconds = 1;
        o.auth.advertisedLifetimeSeconds = 3600; // the client believes it has an hour
        o.faults.latencyMs = 25;                 // the run outlives several tokens
        FaultCase c(u"faults_401"_s, o);
        QCOMPARE(c.setUpError(), QString());
        sync::SyncRequest request = c.request();
        request.auth.kind = reso::AuthKind::ClientCredentials;
        request.auth.tokenUrl = c.simulator().tokenUrl();
        request.auth.clientId = u"analyst"_s;
        request.auth.clientSecret = u"s3cret-value"_s;
        SYNC_MUST_SURVIVE(c, request);
        const sim::SimulatorStats s = c.stats();
        QVERIFY2(s.unauthorized > 0, qPrintable(test::faultCounters(s)));
        QVERIFY(s.tokensIssued >= 2);
        // Each 401 cost one refresh, not a storm: at most one token per refused request.
        QVERIFY(s.tokensIssued <= s.unauthorized + 1);
        c.printInjected("401 mid-run (token expired early)");
    }

    void aTokenEndpointThatRefusesEndsTheRunWithExitThree() {
        sim::SimulatorOptions o = feedOptions();
        o.auth.clientId = u"analyst"_s;
        o.auth.clientSecret = u"s3cret-value"_s;
        o.auth.tokenLifetimeSeconds = 1;
        o.auth.advertisedLifetimeSeconds = 3600;
        o.auth.maxTokens = 1; // then the account is disabled
        o.faults.latencyMs = 25;
        FaultCase c(u"faults_401_refused"_s, o);
        QCOMPARE(c.setUpError(), QString());
        QProcess cli;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"RESOSYNC_TEST_SECRET"_s, u"s3cret-value"_s);
        cli.setProcessEnvironment(env);
        cli.start(qEnvironmentVariable("RESOSYNC_CLI"),
                  test::cliSyncArguments(
                      c.simulator().baseUrl(), c.conninfo(), u"full"_s,
                      {u"--batch-size"_s, u"25"_s, u"--property-batch-size"_s, u"40"_s,
                       u"--token-url"_s, c.simulator().tokenUrl().toString(), u"--client-id"_s,
                       u"analyst"_s, u"--client-secret-env"_s, u"RESOSYNC_TEST_SECRET"_s}));
        QVERIFY(cli.waitForFinished(120'000));
        const QString err = QString::fromUtf8(cli.readAllStandardError());
        QCOMPARE(cli.exitStatus(), QProcess::NormalExit);
        QVERIFY2(cli.exitCode() == 3, qPrintable(u"exit %1: %2"_s.arg(cli.exitCode()).arg(err)));
        QVERIFY2(err.contains(u"refused the client credentials"_s), qPrintable(err));
        QVERIFY2(err.contains(u"invalid_client"_s), qPrintable(err));
        QVERIFY(!err.contains(u"s3cret-value"_s));
        const sim::SimulatorStats s = c.stats();
        QVERIFY(s.unauthorized > 0);
        QCOMPARE(s.tokensRefused, 1); // asked once after a 401, refused, never asked again
        c.printInjected("401 mid-run, then the token endpoint refuses");

        // The vendor re-enables the account: a rerun from the saved state ends equal.
        sim::SimulatorOptions healthy = feedOptions();
        auto again = test::startSimulator(healthy);
        const test::SyncOutcome finished =
            test::runSync(test::simulatorRequest(*again, c.conninfo(), rerunMode(c.conninfo())));
        QVERIFY2(finished.outcome == RunOutcome::Succeeded, qPrintable(problems(finished)));
        const QString difference = test::compareAllReplicas(*again, c.conninfo());
        QVERIFY2(difference.isEmpty(), qPrintable(difference));
    }

    void a414SplitsTheKeyBatchAndTheCapIsRemembered() {
        sim::SimulatorOptions o = feedOptions();
        o.faults.maxUrlLength = 400; // the profile believes 8000
        FaultCase c(u"faults_414"_s, o);
        QCOMPARE(c.setUpError(), QString());
        SYNC_MUST_SURVIVE(c, c.request());
        const qint64 refused = c.stats().urlTooLong;
        QVERIFY(refused > 0);
        QVERIFY2(run.logContains(u"HTTP 414"_s), qPrintable(problems(run)));
        const int learned = c.learned(u"max_url_length"_s).toInt();
        QVERIFY2(learned > 0 && learned <= 400, qPrintable(QString::number(learned)));
        c.printInjected("414 URI Too Long");

        // The next run starts with the learned cap: no 414 at all.
        const test::SyncOutcome next = c.changeAndSyncAgain(21);
        QVERIFY2(next.outcome == RunOutcome::Succeeded, qPrintable(problems(next)));
        QCOMPARE(c.stats().urlTooLong, 0);
        QVERIFY(c.stats().requests > 1);
        QCOMPARE(c.difference(), QString());
    }

    void inRefusedSwitchesToOrChainsAndTheFeedIsRemembered() {
        sim::SimulatorOptions o = feedOptions();
        o.faults.inOperatorUnsupported = true; // the profile believes it has `in`
        FaultCase c(u"faults_no_in"_s, o);
        QCOMPARE(c.setUpError(), QString());
        SYNC_MUST_SURVIVE(c, c.request());
        QVERIFY(c.stats().refusedIn > 0);
        QCOMPARE(c.learned(u"supports_in"_s), u"false"_s);
        QVERIFY2(run.logContains(u"using `or` chains"_s), qPrintable(problems(run)));
        c.printInjected("`in` refused");

        // A later process starts with `or` chains: the feed never sees `in` again.
        const test::SyncOutcome next = c.changeAndSyncAgain(22);
        QVERIFY2(next.outcome == RunOutcome::Succeeded, qPrintable(problems(next)));
        QCOMPARE(c.stats().refusedIn, 0);
        QVERIFY(c.stats().requestsByResource.value(u"Media"_s) > 0);
        QCOMPARE(c.difference(), QString());
    }
};

QTEST_GUILESS_MAIN(TestFeedFaults)
#include "tst_feedfaults.moc"
