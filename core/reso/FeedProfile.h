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
    RateLimits limits;
    DeletionSignal deletions = DeletionSignal::KeySweep;
    AuthKind auth = AuthKind::StaticToken;
    QList<QPair<QByteArray, QByteArray>> headers; ///< sent on every request
    int requestTimeoutMs = 60'000;

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
