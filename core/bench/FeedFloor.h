#pragma once

#include "sync/SyncSettings.h"

#include <QString>

namespace resosync::bench {

/// What the feed alone can give: every page of one child resource, fetched and parsed exactly
/// as the sync asks for them, with no database work.
struct FeedFloorResult {
    qint64 records = 0;
    qint64 requests = 0;
    qint64 bytes = 0;
    double seconds = 0;
    QString error; ///< empty on success
    double recordsPerSecond() const { return seconds > 0 ? double(records) / seconds : 0; }
};

/// Runs the feed floor for `child` (Media, PropertyRooms or OpenHouse): the listing keys come
/// from the "Property" table of `request.conninfo` (load Property first), in batches of
/// request.settings.propertyBatchSize, `concurrency` batches in flight, split into key filters
/// that fit the profile's URL cap, every nextLink followed, every page parsed by simdjson on a
/// pool. Blocks (spinning a local event loop) until done; call from a thread with no other
/// duty, e.g. the CLI's main thread.
FeedFloorResult measureFeedFloor(const sync::SyncRequest &request, reso::Resource child);

} // namespace resosync::bench
