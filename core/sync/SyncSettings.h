#pragma once

#include "reso/FeedClient.h"
#include "reso/FeedProfile.h"
#include "reso/Resource.h"

#include <QList>
#include <QString>
#include <QUrl>

#include <optional>

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
    /// No records: sweeps the feed's key lists and deletes the rows the feed no longer has
    /// (for vendors that signal deletions only by no longer returning a record).
    Reconcile,
};
QString syncModeName(SyncMode mode); ///< "incremental", "full", "reconcile"
std::optional<SyncMode> syncModeFromName(const QString &name);

/// How a reconcile sweeps and when it may delete.
struct ReconcileOptions {
    /// The largest share of a table a reconcile deletes without `confirmed` (0..1): a feed
    /// that suddenly lists far fewer keys is more likely broken than emptied.
    double maxDeleteShare = 0.2;
    bool confirmed = false;         ///< delete whatever the complete key list says is gone
    std::optional<int> keyPageSize; ///< $top of key-only pages; default the profile's maximum

    int effectiveKeyPageSize(const reso::FeedProfile &profile) const {
        return keyPageSize.value_or(profile.maxTopKeyOnly);
    }
    /// Empty when valid, else a message naming the setting, the value and the allowed range.
    QString validate(const reso::FeedProfile &profile) const;
};

/// Everything a run needs. Secrets (in `auth`) stay in memory only.
struct SyncRequest {
    QUrl feedUrl;     ///< OData service root, e.g. https://api.example.com/odata
    QString conninfo; ///< libpq connection string of the replica database
    reso::FeedProfile profile;
    reso::FeedAuth auth;
    QList<reso::Resource> resources; ///< in run order; Property first when present
    SyncMode mode = SyncMode::Incremental;
    SyncSettings settings;
    ReconcileOptions reconcile; ///< mode Reconcile only
    /// The fence trails the run's start by this much, so a vendor clock a little behind ours
    /// cannot put a record changed during the run behind the cursor.
    int fenceLagSeconds = 60;
};

} // namespace resosync::sync
