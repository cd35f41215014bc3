#pragma once

#include <QLatin1StringView>
#include <QString>

#include <array>
#include <optional>

namespace resosync::reso {

/// The four RESO resources ResoSync replicates. Property is the parent of the other three.
enum class Resource { Property, Media, PropertyRooms, OpenHouse };

inline constexpr std::array<Resource, 4> kAllResources{
    Resource::Property, Resource::Media, Resource::PropertyRooms, Resource::OpenHouse};

/// What the replicator must know of a resource: its name on the wire and in the database,
/// its key, the field naming its parent listing, and the field its cursor walks.
struct ResourceInfo {
    Resource resource;
    QLatin1StringView name;           ///< OData entity set and table name, e.g. "Media"
    QLatin1StringView keyField;       ///< primary key, e.g. "MediaKey"
    QLatin1StringView parentKeyField; ///< field holding the ListingKey; empty for Property
    QLatin1StringView timestampField; ///< the replication cursor's timestamp
};

const ResourceInfo &resourceInfo(Resource resource);
std::optional<Resource> resourceFromName(QStringView name);
QString resourceName(Resource resource);

} // namespace resosync::reso
