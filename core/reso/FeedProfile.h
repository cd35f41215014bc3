#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>

#include <optional>

namespace resosync::reso {

/// How a vendor signals deleted records (RESO-PROTOCOL.md, "Deletions").
enum class DeletionSignal { KeySweep, MlgCanView };

/// How a vendor authenticates.
enum class AuthKind { None, StaticToken, ClientCredentials };

/// Client-side rate limits; 0 means none known.
struct RateLimits {
    double perSecond = 0;
    int perHour = 0;
    int perDay = 0;
    qint64 bytesPerHour = 0;
    bool isUnlimited() const {
        return perSecond <= 0 && perHour <= 0 && perDay <= 0 && bytesPerHour <= 0;
    }
};

/// How the client retries a request and when it stops hammering a feed that keeps answering
/// 429. Vendor-neutral defaults (RESO-PROTOCOL.md: back off 1, 2, 4 .. 32 s); tests shorten them.
struct RetrySettings {
    int initialDelayMs = 1000; ///< backoff after the first failure, doubling per retry (+-20%)
    int maxDelayMs = 32'000;   ///< the backoff's cap
    int maxAttempts = 6; ///< attempts per request for transient errors (5xx, resets, timeouts)
    /// Consecutive 429s (over all requests) that open the circuit: every request then waits
    /// `circuitCoolOffMs`, and the pause is logged and marked on the run's charts.
    int circuitThreshold = 5;
    int circuitCoolOffMs = 60'000;
    /// Openings in a row without one successful response before the client gives up on the
    /// feed for the run (RateLimited): its quota is spent and a person should decide.
    int circuitMaxOpenings = 3;
};

/// One vendor's rules and the sync settings that suit it. Numbers are defaults from public
/// documentation (RESO-PROTOCOL.md); a user profile may override any of them.
struct FeedProfile {
    QString name;        ///< stable identifier: generic, mlsgrid, trestle, bridge, spark, simulator
    QString displayName; ///< e.g. "MLS Grid v2"
    int maxTop = 1000;   ///< largest $top the vendor accepts
    int maxTopKeyOnly = 1000;     ///< largest $top on a key-only ($select=<key>) query
    bool supportsIn = true;       ///< `Field in (...)`; otherwise an `or` chain
    int maxOrTerms = 0;           ///< most `or` terms in one filter; 0 = no known limit
    int maxUrlLength = 8000;      ///< bytes of request target the vendor accepts
    bool supportsOrderBy = true;  ///< Bridge's replication endpoint refuses $orderby
    bool sendMaxPageSize = false; ///< send `Prefer: odata.maxpagesize=$top`
    /// Ask for gzip (`Accept-Encoding`, negotiated and decoded by QNAM): a vendor's pages
    /// shrink about tenfold. Off only where no wire is crossed: on loopback, compressing and
    /// inflating cost CPU on both ends and save nothing.
    bool compressResponses = true;
    RateLimits limits;
    DeletionSignal deletions = DeletionSignal::KeySweep;
    AuthKind auth = AuthKind::StaticToken;
    QList<QPair<QByteArray, QByteArray>> headers; ///< sent on every request
    int requestTimeoutMs = 60'000;
    RetrySettings retry;

    // The seed's defaults unless the vendor needs others (clamped to the limits above).
    int batchSize = 2000;
    int propertyBatchSize = 500;
    int dbBatchSize = 100;
    int throttleMs = 750;
    int concurrency = 3;
    int maxConcurrency = 8;

    static const QList<FeedProfile> &builtIn();
    static std::optional<FeedProfile> byName(const QString &name);
    /// "generic, mlsgrid, trestle, bridge, spark, simulator"
    static QString builtInNames();
};

} // namespace resosync::reso
