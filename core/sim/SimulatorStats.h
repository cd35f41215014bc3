#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>

namespace resosync::sim {

/// One feed request as the simulator saw it.
struct RequestLogEntry {
    qint64 atMs = 0; ///< on the simulator's clock (milliseconds since it was created)
    QString resource;
    int status = 0;
    QByteArray target; ///< path and query as sent (percent-encoded)
};

/// What the simulated feed has served since start or the last reset: the ground truth that
/// tests and benchmarks compare a client's own metrics against.
struct SimulatorStats {
    qint64 requests = 0;     ///< every request to a feed resource (not admin, not token)
    qint64 rateLimited = 0;  ///< answered 429
    qint64 serverErrors = 0; ///< answered 5xx by fault injection
    qint64 resets = 0;       ///< cut by a connection reset
    qint64 truncated = 0;    ///< sent with a short body
    qint64 bytesSent = 0;    ///< response bodies as sent (after gzip)
    qint64 gzipped = 0;      ///< responses sent gzip-compressed (the client asked for it)
    qint64 tokensIssued = 0; ///< OAuth2 tokens from /oauth2/token
    // Faults injected, by kind (FaultOptions, AuthOptions):
    qint64 slow = 0;             ///< responses held back by slowResponseMs
    qint64 expiredLinks = 0;     ///< nextLinks refused as expired (idle past the TTL or injected)
    qint64 refusedIn = 0;        ///< filters refused for using `in`
    qint64 urlTooLong = 0;       ///< answered 414
    qint64 unauthorized = 0;     ///< feed requests answered 401 (missing, expired, revoked token)
    qint64 tokensRefused = 0;    ///< token requests refused (maxTokens reached, bad credentials)
    qint64 duplicatesServed = 0; ///< records served a second time by the duplicate fault
    qint64 malformedServed = 0;  ///< records served with a malformed value
    qint64 quotaRefused = 0;     ///< 429s for the hourly or daily quota
    QMap<QString, qint64> requestsByResource;
    QMap<QString, qint64> recordsByResource; ///< records in successful pages
    /// Successful pages by the $top their query asked for (0: none), so a client's page size
    /// can be checked from the server's side, also after it changed mid-run.
    QMap<int, qint64> pagesByTop;
    QMap<int, qint64> byStatus;
    /// With SimulatorOptions::logRequests: the latest kRequestLogCapacity feed requests, oldest
    /// first, targets cut at kRequestLogTargetBytes (not in toJson()).
    QList<RequestLogEntry> requestLog;
    static constexpr qsizetype kRequestLogCapacity = 100'000;
    static constexpr qsizetype kRequestLogTargetBytes = 4096;

    /// Every counter, including the faults injected by kind; without the request log.
    QJsonObject toJson() const;
};

} // namespace resosync::sim
