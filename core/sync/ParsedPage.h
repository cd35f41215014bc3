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
    /// (the record's raw JSON bytes exactly as received), tab-separated, `\N` for null, with
    /// backslash, tab, newline and carriage return escaped as COPY requires.
    QByteArray copyLine;
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
    QByteArray nextLink; ///< @odata.nextLink verbatim, empty on the last page
    qint64 count = -1;   ///< @odata.count when present
    qint64 bytes = 0;    ///< size of the page as received (decoded)
};

} // namespace resosync::sync
