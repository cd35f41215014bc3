#include "sync/SyncSettings.h"

#include <QStringList>

namespace resosync::sync {

using namespace Qt::StringLiterals;

namespace {

const std::array<SyncSettingInfo, kSyncSettings.size()> kInfo{{
    {"batch-size"_L1, "Batch size"_L1, "records per page ($top)"_L1,
     "Records asked for per request. Larger pages mean fewer requests, but more memory per "
     "page and more to fetch again when one fails. Capped by the vendor's largest $top."_L1,
     2000},
    {"property-batch-size"_L1, "Property batch size"_L1, "listings per child batch"_L1,
     "Listings whose media, rooms and open houses one child batch asks for (their keys are "
     "split into filters that fit the vendor's URL limit). Larger batches make fewer, longer "
     "queries."_L1,
     500},
    {"db-batch-size"_L1, "Database batch size"_L1, "rows per statement"_L1,
     "Rows per COPY and merge statement. Larger chunks mean fewer round trips to PostgreSQL; "
     "smaller ones shorter statements."_L1,
     100},
    {"throttle-ms"_L1, "Throttle"_L1, "ms between request starts"_L1,
     "Least gap between the starts of two requests, to stay under the vendor's rate limit. "
     "0 sends requests as fast as the feed answers."_L1,
     750},
    {"concurrency"_L1, "Concurrency"_L1, "child batches in flight"_L1,
     "Child batches fetched and written in parallel, each with its own database connection. "
     "More overlaps waiting on the network; too many trips the vendor's rate limit."_L1,
     3},
}};

} // namespace

const SyncSettingInfo &syncSettingInfo(SyncSetting setting) {
    return kInfo[std::size_t(setting)];
}

SettingRange settingRange(SyncSetting setting, const reso::FeedProfile &profile) {
    switch (setting) {
    case SyncSetting::BatchSize:
        return {1, profile.maxTop, u"the %1 profile's largest $top"_s.arg(profile.name)};
    case SyncSetting::PropertyBatchSize:
        return {1, 10'000, {}};
    case SyncSetting::DbBatchSize:
        return {1, 100'000, {}};
    case SyncSetting::ThrottleMs:
        return {0, 600'000, {}};
    case SyncSetting::Concurrency:
        return {1, profile.maxConcurrency, u"the %1 profile's maximum"_s.arg(profile.name)};
    }
    return {};
}

SyncSettings SyncSettings::fromProfile(const reso::FeedProfile &profile) {
    SyncSettings s;
    s.batchSize = std::min(profile.batchSize, profile.maxTop);
    s.propertyBatchSize = profile.propertyBatchSize;
    s.dbBatchSize = profile.dbBatchSize;
    s.throttleMs = profile.throttleMs;
    s.concurrency = std::min(profile.concurrency, profile.maxConcurrency);
    return s;
}

QString SyncSettings::validate(const reso::FeedProfile &profile, SettingNaming naming,
                               SyncSetting *refused) const {
    for (SyncSetting setting : kSyncSettings) {
        const int v = value(setting);
        const SettingRange range = settingRange(setting, profile);
        if (v >= range.minimum && v <= range.maximum)
            continue;
        if (refused)
            *refused = setting;
        const SyncSettingInfo &info = syncSettingInfo(setting);
        const QString name =
            naming == SettingNaming::Option ? u"--"_s + info.option : QString(info.label);
        return u"%1 %2 is out of range: allowed %3 to %4%5"_s.arg(name)
            .arg(v)
            .arg(range.minimum)
            .arg(range.maximum)
            .arg(range.why.isEmpty() ? QString() : u" ("_s + range.why + u')');
    }
    return {};
}

QString ReconcileOptions::validate(const reso::FeedProfile &profile) const {
    if (!(maxDeleteShare >= 0.0 && maxDeleteShare <= 1.0))
        return u"--max-delete-share %1 is out of range: allowed 0 to 1 (a share of each "
               "table, e.g. 0.2 for 20 percent)"_s.arg(maxDeleteShare);
    if (keyPageSize && (*keyPageSize < 1 || *keyPageSize > profile.maxTopKeyOnly))
        return u"--key-page-size %1 is out of range: allowed 1 to %2 (the %3 profile's largest "
               "$top on key-only queries)"_s.arg(*keyPageSize)
                   .arg(profile.maxTopKeyOnly)
                   .arg(profile.name);
    return {};
}

int SyncSettings::value(SyncSetting setting) const {
    switch (setting) {
    case SyncSetting::BatchSize:
        return batchSize;
    case SyncSetting::PropertyBatchSize:
        return propertyBatchSize;
    case SyncSetting::DbBatchSize:
        return dbBatchSize;
    case SyncSetting::ThrottleMs:
        return throttleMs;
    case SyncSetting::Concurrency:
        return concurrency;
    }
    return 0;
}

void SyncSettings::setValue(SyncSetting setting, int value) {
    switch (setting) {
    case SyncSetting::BatchSize:
        batchSize = value;
        break;
    case SyncSetting::PropertyBatchSize:
        propertyBatchSize = value;
        break;
    case SyncSetting::DbBatchSize:
        dbBatchSize = value;
        break;
    case SyncSetting::ThrottleMs:
        throttleMs = value;
        break;
    case SyncSetting::Concurrency:
        concurrency = value;
        break;
    }
}

QString SyncSettings::summary() const {
    QStringList parts;
    for (SyncSetting setting : kSyncSettings)
        parts << u"%1 %2"_s.arg(QString(syncSettingInfo(setting).label).toLower())
                     .arg(value(setting));
    return parts.join(u", "_s);
}

QString syncModeName(SyncMode mode) {
    switch (mode) {
    case SyncMode::Incremental:
        return u"incremental"_s;
    case SyncMode::Full:
        return u"full"_s;
    case SyncMode::Reconcile:
        return u"reconcile"_s;
    }
    return {};
}

std::optional<SyncMode> syncModeFromName(QStringView name) {
    for (SyncMode mode : kSyncModes) {
        if (name.compare(syncModeName(mode), Qt::CaseInsensitive) == 0)
            return mode;
    }
    return std::nullopt;
}

QString syncModeDescription(SyncMode mode) {
    switch (mode) {
    case SyncMode::Incremental:
        return u"From the saved cursor: listings changed since the last run, and the children "
               "of listings that changed or whose children were not synced completely (failed "
               "or cancelled batches)."_s;
    case SyncMode::Full:
        return u"Everything the feed has, whatever was stored before (a first sync must be "
               "full). Unchanged rows cost no writes."_s;
    case SyncMode::Reconcile:
        return u"No records: sweeps the feed's key lists and deletes the rows the feed no "
               "longer has, refusing to delete more than the allowed share of a table."_s;
    }
    return {};
}

} // namespace resosync::sync
