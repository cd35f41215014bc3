#pragma once

#include "reso/Resource.h"

#include <QByteArray>
#include <QString>

#include <vector>

namespace resosync::sync {

/// One record of a page, ready for the database.
struct ParsedRecord {
    QByteArray key;           ///< the resource's key (UTF-8), never empty
    QByteArray parentKey;     ///< the parent ListingKey for children; empty for Property
    qint64 modifiedUsecs = 0; ///< the cursor timestamp (ModificationTimestamp), microseconds UTC
    /// The record's row for the staging table in PostgreSQL COPY text format, without the
    /// trailing newline: the FieldCatalog::columns(resource) in catalog order, then `record`
    /// (the record's JSON: its top-level members in jsonb's key order, each member's bytes
    /// exactly as received), tab-separated, `\N` for null, with backslash, tab, newline and
    /// carriage return escaped as COPY requires.
    QByteArray copyLine;
    /// The record came with `MlgCanView: false`: an MLS Grid vendor withdrew it. Only profiles
    /// whose deletion signal is MlgCanView act on it (ParsedPage::setAsideWithdrawn()).
    bool withdrawn = false;
};

/// A record that cannot be stored, with why; it goes to resosync.rejects.
struct RejectedRecord {
    QByteArray key;     ///< may be empty when the record has no usable key
    QString reason;     ///< for a person: which field, which value, what was expected
    QByteArray payload; ///< the record's raw JSON as received
};

/// A page of an OData response, parsed.
struct ParsedPage {
    reso::Resource resource = reso::Resource::Property;
    std::vector<ParsedRecord> records; ///< in page order; duplicates are kept (merge dedupes)
    std::vector<RejectedRecord> rejects;
    /// Records to delete locally instead of storing (MlgCanView false), in page order;
    /// filled by setAsideWithdrawn().
    std::vector<ParsedRecord> withdrawn;
    QByteArray nextLink; ///< @odata.nextLink verbatim, empty on the last page
    qint64 count = -1;   ///< @odata.count when present
    qint64 bytes = 0;    ///< size of the page as received (decoded)

    /// Moves the records flagged `withdrawn` from `records` to `withdrawn`, so the writer
    /// deletes them (and a listing's children) instead of storing them.
    void setAsideWithdrawn() {
        std::vector<ParsedRecord> kept;
        kept.reserve(records.size());
        for (ParsedRecord &record : records)
            (record.withdrawn ? withdrawn : kept).push_back(std::move(record));
        records = std::move(kept);
    }
};

} // namespace resosync::sync
