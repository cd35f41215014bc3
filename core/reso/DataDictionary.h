#pragma once

#include "reso/Resource.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

namespace resosync::reso {

/// The storage class of a Data Dictionary field, as far as replication cares.
enum class FieldType { String, Integer, Decimal, Boolean, Timestamp, Date, Enum };

/// One field of the RESO Data Dictionary 2.0 (resources/reso/reso-dd-2.0-core.json).
struct DdField {
    QString name;
    FieldType type = FieldType::String;
    QString lookupName; ///< for Enum: the lookup holding its values
    bool isCollection = false;
    int scale = 0;     ///< for Decimal
    int precision = 0; ///< for Decimal
    int maxLength = 0; ///< for String; 0 when unbounded
};

/// The Data Dictionary subset compiled into the binary: fields of our four resources and the
/// values of their enumerations. Loaded once, immutable, safe to share between threads.
class DataDictionary final {
public:
    static const DataDictionary &instance();

    const QList<DdField> &fields(Resource resource) const;
    const DdField *field(Resource resource, QStringView name) const;
    QStringList lookupValues(const QString &lookupName) const;

private:
    DataDictionary();

    std::array<QList<DdField>, 4> m_fields;
    QHash<QString, QStringList> m_lookups;
};

} // namespace resosync::reso
