#pragma once

#include <QList>

#include "reso/Resource.h"
#include "sim/SplitMix64.h"

#include <QString>

namespace resosync::sim {

/// How `@odata.nextLink` continues a query: a `$skip` offset in the URL, or an opaque
/// server-side token that expires when idle (Trestle-style skiptokens).
enum class NextLinkStyle { Skip, Token };

/// Vendor behaviours a client must survive. Decisions are drawn from `seed` and the request's
/// sequence number, so a run is reproducible; faults never change data.
struct FaultOptions {
    quint64 seed = 1;
    int latencyMs = 0;                  ///< added to every feed response
    int latencyJitterMs = 0;            ///< uniform extra in [0, jitter]
    double requestsPerSecond = 0;       ///< server-side limit answered with 429; 0 = unlimited
    bool sendRetryAfter = true;         ///< include `Retry-After` on 429
    double serverErrorRate = 0;         ///< share of requests answered 503
    double resetRate = 0;               ///< share of responses cut mid-body by a connection reset
    double truncateRate = 0;            ///< share of responses whose body ends early (clean close)
    bool inOperatorUnsupported = false; ///< answer 400 to `in` (vendor without it)
    /// Answer 400 to every query of these resources (an endpoint the account may not use).
    QList<reso::Resource> refusedResources;
    int maxUrlLength = 0;      ///< answer 414 past this many bytes of request target; 0 = off
    int maxTop = 5000;         ///< answer 400 to a larger `$top`
    int tokenTtlSeconds = 300; ///< opaque nextLink tokens expire after this idle time
    /// Share of records served with a malformed value (a ModificationTimestamp that is not a
    /// timestamp), chosen by key, so the same records are bad on every request.
    double malformedRecordRate = 0;
    /// Share of feed responses held back `slowResponseMs` longer: a response slower than the
    /// client's timeout, on an otherwise healthy feed.
    double slowResponseRate = 0;
    int slowResponseMs = 0;
    /// Share of opaque nextLinks (NextLinkStyle::Token) refused as expired when followed, as if
    /// the client had been idle past the vendor's TTL.
    double expiredLinkRate = 0;
    /// Share of pages that repeat records: one of their own a second time and, past the first
    /// page, the previous page's last record (what an unstable `$skip` paging serves).
    double duplicateRecordRate = 0;
    /// Server-side quotas over sliding windows, answered with 429 and the Retry-After of the
    /// window's oldest request; 0 = none. Only requests served count against them.
    int requestsPerHour = 0;
    int requestsPerDay = 0;

    /// Whether the record `ordinal` of `resource` is served malformed: by key, not by request,
    /// so a bad record stays bad, as a vendor's would.
    bool servesMalformed(reso::Resource resource, quint32 ordinal) const {
        return malformedRecordRate > 0 &&
               SplitMix64::from({seed, quint64(resource), ordinal, 0xBAD}).unit() <
                   malformedRecordRate;
    }
};

/// Authentication the simulated feed demands.
struct AuthOptions {
    QString staticToken;  ///< a fixed bearer token (MLS Grid, Bridge, Spark style)
    QString clientId;     ///< OAuth2 client credentials (Trestle style) ...
    QString clientSecret; ///< ... answered at /oauth2/token
    int tokenLifetimeSeconds = 3600;
    /// `expires_in` told to the client; 0 = the real lifetime. Longer than the real one makes
    /// tokens die early, so a client meets a 401 mid-run (a revoked or clock-skewed token).
    int advertisedLifetimeSeconds = 0;
    /// Tokens the endpoint issues before it refuses the credentials (invalid_client), as when
    /// an account is disabled mid-run; 0 = no limit.
    int maxTokens = 0;
    bool enabled() const { return !staticToken.isEmpty() || !clientId.isEmpty(); }
};

struct SimulatorOptions {
    quint64 seed = 1;
    int properties = 1000;
    int defaultPageSize = 1000; ///< page size when neither $top nor maxpagesize is given
    NextLinkStyle nextLinkStyle = NextLinkStyle::Skip;
    /// MLS Grid style deletions: every record carries `MlgCanView: true`; a record deleted by a
    /// mutation stays in the feed with `MlgCanView: false` and a new ModificationTimestamp
    /// (MLS Grid drops it about 7 days later), instead of vanishing.
    bool mlgCanView = false;
    /// Keep SimulatorStats::requestLog (arrival time, status and target of each request), for
    /// tests that check what a client asked for and when; off by default (memory).
    bool logRequests = false;
    /// Bytes of rendered record JSON the server keeps to answer later pages without generating
    /// them again (RenderedRecords); 0 = none, every page generated afresh. The benchmark
    /// turns it on so the simulator's CPU stays out of the sync's measurements.
    qint64 renderedBytes = 0;
    FaultOptions faults;
    AuthOptions auth;
};

/// One deterministic change of the feed between runs: which records change is drawn from
/// `seed`; every changed record gets a ModificationTimestamp later than any before.
struct MutationSpec {
    quint64 seed = 1;
    int updateProperties = 0;
    int insertProperties = 0;
    int deleteProperties = 0;
    int updateMedia = 0;
    int deleteMedia = 0;
};

struct MutationResult {
    int updatedProperties = 0;
    int insertedProperties = 0;
    int deletedProperties = 0;
    int updatedMedia = 0;
    int deletedMedia = 0;
    int generation = 0;
};

} // namespace resosync::sim
