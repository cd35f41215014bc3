#include "sync/SyncSettings.h"

namespace resosync::sync {

using namespace Qt::StringLiterals;

namespace {

QString outOfRange(const char *option, int value, int min, int max, const QString &why = {}) {
    return u"--%1 %2 is out of range: allowed %3 to %4%5"_s.arg(QLatin1StringView(option))
        .arg(value)
        .arg(min)
        .arg(max)
        .arg(why.isEmpty() ? QString() : u" ("_s + why + u')');
}

} // namespace

SyncSettings SyncSettings::fromProfile(const reso::FeedProfile &profile) {
    SyncSettings s;
    s.batchSize = std::min(profile.batchSize, profile.maxTop);
    s.propertyBatchSize = profile.propertyBatchSize;
    s.dbBatchSize = profile.dbBatchSize;
    s.throttleMs = profile.throttleMs;
    s.concurrency = std::min(profile.concurrency, profile.maxConcurrency);
    return s;
}

QString SyncSettings::validate(const reso::FeedProfile &profile) const {
    if (batchSize < 1 || batchSize > profile.maxTop)
        return outOfRange("batch-size", batchSize, 1, profile.maxTop,
                          u"the %1 profile's largest $top"_s.arg(profile.name));
    if (propertyBatchSize < 1 || propertyBatchSize > 10'000)
        return outOfRange("property-batch-size", propertyBatchSize, 1, 10'000);
    if (dbBatchSize < 1 || dbBatchSize > 100'000)
        return outOfRange("db-batch-size", dbBatchSize, 1, 100'000);
    if (throttleMs < 0 || throttleMs > 600'000)
        return outOfRange("throttle-ms", throttleMs, 0, 600'000);
    if (concurrency < 1 || concurrency > profile.maxConcurrency)
        return outOfRange("concurrency", concurrency, 1, profile.maxConcurrency,
                          u"the %1 profile's maximum"_s.arg(profile.name));
    return {};
}

QString ReconcileOptions::validate(const reso::FeedProfile &profile) const {
    if (!(maxDeleteShare >= 0.0 && maxDeleteShare <= 1.0))
        return u"--max-delete-share %1 is out of range: allowed 0 to 1 (a share of each "
               "table, e.g. 0.2 for 20 percent)"_s.arg(maxDeleteShare);
    if (keyPageSize && (*keyPageSize < 1 || *keyPageSize > profile.maxTopKeyOnly))
        return outOfRange("key-page-size", *keyPageSize, 1, profile.maxTopKeyOnly,
                          u"the %1 profile's largest $top on key-only queries"_s.arg(profile.name));
    return {};
}

QString syncModeName(SyncMode mode) {
    switch (mode) {
    case SyncMode::Full:
        return u"full"_s;
    case SyncMode::Reconcile:
        return u"reconcile"_s;
    case SyncMode::Incremental:
        break;
    }
    return u"incremental"_s;
}

std::optional<SyncMode> syncModeFromName(const QString &name) {
    for (SyncMode mode : {SyncMode::Incremental, SyncMode::Full, SyncMode::Reconcile}) {
        if (syncModeName(mode) == name)
            return mode;
    }
    return std::nullopt;
}

} // namespace resosync::sync
