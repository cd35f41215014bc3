#pragma once

#include "sim/FeedData.h"
#include "sim/HttpMessage.h"
#include "sim/QueryEngine.h"
#include "sim/RecordGenerator.h"
#include "sim/RenderedRecords.h"
#include "sim/SimulatorOptions.h"
#include "sim/SimulatorStats.h"

#include <QElapsedTimer>
#include <QHash>
#include <QMutex>
#include <QString>

#include <deque>
#include <optional>

namespace resosync::sim {

/// The simulated MLS's HTTP behaviour: routes, OData responses, OAuth2, rate limits, vendor
/// faults and the admin endpoints. Runs on the server's thread; options, statistics and the
/// data may be touched from others (they are guarded).
class FeedService final {
public:
    FeedService(FeedData &data, const SimulatorOptions &options);

    void setBaseUrl(const QByteArray &origin); ///< e.g. "http://127.0.0.1:41234"
    HttpResponse handle(const HttpRequest &request);

    void setFaults(const FaultOptions &faults);
    FaultOptions faults() const;
    SimulatorStats stats() const;
    void resetStats();
    MutationResult mutate(const MutationSpec &spec);
    /// Renders every record the feed serves into the rendered-record store (when
    /// SimulatorOptions::renderedBytes allows one), as a warm server would have them.
    void renderAll();

private:
    struct SkipToken {
        QueryRequest request;
        int offset = 0;
        qint64 lastUsedMs = 0;
    };

    HttpResponse serveResource(reso::Resource resource, const HttpRequest &request,
                               const FaultOptions &faults);
    HttpResponse servePage(const QueryRequest &query, const FaultOptions &faults, quint64 sequence);
    /// The record at `position` of the query's matches (for the duplicate fault), if any.
    std::optional<quint32> matchAt(const QueryRequest &query, int position,
                                   const FaultOptions &faults) const;
    HttpResponse serveToken(const HttpRequest &request);
    HttpResponse serveAdmin(const HttpRequest &request);
    HttpResponse serveMetadata() const;
    HttpResponse serveServiceDocument() const;
    bool authorized(const HttpRequest &request) const;
    bool takeRateToken(const FaultOptions &faults, int *retryAfterSeconds);
    /// The hourly and daily quotas; on refusal says which and when the window frees a slot.
    bool takeQuota(const FaultOptions &faults, int *retryAfterSeconds, QString *which);
    /// Appends the JSON of the record at `position`: kept bytes when rendered before,
    /// otherwise generated (and kept, when whole and well-formed).
    void appendRecord(QByteArray &body, reso::Resource resource, quint32 position,
                      const FaultOptions &faults, const QSet<QString> *select);
    QByteArray nextLink(const QueryRequest &query, int nextOffset);
    void count(const QString &resource, const QByteArray &target, int status, qint64 bytes);
    void countFault(qint64 SimulatorStats::*counter, qint64 n = 1);

    FeedData &m_data;
    RecordGenerator m_generator;
    QueryEngine m_engine;
    RenderedRecords m_rendered;
    SimulatorOptions m_options;
    QByteArray m_origin;
    quint64 m_requestSequence = 0;
    QElapsedTimer m_clock;
    double m_rateTokens = 0;
    qint64 m_rateRefilledMs = 0;
    std::deque<qint64> m_quotaStarts;      ///< served requests within the last day (ms on m_clock)
    int m_tokensGranted = 0;               ///< since start, for AuthOptions::maxTokens
    QHash<QString, qint64> m_accessTokens; ///< token -> expiry (ms on m_clock)
    QHash<QString, SkipToken> m_skipTokens;
    mutable QMutex m_mutex; ///< guards m_options.faults and m_stats
    SimulatorStats m_stats;
};

} // namespace resosync::sim
