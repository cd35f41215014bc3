#pragma once

#include "metrics/AlertMonitor.h"

#include "reso/FeedClient.h"
#include "reso/FeedProfile.h"
#include "reso/Resource.h"

#include <QLatin1StringView>
#include <QList>
#include <QString>
#include <QUrl>

#include <array>
#include <optional>

namespace resosync::sync {

/// The five knobs by name, for whoever lists or edits them one by one (the console's tuning
/// panel, messages). Order: as the seed's guide introduces them.
enum class SyncSetting { BatchSize, PropertyBatchSize, DbBatchSize, ThrottleMs, Concurrency };
inline constexpr std::array<SyncSetting, 5> kSyncSettings{
    SyncSetting::BatchSize, SyncSetting::PropertyBatchSize, SyncSetting::DbBatchSize,
    SyncSetting::ThrottleMs, SyncSetting::Concurrency};

/// What a setting is and does, for labels, tooltips and messages.
struct SyncSettingInfo {
    QLatin1StringView option; ///< the command-line option without dashes, e.g. "batch-size"
    QLatin1StringView label;  ///< as the console names it, e.g. "Batch size"
    QLatin1StringView unit;   ///< e.g. "records per page"
    QLatin1StringView effect; ///< what changing it does, in a sentence or two
    int seedDefault = 0;      ///< the seed guide's value
};
const SyncSettingInfo &syncSettingInfo(SyncSetting setting);

/// The values a setting may take with a profile, and the reason for the limit when it comes
/// from the vendor (empty otherwise).
struct SettingRange {
    int minimum = 0;
    int maximum = 0;
    QString why;
};
SettingRange settingRange(SyncSetting setting, const reso::FeedProfile &profile);

/// How validate() names a setting in its message: as the CLI's option or the console's label.
enum class SettingNaming { Option, Label };

/// The five knobs of the seed's media sync; all may change while a run goes on (they apply to
/// the next batch).
struct SyncSettings {
    int batchSize = 2000;        ///< $top: records per page
    int propertyBatchSize = 500; ///< listings whose children one batch asks for
    int dbBatchSize = 100;       ///< rows per COPY + merge statement
    int throttleMs = 750;        ///< least gap between request starts
    int concurrency = 3;         ///< property batches in flight

    static SyncSettings fromProfile(const reso::FeedProfile &profile);
    /// Checks every value against the profile's limits (settingRange). Returns an empty string
    /// when valid, else a message naming the setting, the value and the allowed range; the
    /// first setting refused goes to `refused` when given.
    QString validate(const reso::FeedProfile &profile, SettingNaming naming = SettingNaming::Option,
                     SyncSetting *refused = nullptr) const;
    int value(SyncSetting setting) const;
    void setValue(SyncSetting setting, int value);
    /// "batch size 2000, property batch size 500, database batch size 100, throttle 750,
    /// concurrency 3", for logs and tooltips.
    QString summary() const;
    friend bool operator==(const SyncSettings &, const SyncSettings &) = default;
};

enum class SyncMode {
    Incremental, ///< from the saved cursor; children of listings that changed only
    Full,        ///< everything the feed has (up to the run's fence)
    /// No records: sweeps the feed's key lists and deletes the rows the feed no longer has
    /// (for vendors that signal deletions only by no longer returning a record).
    Reconcile,
};
/// Every mode, in the order menus list them. A new mode goes here too: the console's mode
/// list and the CLI's --mode read this, so it appears in both without further changes.
inline constexpr std::array<SyncMode, 3> kSyncModes{SyncMode::Incremental, SyncMode::Full,
                                                    SyncMode::Reconcile};
QString syncModeName(SyncMode mode); ///< "incremental", "full", "reconcile": --mode values
std::optional<SyncMode> syncModeFromName(QStringView name);
/// What a run in this mode does, in a sentence (tooltips, help).
QString syncModeDescription(SyncMode mode);

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
    /// Let the AdaptiveTuner change the settings while the run goes on (within the profile's
    /// limits); a change made by hand is taken as its new starting point.
    bool adaptive = false;
    /// When the run's health is marked as an alert (on the charts and in the log).
    metrics::AlertThresholds alerts;
};

} // namespace resosync::sync
