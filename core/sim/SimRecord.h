#pragma once

#include "sim/FeedData.h"
#include "sim/FieldValue.h"
#include "sim/RecordGenerator.h"

#include <optional>

namespace resosync::sim {

/// One simulated record seen through FieldSource: keys and timestamps come straight from its
/// state, so cursor filters and sorts never generate the full record; any other field
/// generates it once, on first use.
class SimRecord final : public FieldSource {
public:
    SimRecord(const RecordGenerator &generator, reso::Resource resource, const RecordState &state)
        : m_generator(generator)
        , m_resource(resource)
        , m_state(state) {}

    FieldValue field(QStringView name) const override;
    const Record &full() const;
    const RecordState &state() const { return m_state; }

private:
    const RecordGenerator &m_generator;
    reso::Resource m_resource;
    const RecordState &m_state;
    mutable std::optional<Record> m_full;
};

} // namespace resosync::sim
