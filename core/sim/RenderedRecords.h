#pragma once

#include "reso/Resource.h"
#include "sim/FeedData.h"

#include <QByteArray>

#include <array>
#include <vector>

namespace resosync::sim {

/// Each record's JSON as the feed served it, kept after its first rendering so that later
/// pages are assembled from bytes instead of generated again.
///
/// Why: a real MLS answers from its own machines and costs the client's nothing; the
/// simulator shares this machine's two cores with the sync and PostgreSQL it serves, and its
/// generator (strings, UTF-8, escaping) costs more CPU than the sync's parsing. With the
/// records rendered, a benchmark measures the sync rather than the simulator.
///
/// An entry is used only for the very state it was rendered from (a mutation bumps the
/// version or timestamp, and the record is rendered anew). Bounded by a byte budget: once
/// full, further records are served without being kept (for a scan larger than the budget,
/// keeping the first part serves repeated scans better than evicting would). Not
/// thread-safe: the FeedService uses it on the server's thread.
class RenderedRecords final {
public:
    explicit RenderedRecords(qint64 budgetBytes = 0);

    bool enabled() const { return m_budget > 0; }
    /// The JSON rendered for `state` at `position` of `resource`'s records, or a null array.
    QByteArray find(reso::Resource resource, quint32 position, const RecordState &state) const;
    /// Keeps `json` for `state`, if the budget allows.
    void store(reso::Resource resource, quint32 position, const RecordState &state,
               const QByteArray &json);
    qint64 bytes() const { return m_bytes; }
    qint64 records() const { return m_records; }

private:
    struct Entry {
        RecordState state;
        QByteArray json;
    };
    static bool sameRendering(const RecordState &a, const RecordState &b);

    qint64 m_budget;
    qint64 m_bytes = 0;
    qint64 m_records = 0;
    std::array<std::vector<Entry>, 4> m_entries; ///< by position in FeedData::records()
};

} // namespace resosync::sim
