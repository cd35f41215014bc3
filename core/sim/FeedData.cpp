#include "sim/FeedData.h"

#include <QSet>
#include <QStringList>

#include <algorithm>

namespace resosync::sim {

using namespace Qt::StringLiterals;
using reso::Resource;

namespace {

constexpr qint64 kUsecsPerMs = 1000;
constexpr qint64 kUsecsPerHour = 3600LL * 1000 * 1000;
constexpr double kTieShare = 0.35; ///< share of records stamped by a bulk remap
constexpr quint64 kStatusWeights[] = {45, 4, 8, 28, 5, 4, 2, 3, 1};

std::size_t idx(Resource r) {
    return static_cast<std::size_t>(r);
}

quint8 drawStatus(SplitMix64 &rng) {
    quint64 total = 0;
    for (quint64 w : kStatusWeights)
        total += w;
    quint64 pick = rng.below(total);
    for (quint8 i = 0; i < std::size(kStatusWeights); ++i) {
        if (pick < kStatusWeights[i])
            return i;
        pick -= kStatusWeights[i];
    }
    return 0;
}

int drawChildCount(SplitMix64 &rng, Resource resource, quint8 status) {
    switch (resource) {
    case Resource::Media:
        // About 25 photos on average, 0 to 60, a few listings with none.
        if (rng.chance(0.04))
            return 0;
        return static_cast<int>(rng.chance(0.5) ? rng.between(1, 60) : rng.between(1, 38));
    case Resource::PropertyRooms:
        return rng.chance(0.85) ? static_cast<int>(rng.between(3, 12)) : 0;
    case Resource::OpenHouse:
        return FeedData::hasOpenHouses(status) ? static_cast<int>(rng.between(0, 3)) : 0;
    case Resource::Property:
        break;
    }
    return 0;
}

} // namespace

FeedData::FeedData(const SimulatorOptions &options)
    : m_seed(options.seed)
    , m_mlgCanView(options.mlgCanView) {
    SplitMix64 rng = SplitMix64::from({m_seed, 0xB01C});
    for (qint64 &instant : m_tieInstants)
        instant = rng.between(kEpochStartUsecs, kEpochEndUsecs - 1) / kUsecsPerMs * kUsecsPerMs;
    for (auto &records : m_records)
        records.reserve(static_cast<std::size_t>(options.properties));
    m_records[idx(Resource::Media)].reserve(static_cast<std::size_t>(options.properties) * 26);
    for (int i = 1; i <= options.properties; ++i) {
        SplitMix64 stampRng = SplitMix64::from({m_seed, idx(Resource::Property), quint64(i)});
        addProperty(static_cast<quint32>(i), drawTimestamp(stampRng, Resource::Property), false);
    }
    rebuildIndexes();
}

const std::vector<RecordState> &FeedData::records(Resource resource) const {
    return m_records[idx(resource)];
}

std::vector<RecordState> &FeedData::mutableRecords(Resource resource) {
    return m_records[idx(resource)];
}

const std::vector<quint32> &FeedData::timeOrder(Resource resource) const {
    return m_timeOrder[idx(resource)];
}

const std::vector<quint32> &FeedData::childrenOf(Resource resource, quint32 propertyOrdinal) const {
    static const std::vector<quint32> kNone;
    const auto &children = m_children[idx(resource)];
    return propertyOrdinal < children.size() ? children[propertyOrdinal] : kNone;
}

qint64 FeedData::positionOfKey(Resource resource, QStringView key) const {
    const QLatin1StringView prefix = keyPrefix(resource);
    if (!key.startsWith(prefix))
        return -1;
    bool ok = false;
    const qint64 ordinal = key.mid(prefix.size()).toLongLong(&ok);
    if (!ok || ordinal < 1 || ordinal > qint64(records(resource).size()) ||
        keyFor(resource, quint32(ordinal)) != key)
        return -1;
    return ordinal - 1;
}

qsizetype FeedData::aliveCount(Resource resource) const {
    const auto &all = records(resource);
    return std::count_if(all.begin(), all.end(), [](const RecordState &r) { return r.alive; });
}

reso::Timestamp FeedData::newestTimestamp() const {
    qint64 newest = 0;
    for (const auto &all : m_records) {
        for (const RecordState &r : all)
            newest = std::max(newest, r.modifiedUsecs);
    }
    return reso::Timestamp::fromUsecs(newest);
}

QLatin1StringView FeedData::keyPrefix(Resource resource) {
    switch (resource) {
    case Resource::Property:
        return "L"_L1;
    case Resource::Media:
        return "M"_L1;
    case Resource::PropertyRooms:
        return "R"_L1;
    case Resource::OpenHouse:
        return "OH"_L1;
    }
    return "X"_L1;
}

QString FeedData::keyFor(Resource resource, quint32 ordinal) {
    // Fixed width, so key order (what $orderby sorts by) is ordinal order.
    return keyPrefix(resource) + u"%1"_s.arg(ordinal, 10, 10, QChar(u'0'));
}

QString FeedData::listingIdFor(quint32 propertyOrdinal) {
    return u"SIM%1"_s.arg(propertyOrdinal + 100000);
}

const QStringList &FeedData::statuses() {
    static const QStringList kStatuses{
        u"Active"_s,  u"ActiveUnderContract"_s, u"Pending"_s,  u"Closed"_s,
        u"Expired"_s, u"Withdrawn"_s,           u"Canceled"_s, u"ComingSoon"_s,
        u"Hold"_s};
    return kStatuses;
}

bool FeedData::hasOpenHouses(quint8 status) {
    return status == 0 || status == 1 || status == 7; // Active, UnderContract, ComingSoon
}

qint64 FeedData::drawTimestamp(SplitMix64 &rng, Resource resource) const {
    if (m_mutationUsecs != 0) {
        // Half of a mutation's records share one instant: a bulk update, as MLSs do.
        if (rng.chance(0.5))
            return m_mutationUsecs;
        return m_mutationUsecs + rng.between(1, 30 * 60 * 1000) * kUsecsPerMs;
    }
    if (rng.chance(kTieShare))
        return m_tieInstants[(rng.below(m_tieInstants.size()) + idx(resource)) %
                             m_tieInstants.size()];
    const qint64 usecs = rng.between(kEpochStartUsecs, kEpochEndUsecs - 1);
    // Most vendors send milliseconds; some send more digits. Keep both kinds.
    return rng.chance(0.9) ? usecs / kUsecsPerMs * kUsecsPerMs : usecs;
}

void FeedData::addProperty(quint32 ordinal, qint64 modifiedUsecs, bool fromMutation) {
    SplitMix64 rng = SplitMix64::from({m_seed, idx(Resource::Property), ordinal, 0xC0DE});
    RecordState property;
    property.ordinal = ordinal;
    property.parent = ordinal;
    property.version = fromMutation ? quint32(m_generation) : 0;
    property.status = drawStatus(rng);
    property.modifiedUsecs = modifiedUsecs;
    mutableRecords(Resource::Property).push_back(property);
    addChildren(property, fromMutation);
}

void FeedData::addChildren(const RecordState &property, bool fromMutation) {
    for (Resource child : {Resource::Media, Resource::PropertyRooms, Resource::OpenHouse}) {
        SplitMix64 rng = SplitMix64::from({m_seed, idx(child), property.ordinal, property.version});
        const int count = drawChildCount(rng, child, property.status);
        auto &records = mutableRecords(child);
        for (int slot = 0; slot < count; ++slot) {
            RecordState record;
            record.ordinal = quint32(records.size() + 1);
            record.parent = property.ordinal;
            record.version = property.version;
            record.slot = quint8(slot);
            record.modifiedUsecs =
                fromMutation ? property.modifiedUsecs : drawTimestamp(rng, child);
            records.push_back(record);
        }
    }
}

void FeedData::rebuildIndexes() {
    for (Resource resource : reso::kAllResources) {
        const auto &all = records(resource);
        auto &order = m_timeOrder[idx(resource)];
        order.resize(all.size());
        for (quint32 i = 0; i < all.size(); ++i)
            order[i] = i;
        // Key order equals ordinal order (fixed-width keys), so ties break on position.
        std::sort(order.begin(), order.end(), [&all](quint32 a, quint32 b) {
            return all[a].modifiedUsecs != all[b].modifiedUsecs
                       ? all[a].modifiedUsecs < all[b].modifiedUsecs
                       : a < b;
        });
        if (resource == Resource::Property)
            continue;
        auto &children = m_children[idx(resource)];
        children.assign(records(Resource::Property).size() + 1, {});
        for (quint32 i = 0; i < all.size(); ++i)
            children[all[i].parent].push_back(i);
    }
}

void FeedData::touchProperty(quint32 propertyOrdinal, qint64 usecs) {
    RecordState &property = mutableRecords(Resource::Property)[propertyOrdinal - 1];
    property.modifiedUsecs = std::max(property.modifiedUsecs, usecs);
}

MutationResult FeedData::mutate(const MutationSpec &spec) {
    QWriteLocker locker(&m_lock);
    ++m_generation;
    m_mutationUsecs = kEpochEndUsecs + m_generation * kUsecsPerHour;
    SplitMix64 rng = SplitMix64::from({m_seed, spec.seed, quint64(m_generation), 0x3A7E});
    MutationResult result;
    result.generation = m_generation;

    // Picks distinct visible records of a resource; bounded so a small feed cannot loop.
    auto pick = [&rng](std::vector<RecordState> &records, int count) {
        QSet<quint32> chosen;
        const int attempts = count * 20 + 100;
        for (int i = 0; i < attempts && chosen.size() < count && !records.empty(); ++i) {
            const auto position = quint32(rng.below(records.size()));
            if (records[position].alive && records[position].canView)
                chosen.insert(position);
        }
        return chosen;
    };
    // A vendor that signals deletions (MLS Grid) keeps serving the record with MlgCanView
    // false and a new timestamp, so replication by timestamp finds it; others drop it.
    auto remove = [this, &rng](RecordState &record, Resource resource) {
        if (!m_mlgCanView) {
            record.alive = false;
            return;
        }
        record.canView = false;
        record.modifiedUsecs = drawTimestamp(rng, resource);
    };

    auto &properties = mutableRecords(Resource::Property);
    for (quint32 position : pick(properties, spec.updateProperties)) {
        RecordState &p = properties[position];
        p.version = quint32(m_generation);
        p.modifiedUsecs = drawTimestamp(rng, Resource::Property);
        ++result.updatedProperties;
    }
    for (quint32 position : pick(properties, spec.deleteProperties)) {
        remove(properties[position], Resource::Property);
        for (Resource child : {Resource::Media, Resource::PropertyRooms, Resource::OpenHouse}) {
            for (quint32 c : childrenOf(child, properties[position].ordinal)) {
                RecordState &record = mutableRecords(child)[c];
                if (record.alive && record.canView)
                    remove(record, child);
            }
        }
        ++result.deletedProperties;
    }
    auto &media = mutableRecords(Resource::Media);
    for (quint32 position : pick(media, spec.updateMedia)) {
        RecordState &m = media[position];
        m.version = quint32(m_generation);
        m.modifiedUsecs = drawTimestamp(rng, Resource::Media);
        // A photo change bumps its listing, which is how incremental child syncs find it.
        touchProperty(m.parent, m.modifiedUsecs);
        ++result.updatedMedia;
    }
    for (quint32 position : pick(media, spec.deleteMedia)) {
        remove(media[position], Resource::Media);
        touchProperty(media[position].parent, drawTimestamp(rng, Resource::Property));
        ++result.deletedMedia;
    }
    for (int i = 0; i < spec.insertProperties; ++i) {
        addProperty(quint32(properties.size() + 1), drawTimestamp(rng, Resource::Property), true);
        ++result.insertedProperties;
    }
    rebuildIndexes();
    m_mutationUsecs = 0;
    return result;
}

} // namespace resosync::sim
