#include "reso/FeedProfile.h"

#include <QStringList>

#include <algorithm>

namespace resosync::reso {

using namespace Qt::StringLiterals;

namespace {

/// The seed's sync settings, clamped to what the vendor accepts.
FeedProfile finished(FeedProfile profile) {
    profile.batchSize = std::clamp(profile.batchSize, 1, profile.maxTop);
    profile.maxTopKeyOnly = std::max(profile.maxTopKeyOnly, profile.maxTop);
    profile.concurrency = std::clamp(profile.concurrency, 1, profile.maxConcurrency);
    return profile;
}

QList<FeedProfile> makeBuiltIn() {
    QList<FeedProfile> profiles;

    // A standards-following RESO server with nothing known about it: safe middle values,
    // no client-side limits (configure them when the vendor publishes some).
    FeedProfile generic;
    generic.name = u"generic"_s;
    generic.displayName = u"Generic RESO Web API"_s;
    generic.maxTop = 1000;
    generic.maxTopKeyOnly = 1000;
    generic.supportsIn = true;
    generic.maxUrlLength = 8000;
    generic.auth = AuthKind::StaticToken;
    profiles << finished(generic);

    // MLS Grid v2: 2 req/s, 7,200/h, 40,000/day, 4 GB/h; `in` but at most 5 `or` terms;
    // deletions as MlgCanView=false. It requires `Accept-Encoding: gzip`: QNAM sends
    // `gzip, deflate` on its own and decompresses only when the header is NOT set by hand,
    // so the profile deliberately lists no Accept-Encoding header.
    FeedProfile mlsgrid;
    mlsgrid.name = u"mlsgrid"_s;
    mlsgrid.displayName = u"MLS Grid v2"_s;
    mlsgrid.maxTop = 5000;
    mlsgrid.maxTopKeyOnly = 5000;
    mlsgrid.supportsIn = true;
    mlsgrid.maxOrTerms = 5;
    mlsgrid.maxUrlLength = 7168;
    mlsgrid.limits = {2, 7'200, 40'000, 4'000'000'000LL};
    mlsgrid.deletions = DeletionSignal::MlgCanView;
    mlsgrid.auth = AuthKind::StaticToken;
    profiles << finished(mlsgrid);

    // Trestle (CoreLogic): 180/min (3/s), 7,200/h; key-only queries may ask 300,000 rows;
    // OAuth2 client credentials.
    FeedProfile trestle;
    trestle.name = u"trestle"_s;
    trestle.displayName = u"Trestle (CoreLogic)"_s;
    trestle.maxTop = 1000;
    trestle.maxTopKeyOnly = 300'000;
    trestle.supportsIn = true;
    trestle.maxUrlLength = 7168;
    trestle.limits = {3, 7'200, 0, 0};
    trestle.auth = AuthKind::ClientCredentials;
    profiles << finished(trestle);

    // Bridge Interactive: $top 200 (2,000 on the replication endpoint, which key sweeps use),
    // no $orderby on replication, an hourly quota (5,000 requests per hour by default).
    FeedProfile bridge;
    bridge.name = u"bridge"_s;
    bridge.displayName = u"Bridge Interactive"_s;
    bridge.maxTop = 200;
    bridge.maxTopKeyOnly = 2000;
    bridge.supportsIn = true;
    bridge.maxUrlLength = 5000;
    bridge.supportsOrderBy = false;
    bridge.limits = {0, 5'000, 0, 0};
    bridge.auth = AuthKind::StaticToken;
    profiles << finished(bridge);

    // Spark (FBS): no `in` operator (key filters become `or` chains), limits not published.
    FeedProfile spark;
    spark.name = u"spark"_s;
    spark.displayName = u"Spark API (FBS)"_s;
    spark.maxTop = 1000;
    spark.maxTopKeyOnly = 1000;
    spark.supportsIn = false;
    spark.maxUrlLength = 8000;
    spark.auth = AuthKind::StaticToken;
    profiles << finished(spark);

    // The built-in simulator: generous and unthrottled so the demo is quick. It runs on this
    // machine, so gzip would only burn both processes' CPU (a fifth of a Media load's).
    FeedProfile simulator;
    simulator.name = u"simulator"_s;
    simulator.displayName = u"Built-in simulator"_s;
    simulator.maxTop = 5000;
    simulator.maxTopKeyOnly = 5000;
    simulator.supportsIn = true;
    simulator.maxUrlLength = 8000;
    simulator.auth = AuthKind::None;
    simulator.throttleMs = 0;
    simulator.compressResponses = false;
    simulator.concurrency = 3;
    profiles << finished(simulator);

    return profiles;
}

} // namespace

const QList<FeedProfile> &FeedProfile::builtIn() {
    static const QList<FeedProfile> profiles = makeBuiltIn();
    return profiles;
}

std::optional<FeedProfile> FeedProfile::byName(const QString &name) {
    const QString wanted = name.trimmed();
    for (const FeedProfile &profile : builtIn()) {
        if (profile.name.compare(wanted, Qt::CaseInsensitive) == 0)
            return profile;
    }
    return std::nullopt;
}

QString FeedProfile::builtInNames() {
    QStringList names;
    for (const FeedProfile &profile : builtIn())
        names << profile.name;
    return names.join(", "_L1);
}

} // namespace resosync::reso
