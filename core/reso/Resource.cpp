#include "reso/Resource.h"

namespace resosync::reso {

using namespace Qt::StringLiterals;

namespace {
const std::array<ResourceInfo, 4> kInfos{{
    {Resource::Property, "Property"_L1, "ListingKey"_L1, {}, "ModificationTimestamp"_L1},
    // Media's parent is named by ResourceRecordKey (with ResourceName = 'Property').
    {Resource::Media, "Media"_L1, "MediaKey"_L1, "ResourceRecordKey"_L1,
     "ModificationTimestamp"_L1},
    {Resource::PropertyRooms, "PropertyRooms"_L1, "RoomKey"_L1, "ListingKey"_L1,
     "ModificationTimestamp"_L1},
    {Resource::OpenHouse, "OpenHouse"_L1, "OpenHouseKey"_L1, "ListingKey"_L1,
     "ModificationTimestamp"_L1},
}};
} // namespace

const ResourceInfo &resourceInfo(Resource resource) {
    return kInfos[static_cast<std::size_t>(resource)];
}

std::optional<Resource> resourceFromName(QStringView name) {
    for (const ResourceInfo &info : kInfos) {
        if (name.compare(info.name, Qt::CaseInsensitive) == 0)
            return info.resource;
    }
    return std::nullopt;
}

QString resourceName(Resource resource) {
    return QString(resourceInfo(resource).name);
}

} // namespace resosync::reso
