#pragma once

#include "metrics/AlertMonitor.h"

#include "reso/FeedClient.h"
#include "reso/FeedProfile.h"
#include "reso/Resource.h"

#include <QList>
#include <QString>
#include <QUrl>

namespace resosync::sync {

/// The five knobs of the seed's media sync; all may change while a run goes on (they apply to
/// the next batch).
struct SyncSettings {
    int batchSize = 2000;        ///< $top: records per page
    int propertyBatchSize = 500; ///< listings whose children one batch asks for
    int dbBatchSize = 100;       ///< rows per COPY + merge statement
    int throttleMs = 750;        ///< least gap between request starts
    int concurrency = 3;         ///< property batches in flight

    static SyncSettings fromProfile(const reso::FeedProfile &profile);
    /// Checks every value against the profile's limits. Returns an empty string when valid,
    /// else a message naming the setting, the value and the allowed range.
    QString validate(const reso::FeedProfile &profile) const;
    friend bool operator==(const SyncSettings &, const SyncSettings &) = default;
};

enum class SyncMode {
    Incremental, ///< from the saved cursor; children of listings that changed only
    Full,        ///< everything the feed has (up to the run's fence)
};
QString syncModeName(SyncMode mode);

/// Everything a run needs. Secrets (in `auth`) stay in memory only.
struct SyncRequest {
    QUrl feedUrl;     ///< OData service root, e.g. https://api.example.com/odata
    QString conninfo; ///< libpq connection string of the replica database
    reso::FeedProfile profile;
    reso::FeedAuth auth;
    QList<reso::Resource> resources; ///< in run order; Property first when present
    SyncMode mode = SyncMode::Incremental;
    SyncSettings settings;
    /// The fence trails the run's start by this much, so a vendor clock a little behind ours
    /// cannot put a record changed during the run behind the cursor.
    int fenceLagSeconds = 60;
    /// Let the AdaptiveTuner change the settings while the run goes on (within the profile's
    /// limits); a change made by hand is taken as its new starting point.
    bool adaptive = false;
    /// When the run's health is marked as an alert (on the charts and in the log).
    metrics::AlertThresholds alerts;
};

} // namespace resosync::sync
