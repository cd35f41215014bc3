#pragma once

#include "reso/FeedProfile.h"

#include <QByteArray>
#include <QObject>
#include <QString>
#include <QUrl>

#include <functional>
#include <memory>

class QNetworkAccessManager;

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
};

/// Why a fetch failed in the end (after its retries).
enum class FetchError {
    None,
    Network,      ///< connection refused, reset, DNS, TLS: the message says which
    Timeout,      ///< no complete response within the profile's timeout
    Http,         ///< a 4xx/5xx that retrying does not fix (the status and OData message say)
    Unauthorized, ///< 401 after one token refresh, or the token endpoint refused us
    RateLimited,  ///< 429s past the retry budget
    Cancelled,
};

struct FetchResult {
    FetchError error = FetchError::None;
    int status = 0;       ///< HTTP status of the last attempt, 0 without a response
    QByteArray body;      ///< decoded (gunzipped) body of the last attempt
    QString message;      ///< for a person: what failed, why, what to check (no secrets)
    double elapsedMs = 0; ///< of the last attempt
    int attempts = 0;
    bool ok() const { return error == FetchError::None; }
};

/// Asynchronous HTTP to one RESO feed, on the thread that owns it (one QNetworkAccessManager).
///
/// Each get() may take several attempts: 429 waits for Retry-After or backs off exponentially
/// (1, 2, 4 .. 32 s, with jitter, capped by RetryBudget), 5xx / resets / timeouts retry with
/// backoff, a 401 refreshes an OAuth2 token once. The client enforces the profile's rate limits
/// (token bucket) and the throttle (the least gap between request starts) itself, across all
/// requests. Every attempt is recorded in the MetricsRecorder (latency, bytes, status, retries).
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
    /// Requests waiting for their turn (throttle, rate limit, backoff) or on the wire.
    int pending() const;

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace resosync::reso
