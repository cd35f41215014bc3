#include "reso/DataDictionary.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace resosync::reso {

using namespace Qt::StringLiterals;

namespace {

FieldType typeFromEdm(const QString &edm) {
    if (edm == "Edm.String"_L1)
        return FieldType::String;
    if (edm == "Edm.Int64"_L1 || edm == "Edm.Int32"_L1 || edm == "Edm.Int16"_L1)
        return FieldType::Integer;
    if (edm == "Edm.Decimal"_L1 || edm == "Edm.Double"_L1)
        return FieldType::Decimal;
    if (edm == "Edm.Boolean"_L1)
        return FieldType::Boolean;
    if (edm == "Edm.DateTimeOffset"_L1)
        return FieldType::Timestamp;
    if (edm == "Edm.Date"_L1)
        return FieldType::Date;
    return FieldType::Enum; // org.reso.metadata.enums.*
}

} // namespace

const DataDictionary &DataDictionary::instance() {
    static const DataDictionary dictionary;
    return dictionary;
}

DataDictionary::DataDictionary() {
    // Compiled in by resources/CMakeLists.txt; a missing resource is a build defect.
    QFile file(u":/resources/reso/reso-dd-2.0-core.json"_s);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("ResoSync: the Data Dictionary resource is missing from this build");
    const QJsonObject root = QJsonDocument::fromJson(file.readAll()).object();

    for (const QJsonValue &value : root.value("fields"_L1).toArray()) {
        const QJsonObject o = value.toObject();
        const auto resource = resourceFromName(o.value("resourceName"_L1).toString());
        if (!resource)
            continue;
        DdField f;
        f.name = o.value("fieldName"_L1).toString();
        const QString edm = o.value("type"_L1).toString();
        f.type = typeFromEdm(edm);
        if (f.type == FieldType::Enum)
            f.lookupName = edm;
        f.isCollection = o.value("isCollection"_L1).toBool();
        f.scale = o.value("scale"_L1).toInt();
        f.precision = o.value("precision"_L1).toInt();
        f.maxLength = o.value("maxLength"_L1).toInt();
        m_fields[static_cast<std::size_t>(*resource)].append(std::move(f));
    }
    for (const QJsonValue &value : root.value("lookups"_L1).toArray()) {
        const QJsonObject o = value.toObject();
        m_lookups[o.value("lookupName"_L1).toString()].append(o.value("lookupValue"_L1).toString());
    }
}

const QList<DdField> &DataDictionary::fields(Resource resource) const {
    return m_fields[static_cast<std::size_t>(resource)];
}

const DdField *DataDictionary::field(Resource resource, QStringView name) const {
    for (const DdField &f : fields(resource)) {
        if (f.name == name)
            return &f;
    }
    return nullptr;
}

QStringList DataDictionary::lookupValues(const QString &lookupName) const {
    return m_lookups.value(lookupName);
}

} // namespace resosync::reso
