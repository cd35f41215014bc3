#pragma once

#include <QJsonObject>
#include <QMap>
#include <QString>

namespace resosync::sim {

/// What the simulated feed has served since start or the last reset: the ground truth that
/// tests and benchmarks compare a client's own metrics against.
struct SimulatorStats {
    qint64 requests = 0;     ///< every request to a feed resource (not admin, not token)
    qint64 rateLimited = 0;  ///< answered 429
    qint64 serverErrors = 0; ///< answered 5xx by fault injection
    qint64 resets = 0;       ///< cut by a connection reset
    qint64 truncated = 0;    ///< sent with a short body
    qint64 bytesSent = 0;    ///< response bodies as sent (after gzip)
    qint64 tokensIssued = 0; ///< OAuth2 tokens from /oauth2/token
    QMap<QString, qint64> requestsByResource;
    QMap<QString, qint64> recordsByResource; ///< records in successful pages
    /// Successful pages by the $top their query asked for (0: none), so a client's page size
    /// can be checked from the server's side, also after it changed mid-run.
    QMap<int, qint64> pagesByTop;
    QMap<int, qint64> byStatus;

    QJsonObject toJson() const;
};

} // namespace resosync::sim
