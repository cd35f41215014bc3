#pragma once

#include "reso/FeedClient.h"
#include "reso/FeedProfile.h"
#include "reso/Resource.h"

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPair>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <memory>

namespace resosync::reso {

/// Why a feed connection test failed, as far as a person acts on it differently.
enum class FeedProbeFailure {
    None,
    InvalidUrl,        ///< not an http(s) URL with a host
    DnsLookup,         ///< the host name does not resolve
    ConnectionRefused, ///< nothing listens on that host and port
    Tls,               ///< the TLS handshake failed (certificate, protocol)
    Timeout,           ///< no answer within the test's timeout
    Unauthorized,      ///< 401, or the token endpoint refused the client credentials
    Forbidden,         ///< 403: authenticated, but not entitled
    RateLimited,       ///< 429: the account's limit is spent
    Http,              ///< another HTTP error (404, 5xx, ...)
    NotOData,          ///< an answer, but not OData JSON (an HTML page, a proxy, garbage)
    Network,           ///< any other network failure (reset, proxy, ...)
};

/// "dns", "connection-refused", "tls", ... ("none" for None): stable, for tests and logs.
QString feedProbeFailureName(FeedProbeFailure failure);

/// What to test: the same inputs a sync takes.
struct FeedProbeRequest {
    QUrl feedUrl; ///< the OData service root
    FeedProfile profile;
    FeedAuth auth;
    Resource resource = Resource::Property; ///< whose first page is counted
    int timeoutMs = 15'000;                 ///< per request; a test should not hang for a minute
};

/// What a feed connection test found. On failure the fields of the steps that succeeded stay
/// filled, so a person sees how far it got.
struct FeedProbeResult {
    FeedProbeFailure failure = FeedProbeFailure::None;
    QString failedStep; ///< "service document", "$metadata", "Property page"
    QString message;    ///< what failed, why, what to check; no secrets

    double latencyMs = -1;  ///< the service document's round trip (after any token fetch)
    int status = 0;         ///< HTTP status of the last request made
    QString odataVersion;   ///< the OData-Version header
    QString server;         ///< the Server header, when the feed sends one
    QStringList entitySets; ///< what the service document lists
    QString auth;           ///< what authentication came to, for a person
    int tokensFetched = 0;  ///< OAuth2 tokens obtained during the test
    qint64 tokenLifetimeMs = -1;
    bool metadataReachable = false;
    int metadataStatus = 0;
    double metadataMs = -1;
    qint64 metadataBytes = 0;
    QString resource;        ///< e.g. "Property"
    qint64 recordCount = -1; ///< @odata.count of the resource, -1 when the feed gave none
    int pageRecords = -1;    ///< records on the first page ($top=1)
    double pageMs = -1;      ///< the page's round trip
    /// Rate-limit headers seen on any response (X-RateLimit-*, RateLimit-*, Retry-After,
    /// vendor quota headers), the latest value of each.
    QList<QPair<QByteArray, QByteArray>> rateLimitHeaders;

    bool ok() const { return failure == FeedProbeFailure::None; }
    /// A few lines for a person: what worked and what it measured, or the failure.
    QString summary() const;
};

/// Tests a feed connection asynchronously, the way a sync will use it: the service document
/// (latency, OData version, server, authentication: a static token accepted or an OAuth2
/// token obtained with its lifetime), `$metadata`, and the first page of a resource with
/// `$count` (record count, rate-limit headers). Every request goes through a FeedClient, so
/// the test sees what a sync would see, with one attempt per request: a probe reports what
/// happens, it does not retry it away.
///
/// Lives on the thread it was created on (HTTP is asynchronous; nothing blocks). One test at
/// a time: start() cancels a running one.
class FeedProbe final : public QObject {
    Q_OBJECT

public:
    explicit FeedProbe(QObject *parent = nullptr);
    ~FeedProbe() override;

    void start(const FeedProbeRequest &request);
    /// Stops a running test without finished().
    void cancel();
    bool isRunning() const;

Q_SIGNALS:
    void finished(const resosync::reso::FeedProbeResult &result);

private:
    struct Run;
    void fetchServiceDocument();
    void fetchMetadata();
    void fetchFirstPage();
    void noteHeaders(const FetchResult &fetch);
    void fail(const QString &step, const FetchResult &fetch);
    void finish();

    std::unique_ptr<Run> m_run;
};

} // namespace resosync::reso
