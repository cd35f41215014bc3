// The feed connection test against real peers over HTTP: the simulator (counts, OAuth2 and
// static tokens, rate-limit headers, a wrong secret, latency past the timeout), a closed
// port, an unresolvable host, and a tiny server that answers HTML or garbage.
#include "SimulatorFixture.h"
#include "reso/FeedProbe.h"
#include "sim/FeedSimulator.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace resosync;
using reso::FeedProbe;
using reso::FeedProbeFailure;
using reso::FeedProbeRequest;
using reso::FeedProbeResult;
using test::startSimulator;

namespace {

constexpr int kProperties = 240;
const QString kClientId = u"probe-client"_s;
const QString kClientSecret = u"s3cr3t-client-secret"_s;
const QString kStaticToken = u"static-token-0123456789"_s;

sim::SimulatorOptions defaults() {
    sim::SimulatorOptions o;
    o.seed = 11;
    o.properties = kProperties;
    return o;
}

FeedProbeRequest requestFor(const QUrl &feedUrl) {
    FeedProbeRequest request;
    request.feedUrl = feedUrl;
    request.profile = *reso::FeedProfile::byName(u"simulator"_s);
    request.timeoutMs = 5000;
    return request;
}

FeedProbeResult runProbe(const FeedProbeRequest &request) {
    FeedProbe probe;
    QSignalSpy finished(&probe, &FeedProbe::finished);
    probe.start(request);
    if (!finished.wait(20'000)) {
        FeedProbeResult none;
        none.failure = FeedProbeFailure::Network;
        none.message = u"the probe did not finish within 20 s"_s;
        return none;
    }
    return finished.first().first().value<FeedProbeResult>();
}

/// A probe of a simulator that wants OAuth2 client credentials, sending `secret`.
FeedProbeRequest oauthRequest(const sim::FeedSimulator &simulator, const QString &secret) {
    FeedProbeRequest request = requestFor(simulator.baseUrl());
    request.auth.kind = reso::AuthKind::ClientCredentials;
    request.auth.tokenUrl = simulator.tokenUrl();
    request.auth.clientId = kClientId;
    request.auth.clientSecret = secret;
    return request;
}

QString describe(const FeedProbeResult &r) {
    return reso::feedProbeFailureName(r.failure) + u": "_s + r.summary();
}

QByteArray headerOf(const FeedProbeResult &r, QByteArrayView name) {
    for (const auto &[key, value] : r.rateLimitHeaders) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

/// A real HTTP peer that answers every request with `response` and closes.
class CannedServer : public QTcpServer {
public:
    explicit CannedServer(QByteArray response)
        : m_response(std::move(response)) {
        connect(this, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = nextPendingConnection()) {
                connect(socket, &QTcpSocket::readyRead, socket, [this, socket] {
                    // Answer once the request's header is complete.
                    m_request += socket->readAll();
                    if (!m_request.contains("\r\n\r\n"))
                        return;
                    m_request.clear();
                    socket->write(m_response);
                    socket->disconnectFromHost();
                });
                connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
    }
    QUrl url() const { return QUrl(u"http://127.0.0.1:%1/odata"_s.arg(serverPort())); }

private:
    QByteArray m_response;
    QByteArray m_request;
};

QByteArray httpResponse(const QByteArray &contentType, const QByteArray &body) {
    return "HTTP/1.1 200 OK\r\nContent-Type: " + contentType +
           "\r\nContent-Length: " + QByteArray::number(body.size()) +
           "\r\nConnection: close\r\n\r\n" + body;
}

} // namespace

class TestFeedProbe : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { qRegisterMetaType<FeedProbeResult>(); }

    void succeedsWithoutAuth() {
        auto simulator = startSimulator(defaults());
        const FeedProbeResult r = runProbe(requestFor(simulator->baseUrl()));
        QVERIFY2(r.ok(), qPrintable(describe(r)));
        QCOMPARE(r.recordCount, kProperties);
        QCOMPARE(r.pageRecords, 1);
        QCOMPARE(r.resource, u"Property"_s);
        QCOMPARE(r.odataVersion, u"4.0"_s);
        QVERIFY(r.metadataReachable);
        QVERIFY(r.metadataBytes > 0);
        QVERIFY(r.entitySets.contains(u"Property"_s));
        QVERIFY(r.entitySets.contains(u"Media"_s));
        QVERIFY(r.latencyMs >= 0);
        QVERIFY(r.pageMs >= 0);
        QVERIFY(r.rateLimitHeaders.isEmpty());
        QCOMPARE(r.tokensFetched, 0);
        QVERIFY(r.summary().contains(u"%1 records ($count)"_s.arg(kProperties)));
        QVERIFY(r.summary().contains(u"none seen"_s));
    }

    void obtainsAnOAuth2TokenAndReportsItsLifetime() {
        sim::SimulatorOptions options = defaults();
        options.auth.clientId = kClientId;
        options.auth.clientSecret = kClientSecret;
        options.auth.tokenLifetimeSeconds = 1234;
        auto simulator = startSimulator(options);
        const FeedProbeResult r = runProbe(oauthRequest(*simulator, kClientSecret));
        QVERIFY2(r.ok(), qPrintable(describe(r)));
        QCOMPARE(r.tokensFetched, 1);
        QCOMPARE(r.tokenLifetimeMs, 1'234'000);
        QVERIFY2(r.auth.contains(u"valid for 1234 s"_s), qPrintable(r.auth));
        QCOMPARE(r.recordCount, kProperties);
    }

    void acceptsAStaticToken() {
        sim::SimulatorOptions options = defaults();
        options.auth.staticToken = kStaticToken;
        auto simulator = startSimulator(options);
        FeedProbeRequest request = requestFor(simulator->baseUrl());
        request.auth.kind = reso::AuthKind::StaticToken;
        request.auth.staticToken = kStaticToken;
        const FeedProbeResult r = runProbe(request);
        QVERIFY2(r.ok(), qPrintable(describe(r)));
        QVERIFY2(r.auth.contains(u"static bearer token was accepted"_s), qPrintable(r.auth));
        QCOMPARE(r.tokensFetched, 0);
        QCOMPARE(r.recordCount, kProperties);
    }

    void showsRateLimitHeaders() {
        sim::SimulatorOptions options = defaults();
        options.faults.requestsPerSecond = 50;
        auto simulator = startSimulator(options);
        const FeedProbeResult r = runProbe(requestFor(simulator->baseUrl()));
        QVERIFY2(r.ok(), qPrintable(describe(r)));
        QCOMPARE(headerOf(r, "X-RateLimit-Limit"), QByteArray("50"));
        bool remainingIsNumber = false;
        const int remaining = headerOf(r, "X-RateLimit-Remaining").toInt(&remainingIsNumber);
        QVERIFY(remainingIsNumber);
        QVERIFY(remaining >= 0 && remaining < 50);
        QVERIFY(r.summary().contains(u"X-RateLimit-Limit: 50"_s));
    }

    void refusesAWrongClientSecret() {
        sim::SimulatorOptions options = defaults();
        options.auth.clientId = kClientId;
        options.auth.clientSecret = kClientSecret;
        auto simulator = startSimulator(options);
        const FeedProbeResult r = runProbe(oauthRequest(*simulator, u"wrong-secret-value"_s));
        QCOMPARE(r.failure, FeedProbeFailure::Unauthorized);
        QCOMPARE(r.failedStep, u"service document"_s);
        QVERIFY2(r.message.contains(u"client id and client secret"_s), qPrintable(r.message));
        QVERIFY(!r.summary().contains(u"wrong-secret-value"_s));
        QCOMPARE(r.tokensFetched, 0);
    }

    void refusesAWrongStaticToken() {
        sim::SimulatorOptions options = defaults();
        options.auth.staticToken = kStaticToken;
        auto simulator = startSimulator(options);
        FeedProbeRequest request = requestFor(simulator->baseUrl());
        request.auth.kind = reso::AuthKind::StaticToken;
        request.auth.staticToken = u"not-the-token"_s;
        const FeedProbeResult r = runProbe(request);
        QCOMPARE(r.failure, FeedProbeFailure::Unauthorized);
        QCOMPARE(r.status, 401);
        QVERIFY2(r.message.contains(u"bearer token"_s), qPrintable(r.message));
        QVERIFY(!r.summary().contains(u"not-the-token"_s));
    }

    void reportsARefusedConnection() {
        const quint16 port = test::unusedLocalPort();
        const FeedProbeResult r =
            runProbe(requestFor(QUrl(u"http://127.0.0.1:%1/odata"_s.arg(port))));
        QCOMPARE(r.failure, FeedProbeFailure::ConnectionRefused);
        QVERIFY2(r.message.contains(u"host and port"_s), qPrintable(r.message));
    }

    void reportsATimeout() {
        sim::SimulatorOptions options = defaults();
        options.faults.latencyMs = 4000;
        auto simulator = startSimulator(options);
        FeedProbeRequest request = requestFor(simulator->baseUrl());
        request.timeoutMs = 400;
        QElapsedTimer clock;
        clock.start();
        const FeedProbeResult r = runProbe(request);
        QCOMPARE(r.failure, FeedProbeFailure::Timeout);
        QVERIFY2(clock.elapsed() < 3000, qPrintable(QString::number(clock.elapsed())));
        QVERIFY2(r.message.contains(u"no data for 0.4 s"_s), qPrintable(r.message));
    }

    void recognisesAnHtmlPage() {
        CannedServer server(httpResponse(
            "text/html; charset=utf-8",
            "<!DOCTYPE html><html><head><title>Sign in</title></head><body>Login</body></html>"));
        QVERIFY(server.listen(QHostAddress::LocalHost));
        const FeedProbeResult r = runProbe(requestFor(server.url()));
        QCOMPARE(r.failure, FeedProbeFailure::NotOData);
        QVERIFY2(r.message.contains(u"HTML page"_s), qPrintable(r.message));
        QVERIFY2(r.message.contains(u"service root"_s), qPrintable(r.message));
    }

    void recognisesGarbage() {
        CannedServer server(httpResponse("application/octet-stream", "\x01\x02garbage\xff"));
        QVERIFY(server.listen(QHostAddress::LocalHost));
        const FeedProbeResult r = runProbe(requestFor(server.url()));
        QCOMPARE(r.failure, FeedProbeFailure::NotOData);
        QVERIFY2(r.message.contains(u"not OData JSON"_s), qPrintable(r.message));
        QVERIFY2(r.message.contains(u"garbage"_s), qPrintable(r.message));
    }

    void reportsAnUnresolvableHost() {
        // .invalid never resolves (RFC 2606).
        const FeedProbeResult r =
            runProbe(requestFor(QUrl(u"http://feed.example.invalid/odata"_s)));
        QCOMPARE(r.failure, FeedProbeFailure::DnsLookup);
        QVERIFY2(r.message.contains(u"host name"_s), qPrintable(r.message));
    }

    void refusesAnInvalidUrl() {
        const FeedProbeResult r = runProbe(requestFor(QUrl(u"ftp://files.example.com/odata"_s)));
        QCOMPARE(r.failure, FeedProbeFailure::InvalidUrl);
        QVERIFY2(r.message.contains(u"not an http:// or https:// URL"_s), qPrintable(r.message));
    }
};

QTEST_GUILESS_MAIN(TestFeedProbe)
#include "tst_feedprobe.moc"
