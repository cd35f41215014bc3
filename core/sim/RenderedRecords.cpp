#include "sim/RenderedRecords.h"

namespace resosync::sim {

namespace {
/// What an entry costs besides its JSON: the slot and QByteArray's header.
constexpr qint64 kEntryOverhead = 64;
} // namespace

RenderedRecords::RenderedRecords(qint64 budgetBytes)
    : m_budget(budgetBytes) {}

bool RenderedRecords::sameRendering(const RecordState &a, const RecordState &b) {
    // Every input of RecordGenerator::generate besides the feed's seed.
    return a.ordinal == b.ordinal && a.parent == b.parent && a.version == b.version &&
           a.slot == b.slot && a.status == b.status && a.alive == b.alive &&
           a.canView == b.canView && a.modifiedUsecs == b.modifiedUsecs;
}

QByteArray RenderedRecords::find(reso::Resource resource, quint32 position,
                                 const RecordState &state) const {
    const std::vector<Entry> &entries = m_entries[std::size_t(resource)];
    if (position >= entries.size())
        return {};
    const Entry &entry = entries[position];
    return !entry.json.isNull() && sameRendering(entry.state, state) ? entry.json : QByteArray();
}

void RenderedRecords::store(reso::Resource resource, quint32 position, const RecordState &state,
                            const QByteArray &json) {
    std::vector<Entry> &entries = m_entries[std::size_t(resource)];
    Entry *entry = position < entries.size() ? &entries[position] : nullptr;
    const qint64 freed = entry && !entry->json.isNull() ? entry->json.size() + kEntryOverhead : 0;
    const qint64 added = json.size() + kEntryOverhead;
    if (m_bytes - freed + added > m_budget)
        return;
    if (!entry) {
        entries.resize(std::size_t(position) + 1);
        entry = &entries[position];
    }
    m_bytes += added - freed;
    m_records += freed > 0 ? 0 : 1;
    entry->state = state;
    entry->json = json;
}

} // namespace resosync::sim
