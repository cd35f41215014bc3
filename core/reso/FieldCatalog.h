#pragma once

#include "reso/DataDictionary.h"
#include "reso/Resource.h"

#include <QList>
#include <QString>

namespace resosync::reso {

/// A column ResoSync stores typed (beside the complete record in jsonb).
struct CatalogColumn {
    DdField field;   ///< name and type, from the Data Dictionary (or local, see below)
    QString sqlType; ///< PostgreSQL type of the column, derived from the field's type
    bool isKey = false;
};

/// The curated set of typed columns per resource: keys, cursor timestamps, the columns the
/// seed's indexes name, and the fields analysts filter on most. Types come from the Data
/// Dictionary; `ContractStatus` is not a DD 2.0 field but the seed indexes it, so it is kept
/// as a local text column (filled from the record, or from StandardStatus when absent).
class FieldCatalog final {
public:
    static const QList<CatalogColumn> &columns(Resource resource);
    static QString sqlType(const DdField &field);
};

} // namespace resosync::reso
