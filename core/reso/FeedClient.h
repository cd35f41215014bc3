#pragma once

#include "reso/FeedProfile.h"

#include <QByteArray>
#include <QList>
#include <QNetworkReply>
#include <QObject>
#include <QSslCertificate>
#include <QString>
#include <QUrl>

#include <functional>
#include <memory>

class QNetworkAccessManager;
class QNetworkRequest;

namespace resosync::metrics {
class MetricsRecorder;
}

namespace resosync::reso {

/// Credentials for a feed. Secrets live only in memory (from the environment or the keychain);
/// they are never logged, reported or put on a command line.
struct FeedAuth {
    AuthKind kind = AuthKind::None;
    QString staticToken;
    QUrl tokenUrl;
    QString clientId;
    QString clientSecret;
    QString scope = QStringLiteral("api");
    /// Certificate authorities trusted in addition to the system's (a private CA, e.g. a
    /// corporate proxy's). Certificate verification itself is never switched off.
    QList<QSslCertificate> extraCaCertificates;
};

/// Makes `request` trust `certificates` as well as the system's CAs (nothing when empty).
void trustExtraCaCertificates(QNetworkRequest &request, const QList<QSslCertificate> &certificates);

/// Why a fetch failed in the end (after its retries).
enum class FetchError {
    None,
    Network,      ///< connection refused, reset, DNS, TLS: the message says which
    Timeout,      ///< no complete response within the profile's timeout
    Http,         ///< a 4xx/5xx that retrying does not fix (the status and OData message say)
    Unauthorized, ///< 401 after one token refresh, or the token endpoint refused us
    RateLimited,  ///< 429s past the retry budget
    NotOData,     ///< a success status, but HTML or another non-JSON body: wrong URL?
    Cancelled,
};

/// "network", "timeout", "http", "unauthorized", "rate-limited", "not-odata", "cancelled"
/// ("none" for None).
QString fetchErrorName(FetchError error);

struct FetchResult {
    FetchError error = FetchError::None;
    int status = 0;       ///< HTTP status of the last attempt, 0 without a response
    QByteArray body;      ///< decoded (gunzipped) body of the last attempt
    QString message;      ///< for a person: what failed, why, what to check (no secrets)
    double elapsedMs = 0; ///< of the last attempt
    int attempts = 0;
    /// Qt's error of the last attempt: tells a DNS failure from a refused connection or a TLS
    /// error, which `error` (Network for all three) does not.
    QNetworkReply::NetworkError networkError = QNetworkReply::NoError;
    /// Response headers of the last attempt (OData-Version, rate-limit headers, ...).
    QList<QNetworkReply::RawHeaderPair> headers;
    bool ok() const { return error == FetchError::None; }
};

/// Asynchronous HTTP to one RESO feed, on the thread that owns it (one QNetworkAccessManager).
///
/// Each get() may take several attempts (profile.retry; at most maxAttempts(), default 6, for
/// transient errors): a 429 pauses *every* request (the vendor counts per account) for
/// Retry-After or, without one, backs off exponentially (1, 2, 4 .. 32 s, +-20% jitter); 5xx,
/// 408, network errors, timeouts and bodies cut short (fewer bytes than Content-Length, or JSON
/// that ends early) retry with the same backoff per request; a 401 refreshes an OAuth2 token
/// once; other 4xx fail at once. 429s do not use up a request's attempts: a circuit breaker
/// guards the feed instead. After profile.retry.circuitThreshold 429s in a row it opens:
/// every request waits circuitCoolOffMs, and the pause is logged ("circuit open: ..."),
/// marked as a RunEvent and signalled by warning(). After circuitMaxOpenings openings without
/// a successful response in between, the client gives up for its lifetime: every request
/// fails with RateLimited.
/// The client enforces the profile's rate limits (RateLimiter: per-second token bucket,
/// sliding hour/day windows) and the throttle (the least gap between request starts) itself,
/// across all requests, with at most six on the wire (QNAM's per-host connections). Every
/// attempt is recorded in the MetricsRecorder (latency, bytes, status, retries). The throttle
/// starts at profile.throttleMs. A Retry-After of more than 10 minutes fails the request with
/// RateLimited at once: the account's quota is spent, and a person should decide what next.
class FeedClient final : public QObject {
    Q_OBJECT

public:
    using Callback = std::function<void(const FetchResult &)>;

    FeedClient(const FeedProfile &profile, const FeedAuth &auth, metrics::MetricsRecorder *metrics,
               QObject *parent = nullptr);
    ~FeedClient() override;

    /// Queues a GET of `url` (verbatim: a nextLink is never edited). `done` runs on this
    /// object's thread exactly once, unless the client is destroyed first.
    void get(const QUrl &url, Callback done);
    /// Fails every queued and running request with FetchError::Cancelled, promptly.
    void cancelAll();
    void setThrottleMs(int ms);
    int throttleMs() const;
    int maxAttempts() const;
    void setMaxAttempts(int attempts);
    /// Backoff for retries without a Retry-After: `initialMs` doubling per retry up to `maxMs`,
    /// each with +-20% jitter (default 1 s .. 32 s). Tests and tuning shorten it.
    void setRetryDelays(int initialMs, int maxMs);
    const FeedProfile &profile() const;
    /// OAuth2 access tokens fetched so far (0 for a static token or no auth).
    int tokensFetched() const;
    /// Lifetime the token endpoint granted the current token (expires_in), or -1.
    qint64 tokenLifetimeMs() const;
    /// Requests waiting for their turn (throttle, rate limit, backoff) or on the wire.
    int pending() const;

    /// Counts requests that earlier processes started (milliseconds since the epoch) against
    /// the profile's limits, so this client does not spend the hourly or daily budget twice.
    void seedRequestHistory(const QList<qint64> &startsMsSinceEpoch);
    /// Starts of the requests sent since the last call (milliseconds since the epoch), for the
    /// ledger that carries the limits across restarts; always empty without limits.
    QList<qint64> takeRequestStarts();

Q_SIGNALS:
    /// Something a person running the sync should know: the circuit breaker opened, the
    /// hourly or daily budget is used up. Also logged and marked on the run's charts.
    void warning(const QString &message);

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace resosync::reso
