#pragma once

#include "db/BatchWriter.h"
#include "db/DbError.h"
#include "metrics/MetricsSnapshot.h"
#include "metrics/RunReport.h"
#include "reso/Resource.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QUrl>

#include <optional>
#include <vector>

namespace resosync::db {

/// What the sync learned about a feed and keeps for the next runs (resosync.feed_capabilities):
/// unset means "as the profile says".
struct FeedCapabilities {
    std::optional<bool> supportsIn;  ///< false once the feed refused an `in` filter
    std::optional<int> maxUrlLength; ///< the request target length it accepts, after a 414
};

/// The sync's bookkeeping outside the hot path, on its own connection: runs, samples,
/// cursors, and the property key stream children are fetched by. Blocking: call it from a
/// pool thread. One instance per thread.
class SyncStore final {
public:
    explicit SyncStore(QString conninfo);
    ~SyncStore();

    /// Opens the connection and checks the schema is installed and current.
    std::optional<DbError> open();

    /// Inserts a resosync.runs row (status running) and returns its run_id. `feed` is stored
    /// without user info or query (no credentials ever reach the table). `startedUsecs` is the
    /// run's start on the clock its samples and events are timed by (0: the server's now()),
    /// so history can give their times relative to the start exactly.
    std::optional<DbError> beginRun(const metrics::RunConfig &config, const QUrl &feed,
                                    qint64 *runId, qint64 startedUsecs = 0);
    std::optional<DbError> finishRun(qint64 runId, const QString &status,
                                     const QJsonObject &summary, const QString &error);
    /// Appends points of one series to resosync.run_samples (duplicates ignored).
    std::optional<DbError> appendSamples(qint64 runId, const QString &series,
                                         const QList<metrics::SeriesPoint> &points,
                                         qint64 runStartUsecs);
    /// Stores a run's marked events in resosync.run_events, in order (an event already stored
    /// at the same position is kept).
    std::optional<DbError> appendEvents(qint64 runId, const QList<metrics::RunEvent> &events,
                                        qint64 runStartUsecs);

    std::optional<DbError> loadCheckpoint(reso::Resource resource,
                                          std::optional<Checkpoint> *checkpoint);
    /// Forgets a resource's cursor (a full load starts from the beginning).
    std::optional<DbError> resetCheckpoint(reso::Resource resource);

    /// Keyset page of listings: up to `limit` keys > `afterKey`, ascending. With
    /// `onlyChanged`, only listings whose ModificationTimestamp differs from the one recorded
    /// in resosync.child_sync for `child` (never synced, or changed since).
    std::optional<DbError> nextParents(reso::Resource child, const QByteArray &afterKey, int limit,
                                       bool onlyChanged, std::vector<ParentKey> *parents);
    /// How many listings nextParents would stream in total (for progress and ETA).
    std::optional<DbError> countParents(reso::Resource child, bool onlyChanged, qint64 *count);
    /// Whether `resource`'s table holds any row.
    std::optional<DbError> hasRows(reso::Resource resource, bool *any);

    /// What earlier runs learned about `feed` (empty when nothing).
    std::optional<DbError> loadFeedCapabilities(const QUrl &feed, FeedCapabilities *capabilities);
    /// Remembers what this run learned; a field left unset keeps what was stored.
    std::optional<DbError> saveFeedCapabilities(const QUrl &feed,
                                                const FeedCapabilities &capabilities,
                                                const QString &note);
    /// Adds request starts (milliseconds since the epoch, this machine's clock) to the feed's
    /// per-minute ledger, and forgets minutes older than a day.
    std::optional<DbError> recordRequests(const QUrl &feed, const QList<qint64> &startsMs);
    /// Request starts recorded for `feed` since `sinceMs` (ms since the epoch), oldest first.
    /// A minute's requests all come back at that minute's latest start: never earlier than
    /// they happened, so a limiter seeded with them can only be stricter than the vendor.
    std::optional<DbError> loadRequestHistory(const QUrl &feed, qint64 sinceMs,
                                              QList<qint64> *startsMs);

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace resosync::db
