#include "reso/TokenProvider.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>

namespace resosync::reso {

using namespace Qt::StringLiterals;

namespace {

Q_LOGGING_CATEGORY(lcToken, "resosync.reso.token", QtInfoMsg)

/// The token endpoint as shown to a person: no user info, no query.
QString shownUrl(const QUrl &url) {
    return url.adjusted(QUrl::RemoveUserInfo | QUrl::RemoveQuery | QUrl::RemoveFragment)
        .toDisplayString();
}

QByteArray formValue(const QString &value) {
    return QUrl::toPercentEncoding(value);
}

} // namespace

TokenProvider::TokenProvider(QNetworkAccessManager *network, const FeedAuth &auth, int timeoutMs,
                             QObject *parent)
    : QObject(parent)
    , m_network(network)
    , m_auth(auth)
    , m_timeoutMs(timeoutMs)
    , m_retryTimer(new QTimer(this)) {
    m_clock.start();
    m_retryTimer->setSingleShot(true);
    connect(m_retryTimer, &QTimer::timeout, this, &TokenProvider::startAttempt);
}

TokenProvider::~TokenProvider() {
    abort();
}

bool TokenProvider::retryPending() const {
    return m_retryTimer->isActive();
}

bool TokenProvider::isReady() const {
    if (m_auth.kind != AuthKind::ClientCredentials)
        return true;
    return !m_token.isEmpty() && m_clock.elapsed() < m_refreshAtMs;
}

QByteArray TokenProvider::authorization() const {
    switch (m_auth.kind) {
    case AuthKind::None:
        return {};
    case AuthKind::StaticToken:
        return m_auth.staticToken.isEmpty() ? QByteArray()
                                            : "Bearer " + m_auth.staticToken.toUtf8();
    case AuthKind::ClientCredentials:
        return m_token.isEmpty() ? QByteArray() : "Bearer " + m_token;
    }
    return {};
}

void TokenProvider::fetch() {
    if (!canRefresh() || isFetching())
        return;
    if (!m_refusal.isEmpty()) {
        QTimer::singleShot(0, this, [this] { Q_EMIT failed(FetchError::Unauthorized, m_refusal); });
        return;
    }
    m_attempt = 0;
    startAttempt();
}

void TokenProvider::invalidate(const QByteArray &authorizationUsed) {
    if (canRefresh() && !m_token.isEmpty() && authorizationUsed == "Bearer " + m_token)
        m_token.clear();
}

void TokenProvider::abort() {
    m_retryTimer->stop();
    if (QNetworkReply *reply = m_reply) {
        m_reply = nullptr;
        disconnect(reply, nullptr, this, nullptr);
        reply->abort();
        reply->deleteLater();
    }
}

void TokenProvider::startAttempt() {
    ++m_attempt;
    QNetworkRequest request(m_auth.tokenUrl);
    request.setHeader(QNetworkRequest::ContentTypeHeader,
                      QByteArrayLiteral("application/x-www-form-urlencoded"));
    request.setRawHeader("Accept", "application/json");
    request.setTransferTimeout(m_timeoutMs);
    trustExtraCaCertificates(request, m_auth.extraCaCertificates);
    QByteArray body = "grant_type=client_credentials&client_id=" + formValue(m_auth.clientId) +
                      "&client_secret=" + formValue(m_auth.clientSecret);
    if (!m_auth.scope.isEmpty())
        body += "&scope=" + formValue(m_auth.scope);
    qCDebug(lcToken) << "requesting an access token from" << shownUrl(m_auth.tokenUrl);
    m_reply = m_network->post(request, body);
    connect(m_reply, &QNetworkReply::finished, this, &TokenProvider::onFinished);
}

QString TokenProvider::scrub(QString text) const {
    if (!m_auth.clientSecret.isEmpty())
        text.replace(m_auth.clientSecret, u"***"_s);
    return text;
}

void TokenProvider::onFinished() {
    QNetworkReply *reply = m_reply;
    if (!reply)
        return;
    m_reply = nullptr;
    reply->deleteLater();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray body = reply->isOpen() ? reply->readAll() : QByteArray();
    const QNetworkReply::NetworkError error = reply->error();
    const QString where = shownUrl(m_auth.tokenUrl);

    if (status == 200) {
        const QJsonObject json = QJsonDocument::fromJson(body).object();
        const QString token = json.value(u"access_token"_s).toString();
        if (!token.isEmpty()) {
            // expires_in is optional (RFC 6749 5.1); an hour is the usual default.
            const QJsonValue expires = json.value(u"expires_in"_s);
            qint64 lifetimeMs = 3'600'000;
            if (expires.isDouble())
                lifetimeMs = qint64(expires.toDouble() * 1000);
            else if (expires.isString())
                lifetimeMs = expires.toString().toLongLong() * 1000;
            lifetimeMs = std::max<qint64>(lifetimeMs, 0);
            // Refresh a little before the vendor's expiry: our clock started after theirs
            // and a request in flight must still carry a valid token when it arrives.
            const qint64 margin = std::min<qint64>(60'000, lifetimeMs / 10);
            m_token = token.toUtf8();
            m_lifetimeMs = lifetimeMs;
            m_refreshAtMs = m_clock.elapsed() + lifetimeMs - margin;
            ++m_fetched;
            qCDebug(lcToken) << "access token received, valid for" << lifetimeMs / 1000 << "s";
            Q_EMIT tokenReady();
            return;
        }
        Q_EMIT failed(FetchError::Http,
                      u"The token endpoint "_s + where +
                          u" answered 200 without an access_token. Check the token URL: it "
                          "should be the vendor's OAuth2 endpoint."_s);
        return;
    }

    if (status == 400 || status == 401 || status == 403) {
        // RFC 6749 5.2: {"error":"invalid_client","error_description":"..."}
        const QJsonObject json = QJsonDocument::fromJson(body).object();
        QString reason = json.value(u"error"_s).toString();
        const QString description = json.value(u"error_description"_s).toString();
        if (!description.isEmpty())
            reason += (reason.isEmpty() ? u""_s : u": "_s) + description;
        QString text = u"The token endpoint "_s + where +
                       u" refused the client credentials (HTTP "_s + QString::number(status);
        if (!reason.isEmpty())
            text += u", "_s + reason.left(300);
        text += u"). Check the client id and client secret configured for this feed, and "
                "the scope ("_s +
                (m_auth.scope.isEmpty() ? u"none"_s : m_auth.scope) + u")."_s;
        m_refusal = scrub(text);
        Q_EMIT failed(FetchError::Unauthorized, m_refusal);
        return;
    }

    const bool timedOut =
        error == QNetworkReply::OperationCanceledError || error == QNetworkReply::TimeoutError;
    const bool transient = status == 0 || status == 408 || status == 429 || status >= 500;
    if (transient && m_attempt < m_maxAttempts) {
        const int delay = m_retry.delayMs(m_attempt);
        qCInfo(lcToken).noquote() << "token request failed (" << scrub(reply->errorString())
                                  << "), retrying in" << delay << "ms";
        m_retryTimer->start(delay);
        return;
    }
    if (status == 0) {
        const QString why =
            timedOut ? u"no answer within "_s + QString::number(m_timeoutMs / 1000) + u" s"_s
                     : reply->errorString();
        Q_EMIT failed(timedOut ? FetchError::Timeout : FetchError::Network,
                      scrub(u"Could not get an access token from "_s + where + u" after "_s +
                            QString::number(m_attempt) + u" attempts: "_s + why +
                            u". Check the token URL and the network between this machine and "
                            "the vendor."_s));
        return;
    }
    Q_EMIT failed(FetchError::Http,
                  u"The token endpoint "_s + where + u" answered HTTP "_s +
                      QString::number(status) + u" after "_s + QString::number(m_attempt) +
                      u" attempts. Check the token URL; if it is right, the vendor's "
                      "authorization service is having trouble."_s);
}

} // namespace resosync::reso
