#pragma once

#include "db/DbError.h"
#include "reso/Resource.h"
#include "sync/ParsedPage.h"

#include <QByteArray>
#include <QString>

#include <array>
#include <memory>
#include <optional>
#include <vector>

namespace resosync::metrics {
class MetricsRecorder;
}

namespace resosync::db {

/// The replication checkpoint of a resource: the last (ModificationTimestamp, key) stored, and
/// the fence (the run's upper bound) it was walked under. A fence or run of 0 is stored as
/// none (NULL); an empty key as none.
struct Checkpoint {
    qint64 cursorUsecs = 0;
    QByteArray cursorKey;
    qint64 fenceUsecs = 0;
    qint64 runId = 0;
};

/// A parent listing and its ModificationTimestamp, as the key source streams them (0 for a
/// listing without one: such a listing stays pending for every child resource).
struct ParentKey {
    QByteArray key;
    qint64 modifiedUsecs = 0;
};

/// Rows deleted per resource, in reso::kAllResources order (a listing takes its children).
using DeletedRows = std::array<qint64, reso::kAllResources.size()>;

struct WriteResult {
    qint64 upserted = 0;   ///< rows inserted or updated (guarded no-ops excluded)
    qint64 rejected = 0;   ///< records written to resosync.rejects (parser's and database's)
    DeletedRows deleted{}; ///< rows deleted for the page's withdrawn records (MlgCanView false)
    std::optional<DbError> error;
    bool ok() const { return !error; }
};

struct CompleteResult {
    qint64 deleted = 0;
    std::optional<DbError> error;
    bool ok() const { return !error; }
};

/// When a reconcile may delete: at most `maxShare` of a table's rows, unless `confirmed`.
struct DeleteGuard {
    double maxShare = 0.2;
    bool confirmed = false;
};

/// The end of a key sweep for one resource.
struct SweepResult {
    qint64 keysSeen = 0;   ///< keys the feed listed (as COPYed; a repeated key counts twice)
    qint64 localRows = 0;  ///< rows of the resource's table before the delete
    DeletedRows deleted{}; ///< rows deleted (or, when refused, that would have been)
    bool refused = false;  ///< the guard refused: nothing was deleted
    std::optional<DbError> error;
    bool ok() const { return !error; }
};

/// One database connection's worth of writing, used by one thread at a time (the sync's
/// writer pool hands each to one job at a time). Opens its connection lazily, prepares its
/// statements and temporary staging tables once, and reuses them for every page.
///
/// Every statement is timed into the MetricsRecorder by kind. Errors come back as DbError
/// (never thrown); after a broken connection the next call reconnects.
class BatchWriter final {
public:
    BatchWriter(QString conninfo, metrics::MetricsRecorder *metrics);
    ~BatchWriter();
    BatchWriter(const BatchWriter &) = delete;
    BatchWriter &operator=(const BatchWriter &) = delete;

    /// Writes one parsed page in ONE transaction: the records in chunks of `dbBatchSize` rows
    /// (each chunk: COPY into a temporary staging table, then INSERT ... SELECT DISTINCT ON
    /// (key) ... ON CONFLICT (key) DO UPDATE ... WHERE the stored row is older, so a replay or
    /// an out-of-order page never regresses a newer row); the page's rejects into
    /// resosync.rejects (run `runId`); and, when given, the resource's checkpoint into
    /// resosync.sync_cursor — all committed together, so a crash loses no row and never
    /// moves a cursor past rows that were not stored. A record the database refuses (a value
    /// out of range...) is isolated and rejected with the server's reason; the rest lands.
    /// A `dbBatchSize` below 1 counts as 1. The checkpoint never moves backwards: it is
    /// written only when (cursor timestamp, key) is past the stored pair (keys compared
    /// bytewise). After a lost connection the page is retried once on a new one; a
    /// connection lost during COMMIT is reported as OutcomeUnknown, never retried.
    /// What the caller knows of the page's keys before writing.
    enum class StoredRows {
        Unknown, ///< probe the table (one index lookup per key) before a direct COPY
        /// None is stored (a first load's first attempt): COPY straight away, without the
        /// probe; if one is stored after all, the savepoint undoes the COPY and the rows merge.
        NoneExpected,
    };
    WriteResult writePage(const sync::ParsedPage &page, int dbBatchSize, qint64 runId,
                          const std::optional<Checkpoint> &checkpoint,
                          StoredRows stored = StoredRows::Unknown);

    /// What completeChildBatch does about children the feed no longer returns.
    enum class VanishedChildren {
        Delete, ///< delete the stored children of the batch's parents not in `seenKeys`
        /// The caller knows every stored child of these parents was written by this very
        /// fetch (the table was empty when the run began and the batch never restarted), so
        /// none can have vanished: skip the search, which without an index on the parent
        /// column scans the whole table once per batch.
        NoneStoredBefore,
    };

    /// After every page of a property batch was stored: deletes the `child` rows of `parents`
    /// whose key is not in `seenKeys` (the feed no longer returns them) and records each parent
    /// in resosync.child_sync with its timestamp — one transaction.
    CompleteResult completeChildBatch(reso::Resource child, const std::vector<ParentKey> &parents,
                                      const std::vector<QByteArray> &seenKeys, qint64 runId,
                                      VanishedChildren vanished = VanishedChildren::Delete);

    /// Reconcile, step 1: creates (or empties) this connection's temporary key table and
    /// notes the server's time, which bounds what the sweep may delete. The sweep's later
    /// steps must run on this same writer, and fail if its connection was replaced since
    /// (the temporary table went with the old one).
    std::optional<DbError> beginKeySweep();
    /// Step 2, once per page: COPY the page's keys (ParsedRecord::copyLine) into the table.
    std::optional<DbError> copyKeys(const sync::ParsedPage &page);
    /// Step 3, after the COMPLETE key list was copied: in one transaction, deletes the rows of
    /// `resource` the feed no longer lists (MergeSql::deleteUnlisted: only rows stored before
    /// the sweep began; a listing with its children and child_sync rows). Refuses, deleting
    /// nothing, when the feed listed no key while the table has rows, or when the rows to
    /// delete exceed `guard.maxShare` of the table, unless `guard.confirmed`.
    SweepResult finishKeySweep(reso::Resource resource, const DeleteGuard &guard);

    /// Which of `keys` exist in "Property" (for orphan checks the in-process cache missed).
    std::optional<DbError> existingProperties(const std::vector<QByteArray> &keys,
                                              std::vector<QByteArray> *found);

    /// Closes the connection (the next call reopens it).
    void close();

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace resosync::db
