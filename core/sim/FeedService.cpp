#include "sim/FeedService.h"

#include "sim/Gzip.h"
#include "sim/JsonWriter.h"
#include "sim/SimRecord.h"
#include "sim/SplitMix64.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QReadLocker>
#include <QUrl>
#include <QUrlQuery>

#include <algorithm>
#include <cmath>

namespace resosync::sim {

using namespace Qt::StringLiterals;
using reso::Resource;

namespace {

constexpr int kMaxSkipTokens = 10'000;

HttpResponse jsonResponse(int status, const QByteArray &body) {
    HttpResponse response;
    response.status = status;
    response.setHeader("Content-Type", "application/json; charset=utf-8");
    response.setHeader("OData-Version", "4.0");
    response.body = body;
    return response;
}

/// An OData v4 JSON error body: {"error":{"code":...,"message":...}}.
HttpResponse odataError(int status, const QString &code, const QString &message) {
    const QJsonObject error{{u"code"_s, code}, {u"message"_s, message}};
    return jsonResponse(
        status, QJsonDocument(QJsonObject{{u"error"_s, error}}).toJson(QJsonDocument::Compact));
}

QByteArray encode(const QString &value) {
    // Everything but unreserved characters, so '+' travels as %2B and spaces as %20.
    return QUrl::toPercentEncoding(value);
}

QString formValue(const QByteArray &body, const char *name) {
    for (const QByteArray &pair : body.split('&')) {
        const qsizetype eq = pair.indexOf('=');
        if (eq > 0 && pair.left(eq) == name) {
            QByteArray value = pair.mid(eq + 1);
            value.replace('+', ' ');
            return QUrl::fromPercentEncoding(value);
        }
    }
    return {};
}

int queryInt(const QUrlQuery &query, const QString &name) {
    return query.queryItemValue(name).toInt();
}

QByteArray edmType(const reso::DdField &field) {
    QByteArray type;
    switch (field.type) {
    case reso::FieldType::String:
    case reso::FieldType::Enum:
        type = "Edm.String";
        break;
    case reso::FieldType::Integer:
        type = "Edm.Int64";
        break;
    case reso::FieldType::Decimal:
        type = "Edm.Decimal";
        break;
    case reso::FieldType::Boolean:
        type = "Edm.Boolean";
        break;
    case reso::FieldType::Timestamp:
        type = "Edm.DateTimeOffset";
        break;
    case reso::FieldType::Date:
        type = "Edm.Date";
        break;
    }
    return field.isCollection ? "Collection(" + type + ")" : type;
}

void corrupt(Record &record) {
    for (Field &field : record) {
        if (field.name == "ModificationTimestamp"_L1)
            field.value = u"2024-02-30T25:61:00Z"_s;
    }
}

} // namespace

FeedService::FeedService(FeedData &data, const SimulatorOptions &options)
    : m_data(data)
    , m_generator(data)
    , m_engine(data, m_generator)
    , m_rendered(options.renderedBytes)
    , m_options(options) {
    m_clock.start();
}

void FeedService::setBaseUrl(const QByteArray &origin) {
    m_origin = origin;
}

void FeedService::setFaults(const FaultOptions &faults) {
    QMutexLocker locker(&m_mutex);
    m_options.faults = faults;
}

FaultOptions FeedService::faults() const {
    QMutexLocker locker(&m_mutex);
    return m_options.faults;
}

SimulatorStats FeedService::stats() const {
    QMutexLocker locker(&m_mutex);
    return m_stats;
}

void FeedService::resetStats() {
    QMutexLocker locker(&m_mutex);
    m_stats = SimulatorStats{};
}

MutationResult FeedService::mutate(const MutationSpec &spec) {
    return m_data.mutate(spec);
}

void FeedService::countFault(qint64 SimulatorStats::*counter, qint64 n) {
    QMutexLocker locker(&m_mutex);
    m_stats.*counter += n;
}

void FeedService::count(const QString &resource, const QByteArray &target, int status,
                        qint64 bytes) {
    QMutexLocker locker(&m_mutex);
    if (m_options.logRequests) {
        if (m_stats.requestLog.size() >= SimulatorStats::kRequestLogCapacity)
            m_stats.requestLog.removeFirst();
        m_stats.requestLog.append({m_clock.elapsed(), resource, status,
                                   target.left(SimulatorStats::kRequestLogTargetBytes)});
    }
    ++m_stats.requests;
    ++m_stats.requestsByResource[resource];
    ++m_stats.byStatus[status];
    m_stats.bytesSent += bytes;
    if (status == 429)
        ++m_stats.rateLimited;
    if (status >= 500)
        ++m_stats.serverErrors;
}

HttpResponse FeedService::handle(const HttpRequest &request) {
    const QByteArray &path = request.path;
    if (path == "/oauth2/token")
        return serveToken(request);
    if (path.startsWith("/admin/"))
        return serveAdmin(request);
    if (!path.startsWith("/odata"))
        return odataError(404, u"NotFound"_s, u"No such endpoint; the feed is under /odata"_s);
    if (request.method != "GET")
        return odataError(405, u"MethodNotAllowed"_s, u"The feed is read-only: use GET"_s);
    if (path == "/odata" || path == "/odata/")
        return authorized(request) ? serveServiceDocument()
                                   : odataError(401, u"Unauthorized"_s, u"Bearer token required"_s);
    if (path == "/odata/$metadata")
        return authorized(request) ? serveMetadata()
                                   : odataError(401, u"Unauthorized"_s, u"Bearer token required"_s);
    const auto resource = reso::resourceFromName(QString::fromUtf8(path.mid(7)));
    if (!resource || QLatin1StringView(path.mid(7)) != reso::resourceInfo(*resource).name)
        return odataError(404, u"NotFound"_s,
                          u"Resource '%1' not found; this feed serves Property, Media, "
                          "PropertyRooms and OpenHouse"_s.arg(QString::fromUtf8(path.mid(7))));
    return serveResource(*resource, request, faults());
}

bool FeedService::authorized(const HttpRequest &request) const {
    if (!m_options.auth.enabled())
        return true;
    const QByteArray header = request.header("authorization");
    if (!header.startsWith("Bearer "))
        return false;
    const QString token = QString::fromLatin1(header.mid(7).trimmed());
    if (!m_options.auth.staticToken.isEmpty() && token == m_options.auth.staticToken)
        return true;
    const auto it = m_accessTokens.constFind(token);
    return it != m_accessTokens.constEnd() && it.value() > m_clock.elapsed();
}

bool FeedService::takeRateToken(const FaultOptions &faults, int *retryAfterSeconds) {
    if (faults.requestsPerSecond <= 0)
        return true;
    // Token bucket holding at most one second's worth of requests.
    const qint64 now = m_clock.elapsed();
    const double capacity = std::max(1.0, faults.requestsPerSecond);
    m_rateTokens = std::min(capacity, m_rateTokens + double(now - m_rateRefilledMs) / 1000.0 *
                                                         faults.requestsPerSecond);
    m_rateRefilledMs = now;
    if (m_rateTokens >= 1.0) {
        m_rateTokens -= 1.0;
        return true;
    }
    const double wait = (1.0 - m_rateTokens) / faults.requestsPerSecond;
    *retryAfterSeconds = std::max(1, int(std::ceil(wait)));
    return false;
}

bool FeedService::takeQuota(const FaultOptions &faults, int *retryAfterSeconds, QString *which) {
    if (faults.requestsPerHour <= 0 && faults.requestsPerDay <= 0)
        return true;
    constexpr qint64 kHourMs = 3'600'000;
    constexpr qint64 kDayMs = 24 * kHourMs;
    const qint64 now = m_clock.elapsed();
    while (!m_quotaStarts.empty() && m_quotaStarts.front() <= now - kDayMs)
        m_quotaStarts.pop_front();
    // With `limit` requests in the window, the next may go when the limit-th latest leaves it.
    const auto refuse = [&](int limit, qint64 window, const QString &name) {
        const auto first =
            std::upper_bound(m_quotaStarts.begin(), m_quotaStarts.end(), now - window);
        if (limit <= 0 || m_quotaStarts.end() - first < limit)
            return false;
        const qint64 freeAt = *(m_quotaStarts.end() - limit) + window;
        *retryAfterSeconds = int(std::max<qint64>(1, (freeAt - now + 999) / 1000));
        *which = name;
        return true;
    };
    if (refuse(faults.requestsPerHour, kHourMs,
               u"%1 requests per hour"_s.arg(faults.requestsPerHour)) ||
        refuse(faults.requestsPerDay, kDayMs, u"%1 requests per day"_s.arg(faults.requestsPerDay)))
        return false;
    m_quotaStarts.push_back(now);
    return true;
}

HttpResponse FeedService::serveResource(Resource resource, const HttpRequest &request,
                                        const FaultOptions &faults) {
    const quint64 sequence = ++m_requestSequence;
    SplitMix64 rng = SplitMix64::from({faults.seed, sequence});
    // Faults added later draw from streams of their own, so adding one never changes the
    // decisions (and the tests' expectations) of the others for a seed.
    const auto chance = [&](quint64 stream, double probability) {
        return probability > 0 &&
               SplitMix64::from({faults.seed, sequence, stream}).chance(probability);
    };
    const QString name = reso::resourceName(resource);
    HttpResponse response;
    int retryAfter = 0;
    QString quota;
    if (faults.maxUrlLength > 0 && request.target.size() > faults.maxUrlLength) {
        response = odataError(414, u"UriTooLong"_s,
                              u"The request URL is %1 bytes; this server accepts at most %2"_s
                                  .arg(request.target.size())
                                  .arg(faults.maxUrlLength));
        countFault(&SimulatorStats::urlTooLong);
    } else if (!authorized(request)) {
        response = odataError(401, u"Unauthorized"_s,
                              u"A valid bearer token is required (expired or missing)"_s);
        response.setHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
        countFault(&SimulatorStats::unauthorized);
    } else if (!takeRateToken(faults, &retryAfter)) {
        response = odataError(
            429, u"TooManyRequests"_s,
            u"Rate limit of %1 requests per second exceeded"_s.arg(faults.requestsPerSecond));
        if (faults.sendRetryAfter)
            response.setHeader("Retry-After", QByteArray::number(retryAfter));
    } else if (!takeQuota(faults, &retryAfter, &quota)) {
        response = odataError(429, u"QuotaExceeded"_s,
                              u"The account's quota of %1 is used up"_s.arg(quota));
        response.setHeader("Retry-After", QByteArray::number(retryAfter));
        countFault(&SimulatorStats::quotaRefused);
    } else if (rng.chance(faults.serverErrorRate)) {
        response = odataError(503, u"ServiceUnavailable"_s, u"Simulated server error"_s);
    } else {
        const QUrlQuery query(QString::fromLatin1(request.query));
        const QString token = query.queryItemValue(u"$skiptoken"_s);
        if (!token.isEmpty()) {
            auto it = m_skipTokens.find(token);
            const bool idle = it != m_skipTokens.end() && m_clock.elapsed() - it->lastUsedMs >
                                                              qint64(faults.tokenTtlSeconds) * 1000;
            if (it != m_skipTokens.end() && (idle || chance(0xE1, faults.expiredLinkRate))) {
                m_skipTokens.erase(it); // expired for good, as the vendor's would be
                it = m_skipTokens.end();
            }
            if (it == m_skipTokens.end()) {
                response = odataError(400, u"InvalidSkipToken"_s,
                                      u"The nextLink has expired or is unknown; restart the "
                                      "query"_s);
                countFault(&SimulatorStats::expiredLinks);
            } else {
                it->lastUsedMs = m_clock.elapsed();
                QueryRequest continued = it->request;
                continued.skip = it->offset;
                response = servePage(continued, faults, sequence);
            }
        } else {
            auto parsed = QueryEngine::parse(resource, request.query, request.header("prefer"));
            if (auto *error = std::get_if<QueryError>(&parsed))
                response = odataError(error->status, error->code, error->message);
            else
                response = servePage(std::get<QueryRequest>(parsed), faults, sequence);
        }
    }
    if (faults.requestsPerSecond > 0) {
        // Vendors announce their limits in headers (Bridge's Burst-RateLimit-*, Trestle's
        // quota headers); the simulator speaks the common X-RateLimit-* form, so a client and
        // the connection test have something real to show.
        response.setHeader("X-RateLimit-Limit", QByteArray::number(faults.requestsPerSecond));
        response.setHeader("X-RateLimit-Remaining",
                           QByteArray::number(int(std::floor(std::max(0.0, m_rateTokens)))));
    }
    if (response.status == 200) {
        if (rng.chance(faults.resetRate))
            response.fault = WireFault::ResetMidBody;
        else if (rng.chance(faults.truncateRate))
            response.fault = WireFault::TruncatedBody;
    }
    response.delayMs = faults.latencyMs + int(rng.between(0, faults.latencyJitterMs));
    if (response.status == 200 && chance(0x510, faults.slowResponseRate)) {
        response.delayMs += faults.slowResponseMs;
        countFault(&SimulatorStats::slow);
    }
    const bool gzip =
        request.header("accept-encoding").contains("gzip") && response.body.size() > 256;
    if (gzip) {
        response.body = gzipCompress(response.body);
        response.setHeader("Content-Encoding", "gzip");
    }
    {
        QMutexLocker locker(&m_mutex);
        if (gzip)
            ++m_stats.gzipped;
        if (response.fault == WireFault::ResetMidBody)
            ++m_stats.resets;
        if (response.fault == WireFault::TruncatedBody)
            ++m_stats.truncated;
    }
    count(name, request.target, response.status, response.body.size());
    return response;
}

std::optional<quint32> FeedService::matchAt(const QueryRequest &query, int position,
                                            const FaultOptions &faults) const {
    QueryRequest one = query;
    one.skip = position;
    one.top = 1;
    one.maxPageSize = 0;
    one.count = false;
    auto result = m_engine.execute(one, faults, 1);
    const auto *page = std::get_if<QueryPage>(&result);
    if (!page || page->positions.empty())
        return std::nullopt;
    return page->positions.front();
}

HttpResponse FeedService::servePage(const QueryRequest &query, const FaultOptions &faults,
                                    quint64 sequence) {
    QReadLocker locker(&m_data.lock());
    auto result = m_engine.execute(query, faults, m_options.defaultPageSize);
    if (auto *error = std::get_if<QueryError>(&result)) {
        if (error->code == "NotSupported"_L1)
            countFault(&SimulatorStats::refusedIn);
        return odataError(error->status, error->code, error->message);
    }
    QueryPage page = std::get<QueryPage>(result);
    SplitMix64 duplicates = SplitMix64::from({faults.seed, sequence, 0xD0});
    if (!page.positions.empty() && faults.duplicateRecordRate > 0 &&
        duplicates.chance(faults.duplicateRecordRate)) {
        // One record of the page twice, next to itself; and the previous page's last record
        // again at the start, as a `$skip` paging serves when rows shift between requests.
        const auto at = qsizetype(duplicates.below(page.positions.size()));
        page.positions.insert(page.positions.begin() + at, page.positions[std::size_t(at)]);
        qint64 repeated = 1;
        if (query.skip > 0) {
            if (const auto previous = matchAt(query, query.skip - 1, faults)) {
                page.positions.insert(page.positions.begin(), *previous);
                ++repeated;
            }
        }
        countFault(&SimulatorStats::duplicatesServed, repeated);
    }

    const QString name = reso::resourceName(query.resource);
    QSet<QString> select;
    for (const QString &field : query.select)
        select.insert(field);
    QByteArray body;
    body.reserve(qsizetype(page.positions.size()) * 1800 + 256);
    body += "{\"@odata.context\":\"" + m_origin + "/odata/$metadata#" + name.toLatin1() + "\"";
    if (page.totalCount >= 0)
        body += ",\"@odata.count\":" + QByteArray::number(page.totalCount);
    body += ",\"value\":[";
    for (std::size_t i = 0; i < page.positions.size(); ++i) {
        if (i > 0)
            body += ',';
        appendRecord(body, query.resource, page.positions[i], faults,
                     select.isEmpty() ? nullptr : &select);
    }
    body += ']';
    if (page.hasMore) {
        body += ",\"@odata.nextLink\":";
        JsonWriter::appendString(body, QByteArrayView(nextLink(query, query.skip + page.pageSize)));
    }
    body += '}';
    {
        QMutexLocker statsLocker(&m_mutex);
        m_stats.recordsByResource[name] += qint64(page.positions.size());
        ++m_stats.pagesByTop[query.top.value_or(0)];
    }
    return jsonResponse(200, body);
}

void FeedService::appendRecord(QByteArray &body, reso::Resource resource, quint32 position,
                               const FaultOptions &faults, const QSet<QString> *select) {
    const RecordState &state = m_data.records(resource)[position];
    const bool malformed = faults.servesMalformed(resource, state.ordinal);
    // Whole, well-formed records are the ones worth keeping: every full sync asks for them.
    const bool keep = m_rendered.enabled() && !select && !malformed;
    if (keep) {
        if (const QByteArray json = m_rendered.find(resource, position, state); !json.isNull()) {
            body += json;
            return;
        }
    }
    Record record = m_generator.generate(resource, state);
    if (malformed) {
        corrupt(record);
        countFault(&SimulatorStats::malformedServed);
    }
    if (!keep)
        return JsonWriter::appendRecord(body, record, select);
    QByteArray json;
    json.reserve(2048);
    JsonWriter::appendRecord(json, record);
    body += json;
    m_rendered.store(resource, position, state, json);
}

void FeedService::renderAll() {
    if (!m_rendered.enabled())
        return;
    QReadLocker locker(&m_data.lock());
    const FaultOptions faults = this->faults();
    QByteArray scratch;
    for (reso::Resource resource : reso::kAllResources) {
        const auto &records = m_data.records(resource);
        for (quint32 position = 0; position < records.size(); ++position) {
            const RecordState &state = records[position];
            if ((!state.alive && !m_data.servesMlgCanView()) ||
                faults.servesMalformed(resource, state.ordinal))
                continue;
            scratch.clear();
            appendRecord(scratch, resource, position, faults, nullptr);
        }
    }
}

QByteArray FeedService::nextLink(const QueryRequest &query, int nextOffset) {
    const QByteArray base = m_origin + "/odata/" + reso::resourceName(query.resource).toLatin1();
    if (m_options.nextLinkStyle == NextLinkStyle::Token) {
        const qint64 now = m_clock.elapsed();
        if (m_skipTokens.size() >= kMaxSkipTokens) {
            for (auto it = m_skipTokens.begin(); it != m_skipTokens.end();)
                it = now - it->lastUsedMs > qint64(faults().tokenTtlSeconds) * 1000
                         ? m_skipTokens.erase(it)
                         : std::next(it);
        }
        const QString token = QString::number(
            SplitMix64::from({m_options.seed, m_requestSequence, quint64(nextOffset)}).next(), 36);
        m_skipTokens.insert(token, SkipToken{query, nextOffset, now});
        return base + "?$skiptoken=" + token.toLatin1();
    }
    QByteArray link = base + "?";
    if (!query.filter.isEmpty())
        link += "$filter=" + encode(query.filter) + '&';
    if (!query.orderBy.isEmpty()) {
        QStringList items;
        for (const OrderKey &key : query.orderBy)
            items << key.field + (key.descending ? " desc"_L1 : " asc"_L1);
        link += "$orderby=" + encode(items.join(u',')) + '&';
    }
    if (!query.select.isEmpty())
        link += "$select=" + encode(query.select.join(u',')) + '&';
    if (query.top)
        link += "$top=" + QByteArray::number(*query.top) + '&';
    link += "$skip=" + QByteArray::number(nextOffset);
    return link;
}

HttpResponse FeedService::serveToken(const HttpRequest &request) {
    if (request.method != "POST")
        return jsonResponse(405, R"({"error":"invalid_request","error_description":"use POST"})");
    if (formValue(request.body, "grant_type") != "client_credentials"_L1)
        return jsonResponse(400, R"({"error":"unsupported_grant_type"})");
    QString id = formValue(request.body, "client_id");
    QString secret = formValue(request.body, "client_secret");
    const QByteArray basic = request.header("authorization");
    if (basic.startsWith("Basic ")) {
        const QByteArray pair = QByteArray::fromBase64(basic.mid(6));
        id = QString::fromUtf8(pair.left(pair.indexOf(':')));
        secret = QString::fromUtf8(pair.mid(pair.indexOf(':') + 1));
    }
    const AuthOptions &auth = m_options.auth;
    if (auth.clientId.isEmpty() || id != auth.clientId || secret != auth.clientSecret) {
        countFault(&SimulatorStats::tokensRefused);
        return jsonResponse(401, R"({"error":"invalid_client"})");
    }
    if (auth.maxTokens > 0 && m_tokensGranted >= auth.maxTokens) {
        countFault(&SimulatorStats::tokensRefused);
        return jsonResponse(
            401, R"({"error":"invalid_client","error_description":"the client was disabled"})");
    }
    ++m_tokensGranted;
    const QString token = QString::number(
        SplitMix64::from({m_options.seed, quint64(m_clock.nsecsElapsed()), 0x70CE}).next(), 36);
    m_accessTokens.insert(token, m_clock.elapsed() + qint64(auth.tokenLifetimeSeconds) * 1000);
    {
        QMutexLocker locker(&m_mutex);
        ++m_stats.tokensIssued;
    }
    const QJsonObject body{{u"access_token"_s, token},
                           {u"token_type"_s, u"Bearer"_s},
                           {u"expires_in"_s, auth.advertisedLifetimeSeconds > 0
                                                 ? auth.advertisedLifetimeSeconds
                                                 : auth.tokenLifetimeSeconds},
                           {u"scope"_s, u"api"_s}};
    return jsonResponse(200, QJsonDocument(body).toJson(QJsonDocument::Compact));
}

HttpResponse FeedService::serveAdmin(const HttpRequest &request) {
    const QUrlQuery query(QString::fromLatin1(request.query));
    if (request.path == "/admin/health")
        return jsonResponse(200, R"({"status":"ok"})");
    if (request.path == "/admin/stats" && request.method == "GET") {
        QJsonObject records;
        {
            QReadLocker locker(&m_data.lock());
            for (Resource r : reso::kAllResources)
                records.insert(reso::resourceName(r), m_data.aliveCount(r));
        }
        const QJsonObject body{{u"served"_s, stats().toJson()},
                               {u"records"_s, records},
                               {u"generation"_s, m_data.generation()}};
        return jsonResponse(200, QJsonDocument(body).toJson(QJsonDocument::Compact));
    }
    if (request.path == "/admin/reset-stats" && request.method == "POST") {
        resetStats();
        return jsonResponse(200, R"({"status":"ok"})");
    }
    if (request.path == "/admin/mutate" && request.method == "POST") {
        MutationSpec spec;
        spec.seed = query.queryItemValue(u"seed"_s).toULongLong();
        spec.updateProperties = queryInt(query, u"updateProperties"_s);
        spec.insertProperties = queryInt(query, u"insertProperties"_s);
        spec.deleteProperties = queryInt(query, u"deleteProperties"_s);
        spec.updateMedia = queryInt(query, u"updateMedia"_s);
        spec.deleteMedia = queryInt(query, u"deleteMedia"_s);
        const MutationResult r = mutate(spec);
        const QJsonObject body{{u"generation"_s, r.generation},
                               {u"updatedProperties"_s, r.updatedProperties},
                               {u"insertedProperties"_s, r.insertedProperties},
                               {u"deletedProperties"_s, r.deletedProperties},
                               {u"updatedMedia"_s, r.updatedMedia},
                               {u"deletedMedia"_s, r.deletedMedia}};
        return jsonResponse(200, QJsonDocument(body).toJson(QJsonDocument::Compact));
    }
    return odataError(404, u"NotFound"_s,
                      u"Admin endpoints: GET /admin/health, GET /admin/stats, "
                      "POST /admin/reset-stats, POST /admin/mutate"_s);
}

HttpResponse FeedService::serveServiceDocument() const {
    QByteArray body = "{\"@odata.context\":\"" + m_origin + "/odata/$metadata\",\"value\":[";
    bool first = true;
    for (Resource r : reso::kAllResources) {
        const QByteArray name = reso::resourceName(r).toLatin1();
        body += (first ? "" : ",") + QByteArray("{\"name\":\"") + name +
                "\",\"kind\":\"EntitySet\",\"url\":\"" + name + "\"}";
        first = false;
    }
    return jsonResponse(200, body + "]}");
}

HttpResponse FeedService::serveMetadata() const {
    QByteArray xml = R"(<?xml version="1.0" encoding="UTF-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
<edmx:DataServices>
<Schema Namespace="org.reso.metadata" xmlns="http://docs.oasis-open.org/odata/ns/edm">
)";
    for (Resource r : reso::kAllResources) {
        const reso::ResourceInfo &info = reso::resourceInfo(r);
        xml += "<EntityType Name=\"" + QByteArray(info.name.data(), info.name.size()) +
               "\"><Key><PropertyRef Name=\"" +
               QByteArray(info.keyField.data(), info.keyField.size()) + "\"/></Key>\n";
        for (const reso::DdField &field : m_generator.servedFields(r)) {
            xml +=
                "<Property Name=\"" + field.name.toLatin1() + "\" Type=\"" + edmType(field) + "\"";
            if (field.type == reso::FieldType::Decimal && field.precision > 0)
                xml += " Precision=\"" + QByteArray::number(field.precision) + "\" Scale=\"" +
                       QByteArray::number(field.scale) + "\"";
            if (field.type == reso::FieldType::Timestamp)
                xml += " Precision=\"27\"";
            if (field.maxLength > 0)
                xml += " MaxLength=\"" + QByteArray::number(field.maxLength) + "\"";
            xml += "/>\n";
        }
        xml += "</EntityType>\n";
    }
    xml += "<EntityContainer Name=\"Default\">\n";
    for (Resource r : reso::kAllResources) {
        const QByteArray name = reso::resourceName(r).toLatin1();
        xml += "<EntitySet Name=\"" + name + "\" EntityType=\"org.reso.metadata." + name + "\"/>\n";
    }
    xml += "</EntityContainer>\n</Schema>\n</edmx:DataServices>\n</edmx:Edmx>\n";
    HttpResponse response;
    response.setHeader("Content-Type", "application/xml; charset=utf-8");
    response.setHeader("OData-Version", "4.0");
    response.body = xml;
    return response;
}

} // namespace resosync::sim
