#pragma once

#include "reso/Resource.h"

#include <string>
#include <vector>

namespace resosync::db {

/// The SQL a BatchWriter runs for one resource, built once from FieldCatalog::columns().
///
/// Every name is schema-qualified (`public."Media"`, `pg_temp."resosync_stage_Media"`): the
/// sync's role may be named resosync, and its default search_path ("$user", public) would
/// then resolve unqualified names to schema resosync.
struct MergeSql {
    /// The SQL for `resource`, built on first use (thread-safe).
    static const MergeSql &of(reso::Resource resource);

    reso::Resource resource = reso::Resource::Property;
    std::string targetTable;  ///< `public."Media"`
    std::string stagingTable; ///< `pg_temp."resosync_stage_Media"`, per connection
    /// The columns a record's COPY line fills, quoted, in order: the catalog's, then `record`.
    std::vector<std::string> copyColumns;

    /// Creates the staging table (same columns and types as the target, no keys, plus an
    /// identity ordinal giving page order); its rows vanish at every commit.
    std::string createStaging;
    /// Empties the staging table between two chunks of one transaction (DELETE: much cheaper
    /// than TRUNCATE there).
    std::string clearStaging;
    /// Moves the staging rows into the target: one row per key (the newest; among equal
    /// timestamps the last in page order), inserted, or updated only when the stored row is
    /// older, has no timestamp while the new one has, or has the same timestamp and another
    /// record. Its affected-row count is the number of rows written.
    std::string merge;
    /// The same for staging rows known to hold each key once: no DISTINCT ON, so no sort of
    /// the whole rows (a 5,000-row page of 1 KB records spills a 4 MB work_mem to disk).
    std::string mergeUniqueKeys;

    /// `$1` keys (text[]): whether any of them is stored (decides the direct-COPY path).
    std::string anyStored;

    /// Children only: `$1` parent keys (text[]), `$2` child keys to keep (text[]); deletes
    /// the other children of those parents.
    std::string deleteUnseenChildren;

    /// Where a reconcile's key sweep COPYs the feed's keys: one temporary table per
    /// connection, holding one resource's keys at a time.
    static constexpr const char *kFeedKeysTable = "pg_temp.\"resosync_feed_keys\"";

    /// Reconcile: `$1` the sweep's start (timestamptz). Deletes the rows whose key is not in
    /// kFeedKeysTable and that were stored before the sweep began (a row a concurrent sync
    /// stored meanwhile is left for the next reconcile). For Property also the children of
    /// those listings and their resosync.child_sync rows. One result row: the rows deleted per
    /// resource, in kAllResources order.
    std::string deleteUnlisted;
    /// MlgCanView: `$1` keys (text[]), `$2` their ModificationTimestamps (timestamptz[]).
    /// Deletes those rows unless the stored one is newer (an old page replayed must not
    /// delete a record shown again since); for Property with children and child_sync rows.
    /// One result row as for deleteUnlisted.
    std::string deleteWithdrawn;

    std::string keyColumn;    ///< quoted, e.g. `"MediaKey"`
    std::string parentColumn; ///< quoted, e.g. `"ResourceRecordKey"`; empty for Property
};

} // namespace resosync::db
