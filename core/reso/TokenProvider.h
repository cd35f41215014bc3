#pragma once

#include "reso/FeedClient.h"
#include "reso/RetryPolicy.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QObject>

#include <algorithm>

class QNetworkAccessManager;
class QNetworkReply;
class QTimer;

namespace resosync::reso {

/// The `Authorization` header for a feed: a static bearer token as configured, or an OAuth2
/// client-credentials token (RFC 6749 4.4: POST grant_type=client_credentials, client_id,
/// client_secret, scope to the token endpoint) fetched on demand, cached, and refreshed a
/// little before it expires (10% of its lifetime, at most a minute), or at once after a 401.
///
/// Lives on the FeedClient's thread and uses its QNetworkAccessManager. The secret is sent
/// only in the POST body to the token endpoint; it never appears in a message or log.
class TokenProvider final : public QObject {
    Q_OBJECT

public:
    TokenProvider(QNetworkAccessManager *network, const FeedAuth &auth, int timeoutMs,
                  QObject *parent = nullptr);
    ~TokenProvider() override;

    /// True for OAuth2 client credentials: the token can be fetched again after a 401.
    bool canRefresh() const { return m_auth.kind == AuthKind::ClientCredentials; }
    /// True when a request may start now: no token needed, or a cached one not due for refresh.
    bool isReady() const;
    /// `Bearer <token>`, or empty when the feed needs none (or none has been fetched yet).
    QByteArray authorization() const;
    /// Starts fetching a token unless a fetch is running (client credentials only). Once the
    /// endpoint refused the credentials, it is not asked again: failed() repeats its answer
    /// (from the event loop), so a disabled account is not hammered by every waiting request.
    void fetch();
    bool isFetching() const { return m_reply != nullptr || retryPending(); }
    /// After a 401 answered to `authorizationUsed`: forgets the token if it is still the
    /// current one, so the next isReady() is false and a fresh token is fetched.
    void invalidate(const QByteArray &authorizationUsed);
    /// Aborts a running fetch without signals.
    void abort();
    /// Token endpoint attempts before failed() (network errors and 5xx are retried).
    void setMaxAttempts(int attempts) { m_maxAttempts = std::max(1, attempts); }
    void setRetryPolicy(const RetryPolicy &policy) { m_retry = policy; }
    /// Tokens fetched so far.
    int tokensFetched() const { return m_fetched; }
    /// The lifetime the endpoint granted the last token (expires_in, an hour if it said
    /// nothing), or -1 before the first token.
    qint64 lifetimeMs() const { return m_lifetimeMs; }

Q_SIGNALS:
    void tokenReady();
    /// The token endpoint refused us (Unauthorized) or could not be reached (Network,
    /// Timeout, Http); `message` says what to check and carries no secret.
    void failed(resosync::reso::FetchError error, const QString &message);

private:
    bool retryPending() const;
    void startAttempt();
    void onFinished();
    QString scrub(QString text) const;

    QNetworkAccessManager *m_network;
    FeedAuth m_auth;
    int m_timeoutMs;
    RetryPolicy m_retry;
    int m_maxAttempts = 3;
    int m_attempt = 0;
    QNetworkReply *m_reply = nullptr;
    QTimer *m_retryTimer;
    QElapsedTimer m_clock;
    QByteArray m_token;
    qint64 m_refreshAtMs = 0; ///< on m_clock
    QString m_refusal;        ///< the endpoint's refusal of the credentials, once it came
    int m_fetched = 0;
    qint64 m_lifetimeMs = -1;
};

} // namespace resosync::reso
