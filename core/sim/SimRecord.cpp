#include "sim/SimRecord.h"

namespace resosync::sim {

using namespace Qt::StringLiterals;

FieldValue SimRecord::field(QStringView name) const {
    const reso::ResourceInfo &info = reso::resourceInfo(m_resource);
    if (name == info.keyField)
        return FeedData::keyFor(m_resource, m_state.ordinal);
    if (name == info.timestampField ||
        (m_resource == reso::Resource::Media && name == "MediaModificationTimestamp"_L1))
        return reso::Timestamp::fromUsecs(m_state.modifiedUsecs);
    if (!info.parentKeyField.isEmpty() && name == info.parentKeyField)
        return FeedData::keyFor(reso::Resource::Property, m_state.parent);
    for (const Field &f : full()) {
        if (f.name == name)
            return f.value;
    }
    return {};
}

const Record &SimRecord::full() const {
    if (!m_full)
        m_full = m_generator.generate(m_resource, m_state);
    return *m_full;
}

} // namespace resosync::sim
