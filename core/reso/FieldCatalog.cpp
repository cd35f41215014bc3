#include "reso/FieldCatalog.h"

#include <QStringList>

namespace resosync::reso {

using namespace Qt::StringLiterals;

namespace {

QStringList curatedNames(Resource resource) {
    switch (resource) {
    case Resource::Property:
        return {u"ListingKey"_s,
                u"ListingId"_s,
                u"ModificationTimestamp"_s,
                u"OriginalEntryTimestamp"_s,
                u"StandardStatus"_s,
                u"ContractStatus"_s,
                u"MlsStatus"_s,
                u"ListPrice"_s,
                u"ClosePrice"_s,
                u"PropertyType"_s,
                u"PropertySubType"_s,
                u"UnparsedAddress"_s,
                u"StreetNumber"_s,
                u"StreetName"_s,
                u"City"_s,
                u"StateOrProvince"_s,
                u"PostalCode"_s,
                u"CountyOrParish"_s,
                u"Latitude"_s,
                u"Longitude"_s,
                u"BedroomsTotal"_s,
                u"BathroomsTotalInteger"_s,
                u"LivingArea"_s,
                u"LotSizeAcres"_s,
                u"YearBuilt"_s,
                u"DaysOnMarket"_s,
                u"ListingContractDate"_s,
                u"OnMarketDate"_s,
                u"CloseDate"_s,
                u"ListAgentKey"_s,
                u"ListOfficeKey"_s,
                u"PhotosCount"_s,
                u"PhotosChangeTimestamp"_s,
                u"PublicRemarks"_s};
    case Resource::Media:
        return {u"MediaKey"_s,
                u"ResourceRecordKey"_s,
                u"ResourceName"_s,
                u"ResourceRecordID"_s,
                u"MediaModificationTimestamp"_s,
                u"ModificationTimestamp"_s,
                u"MediaCategory"_s,
                u"MediaType"_s,
                u"Order"_s,
                u"MediaURL"_s,
                u"MediaObjectID"_s,
                u"ShortDescription"_s,
                u"LongDescription"_s,
                u"ImageWidth"_s,
                u"ImageHeight"_s,
                u"ImageSizeDescription"_s,
                u"PreferredPhotoYN"_s,
                u"Permission"_s};
    case Resource::PropertyRooms:
        return {u"RoomKey"_s,
                u"ListingKey"_s,
                u"ListingId"_s,
                u"RoomType"_s,
                u"RoomLevel"_s,
                u"RoomLength"_s,
                u"RoomWidth"_s,
                u"RoomArea"_s,
                u"RoomAreaUnits"_s,
                u"RoomDimensions"_s,
                u"RoomDescription"_s,
                u"RoomFeatures"_s,
                u"ModificationTimestamp"_s};
    case Resource::OpenHouse:
        return {u"OpenHouseKey"_s,
                u"ListingKey"_s,
                u"ListingId"_s,
                u"OpenHouseId"_s,
                u"OpenHouseDate"_s,
                u"OpenHouseStartTime"_s,
                u"OpenHouseEndTime"_s,
                u"OpenHouseType"_s,
                u"OpenHouseStatus"_s,
                u"OpenHouseRemarks"_s,
                u"ShowingAgentKey"_s,
                u"ShowingAgentFirstName"_s,
                u"ShowingAgentLastName"_s,
                u"Refreshments"_s,
                u"AppointmentRequiredYN"_s,
                u"OriginalEntryTimestamp"_s,
                u"ModificationTimestamp"_s};
    }
    return {};
}

QList<CatalogColumn> buildColumns(Resource resource) {
    const DataDictionary &dd = DataDictionary::instance();
    const QLatin1StringView key = resourceInfo(resource).keyField;
    QList<CatalogColumn> columns;
    for (const QString &name : curatedNames(resource)) {
        CatalogColumn column;
        if (const DdField *field = dd.field(resource, name)) {
            column.field = *field;
        } else {
            // Local (non-DD) field the seed relies on; see the class comment.
            column.field.name = name;
            column.field.type = FieldType::String;
        }
        column.sqlType = FieldCatalog::sqlType(column.field);
        column.isKey = name == key;
        columns.append(std::move(column));
    }
    return columns;
}

} // namespace

const QList<CatalogColumn> &FieldCatalog::columns(Resource resource) {
    static const std::array<QList<CatalogColumn>, 4> kColumns{
        buildColumns(Resource::Property), buildColumns(Resource::Media),
        buildColumns(Resource::PropertyRooms), buildColumns(Resource::OpenHouse)};
    return kColumns[static_cast<std::size_t>(resource)];
}

QString FieldCatalog::sqlType(const DdField &field) {
    QString base;
    switch (field.type) {
    case FieldType::String:
    case FieldType::Enum:
        base = u"text"_s;
        break;
    case FieldType::Integer:
        base = u"bigint"_s;
        break;
    case FieldType::Decimal:
        base = field.precision > 0 ? u"numeric(%1,%2)"_s.arg(field.precision).arg(field.scale)
                                   : u"numeric"_s;
        break;
    case FieldType::Boolean:
        base = u"boolean"_s;
        break;
    case FieldType::Timestamp:
        base = u"timestamptz"_s;
        break;
    case FieldType::Date:
        base = u"date"_s;
        break;
    }
    return field.isCollection ? base + "[]"_L1 : base;
}

} // namespace resosync::reso
