#include "reso/FeedProbe.h"

#include "reso/QueryUrl.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>

#include <algorithm>
#include <atomic>
#include <optional>

namespace resosync::reso {

using namespace Qt::StringLiterals;

namespace {

constexpr qsizetype kShownBodyStart = 80;

bool isHttpUrl(const QUrl &url) {
    const QString scheme = url.scheme().toLower();
    return url.isValid() && (scheme == "http"_L1 || scheme == "https"_L1) && !url.host().isEmpty();
}

/// Vendors name their limits differently: X-RateLimit-* (GitHub style), RateLimit-* (the IETF
/// draft), Bridge's Burst-RateLimit-*, Trestle's *-Quota-* headers, and Retry-After.
bool isRateLimitHeader(const QByteArray &name) {
    const QByteArray lower = name.toLower();
    return lower.contains("ratelimit") || lower.contains("rate-limit") || lower.contains("quota") ||
           lower == "retry-after";
}

QByteArray headerValue(const FetchResult &fetch, QByteArrayView name) {
    for (const auto &[key, value] : fetch.headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

QUrl metadataUrl(const QUrl &feedUrl) {
    QUrl url = feedUrl;
    QString path = url.path();
    if (!path.endsWith(u'/'))
        path += u'/';
    url.setPath(path + u"$metadata"_s);
    url.setQuery(QString());
    return url;
}

/// The start of a body for a message: printable characters only, elided.
QString bodyStart(const QByteArray &body) {
    QString text = QString::fromUtf8(body.left(kShownBodyStart * 2)).simplified();
    for (QChar &c : text) {
        if (!c.isPrint())
            c = u'?';
    }
    if (text.size() > kShownBodyStart)
        text = text.left(kShownBodyStart) + u'\u2026';
    return text;
}

/// Why `body` is not the OData JSON a feed URL should answer, for a person.
QString notODataMessage(const QString &what, const QUrl &url, const FetchResult &fetch) {
    const QString type = QString::fromLatin1(headerValue(fetch, "Content-Type"));
    const QByteArray start = fetch.body.left(512).trimmed().toLower();
    const bool html = type.contains("html"_L1, Qt::CaseInsensitive) ||
                      start.startsWith("<!doctype html") || start.startsWith("<html");
    QString why;
    if (html) {
        why = u"answered an HTML page (Content-Type %1): a web site, a login portal or a proxy "
              "page, not the OData service"_s.arg(type.isEmpty() ? u"none"_s : type);
    } else if (fetch.body.isEmpty()) {
        why = u"answered HTTP %1 with an empty body"_s.arg(fetch.status);
    } else {
        why = u"answered %1 bytes that are not OData JSON (Content-Type %2; starts with: %3)"_s
                  .arg(fetch.body.size())
                  .arg(type.isEmpty() ? u"none"_s : type, bodyStart(fetch.body));
    }
    return u"The %1 at %2 %3. Check the feed URL: it must be the OData service root the vendor "
           "documents (often ending in /odata), e.g. https://api.example.com/odata."_s.arg(
               what, url.adjusted(QUrl::RemoveUserInfo).toDisplayString(), why);
}

std::optional<QJsonObject> jsonObject(const QByteArray &body) {
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(body, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return std::nullopt;
    return document.object();
}

FeedProbeFailure classify(const FetchResult &fetch) {
    switch (fetch.error) {
    case FetchError::Timeout:
        return FeedProbeFailure::Timeout;
    case FetchError::Unauthorized:
        return FeedProbeFailure::Unauthorized;
    case FetchError::RateLimited:
        return FeedProbeFailure::RateLimited;
    case FetchError::Http:
        return fetch.status == 403 ? FeedProbeFailure::Forbidden : FeedProbeFailure::Http;
    case FetchError::NotOData:
        return FeedProbeFailure::NotOData;
    case FetchError::Network:
        switch (fetch.networkError) {
        case QNetworkReply::HostNotFoundError:
            return FeedProbeFailure::DnsLookup;
        case QNetworkReply::ConnectionRefusedError:
            return FeedProbeFailure::ConnectionRefused;
        case QNetworkReply::SslHandshakeFailedError:
            return FeedProbeFailure::Tls;
        default:
            return FeedProbeFailure::Network;
        }
    case FetchError::None:
    case FetchError::Cancelled:
        break;
    }
    return FeedProbeFailure::Network;
}

QString authSummary(const FeedProbeRequest &request, int tokens, qint64 lifetimeMs) {
    switch (request.auth.kind) {
    case AuthKind::None:
        return u"none: the feed answered without credentials"_s;
    case AuthKind::StaticToken:
        return u"the static bearer token was accepted"_s;
    case AuthKind::ClientCredentials:
        if (tokens == 0)
            return u"no OAuth2 access token was obtained"_s;
        return u"OAuth2 access token obtained from %1, valid for %2 s"_s.arg(
            request.auth.tokenUrl.host(), QString::number(lifetimeMs / 1000));
    }
    return {};
}

/// Tells the callbacks of a cancelled run from the current one's.
quint64 nextGeneration() {
    static std::atomic<quint64> generation = 0;
    return ++generation;
}

} // namespace

QString feedProbeFailureName(FeedProbeFailure failure) {
    switch (failure) {
    case FeedProbeFailure::None:
        return u"none"_s;
    case FeedProbeFailure::InvalidUrl:
        return u"invalid-url"_s;
    case FeedProbeFailure::DnsLookup:
        return u"dns"_s;
    case FeedProbeFailure::ConnectionRefused:
        return u"connection-refused"_s;
    case FeedProbeFailure::Tls:
        return u"tls"_s;
    case FeedProbeFailure::Timeout:
        return u"timeout"_s;
    case FeedProbeFailure::Unauthorized:
        return u"unauthorized"_s;
    case FeedProbeFailure::Forbidden:
        return u"forbidden"_s;
    case FeedProbeFailure::RateLimited:
        return u"rate-limited"_s;
    case FeedProbeFailure::Http:
        return u"http"_s;
    case FeedProbeFailure::NotOData:
        return u"not-odata"_s;
    case FeedProbeFailure::Network:
        return u"network"_s;
    }
    return u"network"_s;
}

QString FeedProbeResult::summary() const {
    QStringList lines;
    if (!ok())
        lines << u"Failed (%1) at the %2: %3"_s.arg(feedProbeFailureName(failure), failedStep,
                                                    message);
    if (latencyMs >= 0) {
        QString line = u"Service document answered in %1 ms"_s.arg(latencyMs, 0, 'f', 0);
        QStringList about;
        if (!odataVersion.isEmpty())
            about << u"OData "_s + odataVersion;
        if (!server.isEmpty())
            about << u"server "_s + server;
        if (!about.isEmpty())
            line += u" ("_s + about.join(u", "_s) + u')';
        lines << line + u'.';
    }
    if (!auth.isEmpty())
        lines << u"Authentication: "_s + auth + u'.';
    if (latencyMs >= 0 && failedStep != "$metadata"_L1) {
        lines << (metadataReachable ? u"$metadata: reachable (%1 KB in %2 ms)."_s.arg(
                                          QString::number(double(metadataBytes) / 1024, 'f', 1),
                                          QString::number(metadataMs, 'f', 0))
                                    : u"$metadata: not reachable (HTTP %1)."_s.arg(metadataStatus));
    }
    if (pageRecords >= 0) {
        lines << u"%1: %2; first page ($top=1) %3 record(s) in %4 ms."_s.arg(
            resource,
            recordCount >= 0 ? u"%1 records ($count)"_s.arg(recordCount) : u"no $count given"_s,
            QString::number(pageRecords), QString::number(pageMs, 'f', 0));
    }
    QStringList limits;
    for (const auto &[name, value] : rateLimitHeaders)
        limits << QString::fromLatin1(name) + u": "_s + QString::fromLatin1(value);
    if (!limits.isEmpty())
        lines << u"Rate-limit headers: "_s + limits.join(u", "_s) + u'.';
    else if (latencyMs >= 0)
        lines << u"Rate-limit headers: none seen."_s;
    return lines.join(u'\n');
}

struct FeedProbe::Run {
    FeedProbeRequest request;
    FeedProbeResult result;
    FeedClient *client = nullptr;
    quint64 generation = 0;
};

FeedProbe::FeedProbe(QObject *parent)
    : QObject(parent) {}

FeedProbe::~FeedProbe() {
    cancel();
}

bool FeedProbe::isRunning() const {
    return m_run != nullptr;
}

void FeedProbe::cancel() {
    if (!m_run)
        return;
    // deleteLater: cancel() may run inside one of the client's callbacks. Callbacks that
    // still arrive see another generation and are dropped.
    m_run->client->deleteLater();
    m_run.reset();
}

void FeedProbe::start(const FeedProbeRequest &request) {
    cancel();
    m_run = std::make_unique<Run>();
    m_run->request = request;
    m_run->generation = nextGeneration();
    m_run->result.resource = resourceName(request.resource);

    FeedProfile profile = request.profile;
    profile.requestTimeoutMs = request.timeoutMs;
    profile.throttleMs = 0; // three requests; the profile's rate limits still apply
    m_run->client = new FeedClient(profile, request.auth, nullptr, this);
    m_run->client->setMaxAttempts(1);

    QString invalid;
    if (!isHttpUrl(request.feedUrl))
        invalid = u"The feed URL '%1' is not an http:// or https:// URL with a host. Enter the "
                  "OData service root, e.g. https://api.example.com/odata."_s.arg(
                      request.feedUrl.toDisplayString(QUrl::RemoveUserInfo));
    else if (request.auth.kind == AuthKind::ClientCredentials && !isHttpUrl(request.auth.tokenUrl))
        invalid = u"The token URL '%1' is not an http:// or https:// URL with a host. Enter the "
                  "vendor's OAuth2 token endpoint."_s.arg(
                      request.auth.tokenUrl.toDisplayString(QUrl::RemoveUserInfo));
    if (!invalid.isEmpty()) {
        m_run->result.failure = FeedProbeFailure::InvalidUrl;
        m_run->result.failedStep = u"settings"_s;
        m_run->result.message = invalid;
        // Never emit from inside start(): the caller may not be connected yet.
        const quint64 generation = m_run->generation;
        QTimer::singleShot(0, this, [this, generation] {
            if (m_run && m_run->generation == generation)
                finish();
        });
        return;
    }
    fetchServiceDocument();
}

void FeedProbe::noteHeaders(const FetchResult &fetch) {
    FeedProbeResult &result = m_run->result;
    result.status = fetch.status;
    if (const QByteArray version = headerValue(fetch, "OData-Version"); !version.isEmpty())
        result.odataVersion = QString::fromLatin1(version);
    if (const QByteArray server = headerValue(fetch, "Server"); !server.isEmpty())
        result.server = QString::fromLatin1(server);
    for (const auto &[name, value] : fetch.headers) {
        if (!isRateLimitHeader(name))
            continue;
        auto seen = std::find_if(result.rateLimitHeaders.begin(), result.rateLimitHeaders.end(),
                                 [&name](const auto &header) {
                                     return header.first.compare(name, Qt::CaseInsensitive) == 0;
                                 });
        if (seen != result.rateLimitHeaders.end())
            seen->second = value;
        else
            result.rateLimitHeaders.append({name, value});
    }
    result.tokensFetched = m_run->client->tokensFetched();
    result.tokenLifetimeMs = m_run->client->tokenLifetimeMs();
}

void FeedProbe::fail(const QString &step, const FetchResult &fetch) {
    FeedProbeResult &result = m_run->result;
    result.failure = classify(fetch);
    result.failedStep = step;
    // The client says what type came back; the probe says what that means for the URL.
    result.message = result.failure == FeedProbeFailure::NotOData
                         ? notODataMessage(step, m_run->request.feedUrl, fetch)
                         : fetch.message;
    finish();
}

void FeedProbe::fetchServiceDocument() {
    const quint64 generation = m_run->generation;
    m_run->client->get(m_run->request.feedUrl, [this, generation](const FetchResult &fetch) {
        if (!m_run || m_run->generation != generation)
            return;
        noteHeaders(fetch);
        FeedProbeResult &result = m_run->result;
        const QString step = u"service document"_s;
        if (!fetch.ok()) {
            if (fetch.error == FetchError::Unauthorized || fetch.status == 403)
                result.auth =
                    authSummary(m_run->request, result.tokensFetched, result.tokenLifetimeMs);
            fail(step, fetch);
            return;
        }
        result.latencyMs = fetch.elapsedMs;
        result.auth = authSummary(m_run->request, result.tokensFetched, result.tokenLifetimeMs);
        const auto document = jsonObject(fetch.body);
        if (!document || !document->value(u"value"_s).isArray()) {
            result.failure = FeedProbeFailure::NotOData;
            result.failedStep = step;
            result.message = notODataMessage(step, m_run->request.feedUrl, fetch);
            finish();
            return;
        }
        for (const QJsonValue &set : document->value(u"value"_s).toArray())
            result.entitySets << set.toObject().value(u"name"_s).toString();
        fetchMetadata();
    });
}

void FeedProbe::fetchMetadata() {
    const quint64 generation = m_run->generation;
    m_run->client->get(metadataUrl(m_run->request.feedUrl),
                       [this, generation](const FetchResult &fetch) {
                           if (!m_run || m_run->generation != generation)
                               return;
                           noteHeaders(fetch);
                           FeedProbeResult &result = m_run->result;
                           // A feed without $metadata can still be replicated: go on, but a
                           // network failure here means the feed went away.
                           if (!fetch.ok() && fetch.status == 0) {
                               fail(u"$metadata"_s, fetch);
                               return;
                           }
                           result.metadataReachable = fetch.ok() && fetch.body.contains("Edmx");
                           result.metadataStatus = fetch.status;
                           result.metadataMs = fetch.elapsedMs;
                           result.metadataBytes = fetch.body.size();
                           fetchFirstPage();
                       });
}

void FeedProbe::fetchFirstPage() {
    const quint64 generation = m_run->generation;
    const QUrl url = queryUrl(m_run->request.feedUrl, m_run->result.resource,
                              {{u"$top"_s, u"1"_s}, {u"$count"_s, u"true"_s}});
    m_run->client->get(url, [this, generation, url](const FetchResult &fetch) {
        if (!m_run || m_run->generation != generation)
            return;
        noteHeaders(fetch);
        FeedProbeResult &result = m_run->result;
        const QString step = result.resource + u" page"_s;
        if (!fetch.ok()) {
            fail(step, fetch);
            return;
        }
        const auto page = jsonObject(fetch.body);
        if (!page || !page->value(u"value"_s).isArray()) {
            result.failure = FeedProbeFailure::NotOData;
            result.failedStep = step;
            result.message = notODataMessage(step, url, fetch);
            finish();
            return;
        }
        result.pageMs = fetch.elapsedMs;
        result.pageRecords = int(page->value(u"value"_s).toArray().size());
        const QJsonValue count = page->value(u"@odata.count"_s);
        if (count.isDouble())
            result.recordCount = qint64(count.toDouble());
        else if (count.isString())
            result.recordCount = count.toString().toLongLong();
        finish();
    });
}

void FeedProbe::finish() {
    const FeedProbeResult result = m_run->result;
    cancel();
    Q_EMIT finished(result);
}

} // namespace resosync::reso
