#pragma once

#include "reso/DataDictionary.h"
#include "reso/Resource.h"
#include "sim/FeedData.h"
#include "sim/FieldValue.h"
#include "sim/ODataFilter.h"

#include <QString>

#include <vector>

namespace resosync::sim {

struct Field {
    QString name;
    FieldValue value;
};
using Record = std::vector<Field>;

/// Draws a record's Data Dictionary fields from (seed, resource, ordinal, version): the same
/// inputs always give the same record, byte for byte. Values are plausible (lookup values
/// from the DD, prices by property type, remarks with unicode, quotes, backslashes and
/// newlines) and some optional fields are null, as in real feeds.
class RecordGenerator final {
public:
    explicit RecordGenerator(const FeedData &data);

    Record generate(reso::Resource resource, const RecordState &state) const;

    /// The fields this feed serves for a resource, in document order (for $metadata,
    /// $select validation and filter types).
    const std::vector<reso::DdField> &servedFields(reso::Resource resource) const;
    const FilterSchema &filterSchema(reso::Resource resource) const;

private:
    void addExtras(reso::Resource resource, const RecordState &state, Record &record) const;

    const FeedData &m_data;
    std::array<std::vector<reso::DdField>, 4> m_served;
    std::array<std::vector<reso::DdField>, 4> m_extras;
    std::array<FilterSchema, 4> m_schemas;
};

} // namespace resosync::sim
