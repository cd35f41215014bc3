#include "reso/FeedClient.h"

#include "metrics/MetricsRecorder.h"
#include "reso/RateLimiter.h"
#include "reso/ResponseCheck.h"
#include "reso/RetryPolicy.h"
#include "reso/TokenProvider.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPointer>
#include <QSslConfiguration>
#include <QTimer>
#include <QUrlQuery>

#include <algorithm>
#include <deque>
#include <limits>
#include <utility>

namespace resosync::reso {

using namespace Qt::StringLiterals;

namespace {

Q_LOGGING_CATEGORY(lcFetch, "resosync.reso.fetch", QtInfoMsg)

/// QNAM opens at most six connections per host (not configurable before Qt 6.5): more
/// requests in flight would only queue inside QNAM, where our timing cannot see them.
constexpr int kMaxInFlight = 6;
/// A Retry-After longer than this fails the request instead of parking it: the account's
/// hourly or daily quota is spent and a person should decide, not a sleeping client.
constexpr qint64 kMaxRetryAfterMs = 10 * 60 * 1000;
constexpr qsizetype kMaxKeptStarts = 200'000;
/// A wait for the hourly or daily budget longer than this is announced (once per wait).
constexpr qint64 kAnnouncedWaitMs = 60 * 1000;
constexpr qsizetype kShownUrlLength = 300;
/// The most of an announced Content-Length reserved up front; a larger body still arrives,
/// growing as it comes (a hostile header cannot make us allocate a gigabyte).
constexpr qint64 kMaxReservedBody = 64 * 1024 * 1024;

struct Request {
    QUrl url;
    FeedClient::Callback done;
    int attempts = 0;
    int rateLimited = 0;         ///< of the attempts, those answered 429 (not a failure's budget)
    bool tokenRefreshed = false; ///< a 401 already made us fetch a fresh token once
    qint64 notBeforeMs = 0;      ///< backoff: not before this time on the client's clock
    // The attempt on the wire:
    QNetworkReply *reply = nullptr;
    QByteArray body;
    qint64 startedMs = 0;
    qint64 startedNs = 0;
    qint64 contentLength = -1; ///< as announced; QNAM drops it when it decompresses
    QByteArray authorization;  ///< what this attempt sent, to invalidate exactly that token
};
using RequestPtr = std::shared_ptr<Request>;

/// Moves what the reply has buffered to the end of `body`: one copy, no temporary (readAll()
/// and += copied every page twice and reallocated as it grew: 5% of a Media load's CPU).
void appendAvailable(QNetworkReply *reply, QByteArray &body) {
    const qint64 available = reply->bytesAvailable();
    if (available <= 0)
        return;
    const qsizetype before = body.size();
    body.resize(before + qsizetype(available));
    const qint64 read = reply->read(body.data() + before, available);
    body.resize(before + qsizetype(std::max<qint64>(0, read)));
}

/// The URL as shown to a person: no user info, percent-decoding where readable, elided.
QString shownUrl(const QUrl &url) {
    QString shown = url.adjusted(QUrl::RemoveUserInfo).toDisplayString();
    if (shown.size() > kShownUrlLength) {
        const qsizetype bytes = url.toEncoded().size();
        shown =
            shown.left(kShownUrlLength - 1) + u"\u2026 ("_s + QString::number(bytes) + u" bytes)"_s;
    }
    return shown;
}

bool isJsonContent(const QNetworkReply *reply, const QByteArray &body) {
    const QByteArray type = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
    if (!type.isEmpty())
        return type.contains("json");
    const QByteArray start = body.left(16).trimmed();
    return start.startsWith('{') || start.startsWith('[');
}

/// Why a successful answer is not an OData JSON page ("text/html, not OData JSON"), or empty
/// when it may be one. A declared non-JSON type decides; without one, the first byte does.
QString notODataAnswer(const QNetworkReply *reply, const QByteArray &body) {
    const QByteArray type = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
    const QByteArray mediaType = type.left(type.indexOf(';')).trimmed().toLower();
    if (!mediaType.isEmpty() && !mediaType.contains("json"))
        return QString::fromLatin1(mediaType) + u", not OData JSON"_s;
    const QByteArray start = body.trimmed().left(60);
    if (start.isEmpty() || start.startsWith('{') || start.startsWith('['))
        return {};
    return u"something that is not JSON (it starts with \""_s +
           QString::fromUtf8(start).simplified() + u"\"), not OData JSON"_s;
}

/// What one attempt came to, and what to tell a person if it is the last.
struct Verdict {
    enum Kind { Ok, Retry, RateLimited, Unauthorized, Fail };
    Kind kind = Ok;
    FetchError error = FetchError::None; ///< if no retry follows
    QString why;
    QString check;
};

QString httpWhy(int status, const QString &reason, const QString &odataMessage) {
    QString why = u"HTTP "_s + QString::number(status);
    if (!reason.isEmpty())
        why += u' ' + reason;
    if (!odataMessage.isEmpty())
        why += u": "_s + odataMessage;
    return why;
}

} // namespace

QString fetchErrorName(FetchError error) {
    switch (error) {
    case FetchError::None:
        return u"none"_s;
    case FetchError::Network:
        return u"network"_s;
    case FetchError::Timeout:
        return u"timeout"_s;
    case FetchError::Http:
        return u"http"_s;
    case FetchError::Unauthorized:
        return u"unauthorized"_s;
    case FetchError::RateLimited:
        return u"rate-limited"_s;
    case FetchError::NotOData:
        return u"not-odata"_s;
    case FetchError::Cancelled:
        return u"cancelled"_s;
    }
    return u"unknown"_s;
}

void trustExtraCaCertificates(QNetworkRequest &request,
                              const QList<QSslCertificate> &certificates) {
    if (certificates.isEmpty())
        return;
    // The default configuration carries the system's CAs and full peer verification; the
    // extra ones are added to it, never substituted for verification.
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.addCaCertificates(certificates);
    request.setSslConfiguration(configuration);
}

struct FeedClient::Impl {
    Impl(FeedClient *client, const FeedProfile &feedProfile, const FeedAuth &auth,
         metrics::MetricsRecorder *recorder)
        : q(client)
        , profile(feedProfile)
        , metrics(recorder)
        , network(new QNetworkAccessManager(client))
        , tokens(new TokenProvider(network, auth, feedProfile.requestTimeoutMs, client))
        , wakeTimer(new QTimer(client))
        , limiter(feedProfile.limits)
        , authKind(auth.kind)
        , extraCaCertificates(auth.extraCaCertificates)
        , throttleMs(std::max(0, feedProfile.throttleMs))
        , keepStarts(!limiter.isUnlimited()) {
        clock.start();
        wakeTimer->setSingleShot(true);
        wakeTimer->setTimerType(Qt::PreciseTimer);
    }

    qint64 now() const { return clock.elapsed(); }
    void dispatch();
    void start(const RequestPtr &request);
    void onFinished(const RequestPtr &request);
    Verdict judge(const RequestPtr &request, QNetworkReply *reply, int status);
    void requeue(const RequestPtr &request, qint64 notBeforeMs);
    /// Runs the request's callback; false if the callback destroyed the client.
    bool complete(const RequestPtr &request, FetchResult result);
    FetchResult failure(const RequestPtr &request, FetchError error, const QString &why,
                        const QString &check) const;
    void onTokenFailed(FetchError error, const QString &message);
    /// Fails every queued request with `error`; false if a callback destroyed the client.
    bool failWaiting(FetchError error, const QString &why);
    QList<RequestPtr> takeAll();
    /// Transient-error attempts so far (429s excluded: the circuit breaker rules those).
    bool mayRetry(const Request &request) const {
        return request.attempts - request.rateLimited < maxAttempts;
    }
    void openCircuit(qint64 t);
    QString circuitGiveUpMessage() const;
    void announceBudgetWait(qint64 t, qint64 gate);
    void warn(const QString &message);

    FeedClient *q;
    FeedProfile profile;
    metrics::MetricsRecorder *metrics;
    QNetworkAccessManager *network;
    TokenProvider *tokens;
    QTimer *wakeTimer;
    RateLimiter limiter;
    RetryPolicy retry;
    AuthKind authKind;
    QList<QSslCertificate> extraCaCertificates;
    QElapsedTimer clock;
    int throttleMs;
    int maxAttempts = 6;
    std::deque<RequestPtr> queue;
    QList<RequestPtr> running;
    qint64 lastStartMs = -1;
    qint64 pauseUntilMs = 0; ///< after a 429 nothing starts before this (the limit is per account)
    qint64 pauseSetMs = -1;  ///< when the current 429 pause began
    int rateLimitLevel = 0;  ///< 429 episodes in a row without Retry-After: the backoff step
    int consecutive429 = 0;  ///< 429 answers in a row, over all requests
    int circuitOpenings = 0; ///< circuit openings since the last successful response
    bool circuitGaveUp = false;
    bool budgetWaitAnnounced = false;
    bool keepStarts = false; ///< record request starts for the ledger (the profile has limits)
    QList<qint64> newStarts; ///< request starts since takeRequestStarts(), ms since the epoch
    bool dispatching = false;
};

void FeedClient::Impl::dispatch() {
    if (dispatching)
        return;
    dispatching = true;
    wakeTimer->stop();
    while (!queue.empty() && running.size() < kMaxInFlight) {
        if (!tokens->isReady()) {
            tokens->fetch(); // tokenReady or failed brings us back
            break;
        }
        const qint64 t = now();
        const qint64 limitGate = limiter.nextStartMs(t);
        if (limitGate - t > kAnnouncedWaitMs)
            announceBudgetWait(t, limitGate);
        qint64 gate = std::max({t, pauseUntilMs, limitGate});
        if (lastStartMs >= 0)
            gate = std::max(gate, lastStartMs + throttleMs);
        // The oldest request whose own backoff is over goes first; retries sit in front.
        auto next = std::find_if(queue.begin(), queue.end(),
                                 [t](const RequestPtr &r) { return r->notBeforeMs <= t; });
        qint64 wake = gate;
        if (next == queue.end()) {
            qint64 earliest = std::numeric_limits<qint64>::max();
            for (const RequestPtr &r : queue)
                earliest = std::min(earliest, r->notBeforeMs);
            wake = std::max(wake, earliest);
        }
        if (wake > t) {
            wakeTimer->start(int(std::min<qint64>(wake - t, std::numeric_limits<int>::max())));
            break;
        }
        const RequestPtr request = *next;
        queue.erase(next);
        start(request);
    }
    dispatching = false;
}

void FeedClient::Impl::start(const RequestPtr &request) {
    const qint64 t = now();
    limiter.recordStart(t);
    if (keepStarts) {
        // Bounded for a client nobody takes the starts from: a day at 2 requests a second.
        if (newStarts.size() >= kMaxKeptStarts)
            newStarts.removeFirst();
        newStarts.append(QDateTime::currentMSecsSinceEpoch());
    }
    budgetWaitAnnounced = false;
    lastStartMs = t;
    ++request->attempts;
    request->body.clear();
    request->contentLength = -1;
    request->startedMs = t;
    request->startedNs = clock.nsecsElapsed();

    QNetworkRequest http(request->url);
    http.setRawHeader("Accept", "application/json");
    // QNAM negotiates gzip itself and decompresses only if Accept-Encoding is NOT set by hand;
    // setting it to identity turns compression off.
    if (!profile.compressResponses)
        http.setRawHeader("Accept-Encoding", "identity");
    for (const auto &[name, value] : profile.headers) {
        // Accept-Encoding follows the profile's compressResponses; Authorization comes from
        // the token provider.
        const QByteArray lower = name.toLower();
        if (lower == "accept-encoding" || lower == "authorization")
            continue;
        http.setRawHeader(name, value);
    }
    request->authorization = tokens->authorization();
    if (!request->authorization.isEmpty())
        http.setRawHeader("Authorization", request->authorization);
    if (profile.sendMaxPageSize) {
        const int top = QUrlQuery(request->url).queryItemValue(u"$top"_s).toInt();
        http.setRawHeader("Prefer", "odata.maxpagesize=" +
                                        QByteArray::number(top > 0 ? top : profile.batchSize));
    }
    if (profile.requestTimeoutMs > 0)
        http.setTransferTimeout(profile.requestTimeoutMs);
    trustExtraCaCertificates(http, extraCaCertificates);

    QNetworkReply *reply = network->get(http);
    request->reply = reply;
    running.append(request);
    Request *raw = request.get();
    QObject::connect(reply, &QNetworkReply::metaDataChanged, q, [reply, raw] {
        const QVariant length = reply->header(QNetworkRequest::ContentLengthHeader);
        if (length.isValid()) {
            raw->contentLength = length.toLongLong();
            raw->body.reserve(
                qsizetype(std::clamp<qint64>(raw->contentLength, 0, kMaxReservedBody)));
        }
    });
    QObject::connect(reply, &QNetworkReply::readyRead, q,
                     [reply, raw] { appendAvailable(reply, raw->body); });
    QObject::connect(reply, &QNetworkReply::finished, q, [this, request] { onFinished(request); });
    qCDebug(lcFetch).noquote() << "GET" << shownUrl(request->url) << "attempt" << request->attempts;
}

Verdict FeedClient::Impl::judge(const RequestPtr &request, QNetworkReply *reply, int status) {
    const QNetworkReply::NetworkError error = reply->error();
    Verdict v;
    if (status == 0) {
        // No HTTP response at all. Our own aborts are disconnected before they happen, so a
        // cancel here is QNAM's transfer timeout (Qt 6.4 reports it as OperationCanceled).
        v.kind = Verdict::Retry;
        v.error = FetchError::Network;
        v.why = reply->errorString();
        switch (error) {
        case QNetworkReply::OperationCanceledError:
        case QNetworkReply::TimeoutError:
            v.error = FetchError::Timeout;
            v.why = u"no data for "_s + QString::number(profile.requestTimeoutMs / 1000.0) +
                    u" s (the profile's request timeout)"_s;
            v.check = u"Check the network; a slow feed may need a longer request timeout."_s;
            break;
        case QNetworkReply::HostNotFoundError:
            v.check = u"Check the feed URL's host name and this machine's DNS and network."_s;
            break;
        case QNetworkReply::ConnectionRefusedError:
            v.check = u"Check the feed URL (host and port) and that the feed is up and "
                      "reachable from this machine."_s;
            break;
        case QNetworkReply::SslHandshakeFailedError:
            // A certificate problem does not fix itself: no retry.
            v.kind = Verdict::Fail;
            v.why = u"TLS handshake failed: "_s + reply->errorString();
            v.check = u"Check the server's TLS certificate (expired, self-signed, or issued for "
                      "another host name) and this machine's CA certificates."_s;
            break;
        case QNetworkReply::ProxyConnectionRefusedError:
        case QNetworkReply::ProxyConnectionClosedError:
        case QNetworkReply::ProxyNotFoundError:
        case QNetworkReply::ProxyTimeoutError:
        case QNetworkReply::ProxyAuthenticationRequiredError:
            v.check = u"Check the proxy settings (http_proxy / https_proxy)."_s;
            break;
        case QNetworkReply::ProtocolUnknownError:
        case QNetworkReply::ProtocolInvalidOperationError:
            v.kind = Verdict::Fail;
            v.check = u"Check the feed URL: it must be an http:// or https:// URL."_s;
            break;
        default:
            v.check = u"The connection failed or dropped; check the network (and any proxy) "
                      "between this machine and the feed."_s;
            break;
        }
        return v;
    }

    if (status == 429) {
        v.kind = Verdict::RateLimited;
        v.error = FetchError::RateLimited;
        v.why = httpWhy(status, u"Too Many Requests"_s, odataErrorMessage(request->body));
        const RateLimits &l = profile.limits;
        v.check = u"The vendor's rate limit for this account was exceeded; check the profile's "
                  "limits (per second "_s +
                  QString::number(l.perSecond) + u", per hour "_s + QString::number(l.perHour) +
                  u", per day "_s + QString::number(l.perDay) +
                  u"; 0 = none) against the vendor's, and whether another tool uses the same "
                  "account."_s;
        return v;
    }

    const QString reason = reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString();
    if (status >= 200 && status < 300) {
        // Qt 6.4 can hand a body cut short over as a clean 200: compare with Content-Length
        // where QNAM kept it, else check a JSON body is complete (QNAM drops the length of a
        // body it decompressed). A body of exactly its announced length needs no scan.
        const qint64 received = request->body.size();
        const bool lengthKnown = request->contentLength >= 0;
        if (error == QNetworkReply::OperationCanceledError ||
            error == QNetworkReply::TimeoutError) {
            v.kind = Verdict::Retry;
            v.error = FetchError::Timeout;
            v.why = u"the body stalled after "_s + QString::number(received) +
                    u" bytes for longer than the profile's request timeout ("_s +
                    QString::number(profile.requestTimeoutMs / 1000.0) + u" s)"_s;
            v.check = u"Check the network; a slow feed may need a longer request timeout."_s;
            return v;
        }
        // $metadata is CSDL XML by definition; everything else a feed serves is JSON.
        const bool metadata = request->url.path().endsWith("/$metadata"_L1);
        if (const QString notOData = metadata ? QString() : notODataAnswer(reply, request->body);
            !notOData.isEmpty()) {
            // A web page or garbage where the feed should be: a wrong service root (or a
            // login page in front of it). Retrying does not change what is there.
            v.kind = Verdict::Fail;
            v.error = FetchError::NotOData;
            v.why =
                u"the feed at "_s +
                request->url.adjusted(QUrl::RemoveUserInfo | QUrl::RemoveQuery).toDisplayString() +
                u" answered "_s + notOData;
            v.check = u"Check the service root URL (--api): it must be the feed's OData endpoint, "
                      "e.g. https://api.example.com/odata."_s;
            return v;
        }
        QString shortBy;
        if (error != QNetworkReply::NoError)
            shortBy = reply->errorString() + u" after "_s + QString::number(received) + u" bytes"_s;
        else if (lengthKnown && received < request->contentLength)
            shortBy = u"got "_s + QString::number(received) + u" of "_s +
                      QString::number(request->contentLength) + u" bytes"_s;
        else if (!lengthKnown && status != 204 && isJsonContent(reply, request->body) &&
                 !isCompleteJson(request->body))
            shortBy = u"the JSON body ends early ("_s + QString::number(received) + u" bytes)"_s;
        if (shortBy.isEmpty())
            return v; // Ok
        v.kind = Verdict::Retry;
        v.error = FetchError::Network;
        v.why =
            u"HTTP "_s + QString::number(status) + u" but the response was cut short: "_s + shortBy;
        v.check = u"The connection dropped mid-response; check the network (and any proxy) "
                  "between this machine and the feed."_s;
        return v;
    }

    const QString odata = odataErrorMessage(request->body);
    v.why = httpWhy(status, reason, odata);
    v.error = FetchError::Http;
    if (status == 401) {
        v.kind = Verdict::Unauthorized;
        v.error = FetchError::Unauthorized;
        switch (authKind) {
        case AuthKind::ClientCredentials:
            v.check = u"A fresh access token was refused too: check the client id and secret "
                      "for this feed and that the account may read this resource."_s;
            break;
        case AuthKind::StaticToken:
            v.check = u"Check the bearer token configured for this feed (expired, revoked, or "
                      "for another feed?)."_s;
            break;
        case AuthKind::None:
            v.check = u"The feed requires authentication: configure a bearer token or OAuth2 "
                      "client credentials for it."_s;
            break;
        }
        return v;
    }
    if (status >= 500 || status == 408) {
        v.kind = Verdict::Retry;
        v.check = u"The feed is having trouble; try again later (the vendor's status page may "
                  "say more)."_s;
        return v;
    }
    v.kind = Verdict::Fail;
    switch (status) {
    case 400:
        v.check = u"Check the query (filter syntax, field names, $top at most "_s +
                  QString::number(profile.maxTop) +
                  u"); a stale nextLink also answers 400: restart the query from the saved "
                  "cursor."_s;
        break;
    case 403:
        v.check = u"The account may not be entitled to this resource or field; check its "
                  "permissions with the vendor."_s;
        break;
    case 404:
        v.check = u"Check the feed URL and the resource name."_s;
        break;
    case 414:
        v.check = u"The URL is "_s +
                  QString::number(
                      request->url.toEncoded(QUrl::RemoveScheme | QUrl::RemoveAuthority).size()) +
                  u" bytes, too long for this feed: lower the profile's URL length cap (now "_s +
                  QString::number(profile.maxUrlLength) +
                  u") so key filters are split into shorter requests."_s;
        break;
    default:
        v.check = u"The feed refused the request; check the query against the feed's "
                  "documentation."_s;
        break;
    }
    return v;
}

FetchResult FeedClient::Impl::failure(const RequestPtr &request, FetchError error,
                                      const QString &why, const QString &check) const {
    FetchResult result;
    result.error = error;
    result.attempts = request->attempts;
    QString text = u"GET "_s + shownUrl(request->url) + u" failed"_s;
    if (request->attempts > 1)
        text += u" after "_s + QString::number(request->attempts) + u" attempts"_s;
    text += u": "_s + why + u". "_s + check;
    result.message = text;
    return result;
}

void FeedClient::Impl::requeue(const RequestPtr &request, qint64 notBeforeMs) {
    if (metrics)
        metrics->recordApiRetry();
    request->notBeforeMs = notBeforeMs;
    queue.push_front(request); // older than anything queued since
}

bool FeedClient::Impl::complete(const RequestPtr &request, FetchResult result) {
    Callback done = std::move(request->done);
    request->done = nullptr;
    if (!done)
        return true;
    const QPointer<FeedClient> alive(q);
    done(result);
    return !alive.isNull();
}

void FeedClient::Impl::onFinished(const RequestPtr &request) {
    QNetworkReply *reply = request->reply;
    request->reply = nullptr;
    running.removeOne(request);
    QObject::disconnect(reply, nullptr, q, nullptr);
    reply->deleteLater();
    if (reply->isOpen()) // not after QNAM aborted it (transfer timeout)
        appendAvailable(reply, request->body);

    const qint64 t = now();
    const double elapsedMs = double(clock.nsecsElapsed() - request->startedNs) / 1e6;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const qint64 bytes = request->body.size();
    limiter.recordBytes(t, bytes);
    const Verdict verdict = judge(request, reply, status);
    if (metrics)
        metrics->recordApiRequest(elapsedMs, bytes, status, verdict.kind == Verdict::Ok);
    if (status != 0 && status != 429) {
        rateLimitLevel = 0;
        consecutive429 = 0;
    }
    if (verdict.kind == Verdict::Ok)
        circuitOpenings = 0;
    bool gaveUp = false;

    FetchResult result;
    bool retrying = false;
    switch (verdict.kind) {
    case Verdict::Ok:
        result.error = FetchError::None;
        result.attempts = request->attempts;
        break;
    case Verdict::Retry:
        if (mayRetry(*request)) {
            const int delay = retry.delayMs(request->attempts);
            qCDebug(lcFetch).noquote() << "GET" << shownUrl(request->url) << ":" << verdict.why
                                       << "- retry in" << delay << "ms";
            requeue(request, t + delay);
            retrying = true;
        }
        break;
    case Verdict::RateLimited: {
        ++request->rateLimited;
        const auto retryAfter = RetryPolicy::parseRetryAfter(reply->rawHeader("Retry-After"),
                                                             QDateTime::currentDateTimeUtc());
        if (retryAfter && *retryAfter > kMaxRetryAfterMs) {
            result = failure(request, FetchError::RateLimited,
                             verdict.why + u" (Retry-After asks for "_s +
                                 QString::number(*retryAfter / 60'000) + u" minutes)"_s,
                             u"The account's hourly or daily quota is probably used up; resume "
                             "later or check the vendor's limits for this account."_s);
            break;
        }
        if (circuitGaveUp) {
            result = failure(request, FetchError::RateLimited, verdict.why, circuitGiveUpMessage());
            break;
        }
        // A streak counts the requests sent after the last pause began: those on the wire
        // together when one 429 came back are one refusal of the account, not several.
        const bool probe = request->startedMs >= pauseSetMs;
        if (probe && profile.retry.circuitThreshold > 0 &&
            ++consecutive429 >= profile.retry.circuitThreshold) {
            consecutive429 = 0;
            if (++circuitOpenings > profile.retry.circuitMaxOpenings) {
                circuitGaveUp = gaveUp = true;
                warn(u"circuit open for good: "_s + circuitGiveUpMessage());
                result =
                    failure(request, FetchError::RateLimited, verdict.why, circuitGiveUpMessage());
                break;
            }
            openCircuit(t);
        }
        // One 429 pauses every request: the vendor counts per account, not per request.
        // Without Retry-After, back off 1, 2, 4 .. 32 s; only a request started after the
        // current pause began escalates it (the others were already on the wire).
        qint64 waitMs = 0;
        if (retryAfter)
            waitMs = *retryAfter;
        else if (request->startedMs >= pauseSetMs)
            waitMs = retry.delayMs(++rateLimitLevel);
        if (t + waitMs > pauseUntilMs) {
            pauseUntilMs = t + waitMs;
            pauseSetMs = t;
            qCDebug(lcFetch).noquote() << "HTTP 429: pausing all requests for" << waitMs << "ms"
                                       << (retryAfter ? "(Retry-After)" : "(backoff)");
        }
        requeue(request, pauseUntilMs);
        retrying = true;
        break;
    }
    case Verdict::Unauthorized:
        // An OAuth2 token may have expired early or been revoked: fetch a fresh one, once.
        if (tokens->canRefresh() && !request->tokenRefreshed && mayRetry(*request)) {
            request->tokenRefreshed = true;
            tokens->invalidate(request->authorization);
            requeue(request, t);
            retrying = true;
        }
        break;
    case Verdict::Fail:
        break;
    }

    if (!retrying) {
        if (verdict.kind != Verdict::Ok && result.message.isEmpty())
            result = failure(request, verdict.error, verdict.why, verdict.check);
        result.status = status;
        result.networkError = reply->error();
        result.headers = reply->rawHeaderPairs();
        result.body = std::move(request->body);
        result.elapsedMs = elapsedMs;
        if (!complete(request, std::move(result)))
            return;
    }
    if (gaveUp &&
        !failWaiting(FetchError::RateLimited, u"was not sent: "_s + circuitGiveUpMessage()))
        return;
    dispatch();
}

void FeedClient::Impl::warn(const QString &message) {
    qCWarning(lcFetch).noquote() << message;
    if (metrics)
        metrics->markEvent(message);
    Q_EMIT q->warning(message);
}

void FeedClient::Impl::openCircuit(qint64 t) {
    const int coolOffMs = std::max(0, profile.retry.circuitCoolOffMs);
    if (t + coolOffMs > pauseUntilMs) {
        pauseUntilMs = t + coolOffMs;
        pauseSetMs = t;
    }
    warn(u"circuit open: the feed rate-limited %1 requests in a row; pausing %2 s"_s
             .arg(profile.retry.circuitThreshold)
             .arg(QString::number(coolOffMs / 1000.0)));
}

QString FeedClient::Impl::circuitGiveUpMessage() const {
    return u"the feed kept rate-limiting (HTTP 429) through %1 pauses of %2 s. The account's "
           "quota is probably used up, or another tool shares it: resume later, and check the "
           "profile's rate limits against the vendor's."_s.arg(profile.retry.circuitMaxOpenings)
               .arg(QString::number(std::max(0, profile.retry.circuitCoolOffMs) / 1000.0));
}

void FeedClient::Impl::announceBudgetWait(qint64 t, qint64 gate) {
    if (budgetWaitAnnounced)
        return;
    budgetWaitAnnounced = true;
    const RateLimits &l = profile.limits;
    QString which;
    if (l.perHour > 0 && limiter.startsInLastHour(t) >= l.perHour)
        which = u"%1 requests per hour"_s.arg(l.perHour);
    else if (l.perDay > 0 && limiter.startsInLastDay(t) >= l.perDay)
        which = u"%1 requests per day"_s.arg(l.perDay);
    else
        which = u"%1 bytes per hour"_s.arg(l.bytesPerHour);
    const QDateTime until = QDateTime::currentDateTime().addMSecs(gate - t);
    warn(u"the profile's limit of %1 is used up (counting earlier runs); the next request waits "
         "%2 min, until %3"_s.arg(which)
             .arg(QString::number(double(gate - t) / 60'000.0, 'f', 1))
             .arg(until.toString(u"HH:mm:ss"_s)));
}

void FeedClient::Impl::onTokenFailed(FetchError error, const QString &message) {
    // No request can go out without a token: fail the waiting ones (those on the wire carry
    // an older token and finish on their own).
    if (failWaiting(error, u"could not be sent: no access token. "_s + message))
        dispatch();
}

bool FeedClient::Impl::failWaiting(FetchError error, const QString &why) {
    std::deque<RequestPtr> waiting;
    waiting.swap(queue);
    const QPointer<FeedClient> alive(q);
    for (const RequestPtr &request : waiting) {
        FetchResult result;
        result.error = error;
        result.attempts = request->attempts;
        result.message = u"GET "_s + shownUrl(request->url) + u' ' + why;
        if (!complete(request, std::move(result)))
            return false;
    }
    return !alive.isNull();
}

QList<RequestPtr> FeedClient::Impl::takeAll() {
    wakeTimer->stop();
    tokens->abort();
    QList<RequestPtr> all = running;
    running.clear();
    for (const RequestPtr &request : std::as_const(all)) {
        QNetworkReply *reply = request->reply;
        request->reply = nullptr;
        // Disconnect first: abort() emits finished synchronously.
        QObject::disconnect(reply, nullptr, q, nullptr);
        reply->abort();
        reply->deleteLater();
    }
    for (const RequestPtr &request : queue)
        all.append(request);
    queue.clear();
    return all;
}

FeedClient::FeedClient(const FeedProfile &profile, const FeedAuth &auth,
                       metrics::MetricsRecorder *metrics, QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Impl>(this, profile, auth, metrics)) {
    connect(d->wakeTimer, &QTimer::timeout, this, [this] { d->dispatch(); });
    connect(d->tokens, &TokenProvider::tokenReady, this, [this] { d->dispatch(); });
    connect(d->tokens, &TokenProvider::failed, this,
            [this](FetchError error, const QString &message) { d->onTokenFailed(error, message); });
    setRetryDelays(profile.retry.initialDelayMs, profile.retry.maxDelayMs);
    setMaxAttempts(profile.retry.maxAttempts);
}

FeedClient::~FeedClient() {
    // Abort everything without callbacks, then delete the network objects while the state
    // their connections refer to still exists.
    d->takeAll();
    delete d->tokens;
    delete d->network;
    delete d->wakeTimer;
}

void FeedClient::get(const QUrl &url, Callback done) {
    auto request = std::make_shared<Request>();
    request->url = url;
    request->done = std::move(done);
    const QString scheme = url.scheme().toLower();
    const bool invalid =
        !url.isValid() || (scheme != "http"_L1 && scheme != "https"_L1) || url.host().isEmpty();
    if (invalid || d->circuitGaveUp) {
        // Never call back from inside get(): the caller may not be ready for it.
        FetchResult result;
        result.error = invalid ? FetchError::Network : FetchError::RateLimited;
        result.message = u"GET "_s + shownUrl(url) +
                         (invalid ? u" failed: not a valid http:// or https:// URL. Check the feed "
                                    "URL in the profile."_s
                                  : u" was not sent: "_s + d->circuitGiveUpMessage());
        QTimer::singleShot(0, this, [this, request, result] { d->complete(request, result); });
        return;
    }
    d->queue.push_back(request);
    d->dispatch();
}

void FeedClient::cancelAll() {
    const QList<RequestPtr> all = d->takeAll();
    if (all.isEmpty())
        return;
    // Callbacks run from the event loop (within milliseconds), not inside cancelAll(): the
    // caller may be iterating its own state.
    QTimer::singleShot(0, this, [this, all] {
        for (const RequestPtr &request : all) {
            FetchResult result;
            result.error = FetchError::Cancelled;
            result.attempts = request->attempts;
            result.message = u"GET "_s + shownUrl(request->url) + u" was cancelled."_s;
            if (!d->complete(request, std::move(result)))
                return;
        }
    });
    d->dispatch();
}

void FeedClient::setThrottleMs(int ms) {
    d->throttleMs = std::max(0, ms);
    d->dispatch();
}

int FeedClient::throttleMs() const {
    return d->throttleMs;
}

int FeedClient::maxAttempts() const {
    return d->maxAttempts;
}

void FeedClient::setMaxAttempts(int attempts) {
    d->maxAttempts = std::max(1, attempts);
    d->tokens->setMaxAttempts(std::min(d->maxAttempts, 3));
}

void FeedClient::setRetryDelays(int initialMs, int maxMs) {
    d->retry = RetryPolicy(initialMs, maxMs);
    d->tokens->setRetryPolicy(d->retry);
}

const FeedProfile &FeedClient::profile() const {
    return d->profile;
}

int FeedClient::tokensFetched() const {
    return d->tokens->tokensFetched();
}

qint64 FeedClient::tokenLifetimeMs() const {
    return d->tokens->lifetimeMs();
}

int FeedClient::pending() const {
    return int(d->queue.size() + d->running.size());
}

void FeedClient::seedRequestHistory(const QList<qint64> &startsMsSinceEpoch) {
    const qint64 nowEpoch = QDateTime::currentMSecsSinceEpoch();
    const qint64 t = d->now();
    QList<qint64> starts;
    starts.reserve(startsMsSinceEpoch.size());
    for (const qint64 at : startsMsSinceEpoch)
        starts.append(t - std::max<qint64>(0, nowEpoch - at));
    d->limiter.seed(starts);
    d->dispatch();
}

QList<qint64> FeedClient::takeRequestStarts() {
    return std::exchange(d->newStarts, {});
}

} // namespace resosync::reso
