#pragma once

#include "db/DbError.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>
#include <optional>

namespace resosync::db {

/// One of the seed's recommended indexes (sql/indexes.sql, compiled in).
struct RecommendedIndex {
    QString name;        ///< e.g. idx_media_resource_key
    QString table;       ///< e.g. Media
    QStringList columns; ///< e.g. {"ResourceRecordKey", "MediaModificationTimestamp"}
    QString createSql;   ///< the statement from sql/indexes.sql
};

enum class IndexState {
    Present,   ///< built and valid
    Missing,   ///< not there
    Invalid,   ///< there but indisvalid = false (a failed CONCURRENTLY build): repair it
    Redundant, ///< a primary key or another index with the same leading columns serves it
};

struct IndexStatus {
    RecommendedIndex index;
    IndexState state = IndexState::Missing;
    QString servedBy;          ///< for Redundant: the index (or primary key) that covers it
    qint64 sizeBytes = 0;      ///< when present or invalid
    QStringList servesQueries; ///< names of the sync's own queries it speeds up
};

struct TableStats {
    QString table;
    qint64 rows = 0;       ///< exact count
    qint64 totalBytes = 0; ///< pg_total_relation_size
};

struct InspectReport {
    QString database;
    QList<IndexStatus> indexes;
    QList<TableStats> tables;
    std::optional<DbError> error;
};

/// One of the sync's own queries, run under EXPLAIN (ANALYZE, BUFFERS).
struct QueryMeasurement {
    QString name;      ///< e.g. "media lookup by listing and timestamp"
    QString sql;       ///< the statement with its representative parameters
    QString planShape; ///< top plan nodes, e.g. "Index Scan using idx_media_resource_key on Media"
    bool usesIndex = false;
    double executionMs = 0;
    qint64 sharedHitBlocks = 0;
    qint64 sharedReadBlocks = 0;
};

struct ExplainReport {
    QList<QueryMeasurement> measurements;
    std::optional<DbError> error;
};

/// Live progress of one CREATE INDEX CONCURRENTLY, from pg_stat_progress_create_index.
struct BuildProgress {
    QString index;
    int position = 0; ///< 1-based among the indexes being built
    int count = 0;
    QString phase; ///< PostgreSQL's phase text, e.g. "building index: scanning table"
    qint64 blocksDone = 0, blocksTotal = 0;
    qint64 tuplesDone = 0, tuplesTotal = 0;
};

struct ApplyResult {
    QStringList built;    ///< created
    QStringList repaired; ///< invalid ones dropped concurrently and rebuilt
    QStringList skipped;  ///< present or redundant
    bool cancelled = false;
    std::optional<DbError> error;
    /// When the role lacks a privilege: the exact SQL to hand to a DBA.
    QString sqlForDba;
};

/// The seed's "optimize-database" script as a guided, measured, safe tool: inspects the
/// recommended indexes, measures the sync's own queries, builds what is missing one at a time
/// with CREATE INDEX CONCURRENTLY (never blocking the sync's writes), repairs invalid ones,
/// and leaves nothing half-done when cancelled or refused.
///
/// Blocking: run it off the GUI thread. Each call opens its own connection(s).
class IndexAdvisor final {
public:
    explicit IndexAdvisor(QString conninfo);

    /// Parsed from sql/indexes.sql (compiled in), in file order.
    static const QList<RecommendedIndex> &recommended();

    InspectReport inspect() const;
    /// Runs each of the sync's queries five times and reports the median run.
    ExplainReport explain() const;
    /// As explain(), with `runs` runs per query (at least one); the median run is reported.
    ExplainReport explain(int runs) const;

    /// Builds every missing index (and, with `repairInvalid`, rebuilds invalid ones), one at a
    /// time, outside any transaction. `progress` is called from this thread about every
    /// 250 ms while a build runs. Setting `cancel` stops the build in progress
    /// (pg_cancel_backend) and drops what it left invalid.
    ApplyResult apply(const std::atomic_bool &cancel,
                      const std::function<void(const BuildProgress &)> &progress,
                      bool repairInvalid = true) const;

    /// Keeps `summary` (by convention {before, after, built, repaired}) in
    /// resosync.index_results (migration 0002) with the run history. Nothing on success.
    std::optional<DbError> saveResult(const QJsonObject &summary) const;

    /// The measurements as JSON (name, sql, planShape, usesIndex, executionMs, shared blocks):
    /// how `indexes --json` prints them and how saveResult's before/after keep them.
    static QJsonArray measurementsJson(const ExplainReport &report);

    /// The statements apply() would run for `report`, for --print-sql and for a DBA.
    static QString plannedSql(const InspectReport &report, bool repairInvalid = true);

private:
    QString m_conninfo;
};

QString indexStateName(IndexState state); ///< "present", "missing", "invalid", "redundant"

} // namespace resosync::db
