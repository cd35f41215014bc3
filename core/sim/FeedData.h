#pragma once

#include "reso/Resource.h"
#include "reso/Timestamp.h"
#include "sim/SimulatorOptions.h"
#include "sim/SplitMix64.h"

#include <QReadWriteLock>
#include <QString>

#include <array>
#include <vector>

namespace resosync::sim {

/// What the simulator remembers of one record. Everything else (addresses, prices, remarks)
/// is regenerated on demand from (seed, resource, ordinal, version), which keeps 2.5 million
/// media in about 60 MB instead of gigabytes of JSON.
struct RecordState {
    quint32 ordinal = 0; ///< identity within its resource; the key is derived from it
    quint32 parent = 0;  ///< ordinal of the parent Property (its own ordinal for a Property)
    quint32 version = 0; ///< bumped by an update: the record's fields are drawn anew
    quint8 slot = 0;     ///< position among its parent's children (Media.Order, < 256)
    quint8 status = 0;   ///< Property: index into the StandardStatus list
    bool alive = true;   ///< false once deleted: the feed no longer returns it
    /// MLS Grid style: false once deleted while the feed keeps serving it with
    /// `MlgCanView: false` (SimulatorOptions::mlgCanView); a client must delete it locally.
    bool canView = true;
    qint64 modifiedUsecs = 0; ///< ModificationTimestamp
};

/// The simulated MLS's records, deterministic from a seed, with the indexes a real server
/// would have: by (ModificationTimestamp, key) and by parent listing.
///
/// Thread safety: readers hold lock() for reading while they look at records; mutate()
/// takes it for writing.
class FeedData final {
public:
    explicit FeedData(const SimulatorOptions &options);

    QReadWriteLock &lock() const { return m_lock; }

    const std::vector<RecordState> &records(reso::Resource resource) const;
    /// Positions into records(resource), ordered by (ModificationTimestamp, key).
    const std::vector<quint32> &timeOrder(reso::Resource resource) const;
    /// Positions of the children of the Property with `propertyOrdinal` (alive or not).
    const std::vector<quint32> &childrenOf(reso::Resource resource, quint32 propertyOrdinal) const;
    /// Position of the record with `key`, or -1.
    qint64 positionOfKey(reso::Resource resource, QStringView key) const;
    qsizetype aliveCount(reso::Resource resource) const;
    /// Whether records carry `MlgCanView` and deletions keep serving them with `false`.
    bool servesMlgCanView() const { return m_mlgCanView; }

    quint64 seed() const { return m_seed; }
    int generation() const { return m_generation; }
    /// The latest ModificationTimestamp in the feed.
    reso::Timestamp newestTimestamp() const;

    MutationResult mutate(const MutationSpec &spec);

    static QString keyFor(reso::Resource resource, quint32 ordinal);
    static QLatin1StringView keyPrefix(reso::Resource resource);
    static QString listingIdFor(quint32 propertyOrdinal);
    /// The StandardStatus values used, in the order RecordState::status indexes.
    static const QStringList &statuses();
    static bool hasOpenHouses(quint8 status);

    static constexpr qint64 kEpochStartUsecs = 1672531200000000LL; ///< 2023-01-01T00:00:00Z
    static constexpr qint64 kEpochEndUsecs = 1748736000000000LL;   ///< 2025-06-01T00:00:00Z

private:
    std::vector<RecordState> &mutableRecords(reso::Resource resource);
    void addProperty(quint32 ordinal, qint64 modifiedUsecs, bool fromMutation);
    void addChildren(const RecordState &property, bool fromMutation);
    qint64 drawTimestamp(SplitMix64 &rng, reso::Resource resource) const;
    void rebuildIndexes();
    void touchProperty(quint32 propertyOrdinal, qint64 usecs);

    mutable QReadWriteLock m_lock;
    quint64 m_seed;
    bool m_mlgCanView = false;
    int m_generation = 0;
    qint64 m_mutationUsecs = 0; ///< the instant the current mutation stamps on records
    std::array<std::vector<RecordState>, 4> m_records;
    std::array<std::vector<quint32>, 4> m_timeOrder;
    std::array<std::vector<std::vector<quint32>>, 4> m_children; ///< by property ordinal
    std::array<qint64, 3> m_tieInstants{};                       ///< bulk-remap instants
};

} // namespace resosync::sim
