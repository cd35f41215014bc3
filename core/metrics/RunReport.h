#pragma once

#include "metrics/MetricsSnapshot.h"

#include <QJsonObject>
#include <QString>

namespace resosync::metrics {

/// The settings a run used, as reports and run history show them.
struct RunConfig {
    int batchSize = 2000;
    int propertyBatchSize = 500;
    int dbBatchSize = 100;
    int throttleMs = 750;
    int concurrency = 3;
    QString profile = QStringLiteral("generic");
    QString mode = QStringLiteral("incremental");
    QStringList resources;
    bool adaptive = false; ///< the adaptive tuner was on (the numbers above are where it ended)

    /// {batch_size, property_batch_size, db_batch_size, throttle_ms, concurrency, profile,
    /// mode, resources, adaptive}: the `config` object of reports and of resosync.runs.
    QJsonObject toJson() const;
    /// The inverse of toJson(); a key that is missing keeps its default.
    static RunConfig fromJson(const QJsonObject &json);
};

/// What a reconcile did to one resource.
struct ReconcileSummary {
    QString resource;
    qint64 keysSeen = 0;        ///< keys the feed listed
    qint64 localRows = 0;       ///< rows stored before the delete
    qint64 deleted = 0;         ///< rows of this resource deleted (would have been, if refused)
    qint64 childrenDeleted = 0; ///< child rows that went with deleted listings
    double seconds = 0;
    QString outcome; ///< "deleted" (possibly 0 rows), "refused" (nothing deleted), "failed"
};

/// The end of a run: what `resosync-cli sync --report-json` writes and the summary block prints.
struct RunReport {
    qint64 runId = 0;
    QString status; ///< "succeeded", "failed" or "cancelled"
    double durationSeconds = 0;
    RunConfig config;
    MetricsSnapshot metrics;
    QStringList problems; ///< failed batches and rejected records, named, for the output
    QList<ReconcileSummary> reconcile; ///< mode reconcile: per resource, in run order

    /// The JSON object of issue #3: run_id, status, duration_s, config{batch_size,
    /// property_batch_size, db_batch_size, throttle_ms, concurrency, profile, mode,
    /// resources}, resources.<Name>.{fetched, upserted, deleted, rejected},
    /// api.{requests, succeeded, failed, retries, rate_limited, avg_ms, p50_ms, p95_ms,
    /// p99_ms, bytes}, db.{queries, succeeded, failed, avg_ms, p95_ms, by_kind{...}},
    /// memory.{current_mb, peak_mb, avg_mb}, batches.{count, failed, avg_ms, parallel_max,
    /// parallel_efficiency, records_per_s}, validation.{count, cache_hits, cache_hit_rate},
    /// problems[]; in mode reconcile also reconcile.<Name>.{keys_seen, local_rows, deleted,
    /// children_deleted, seconds, outcome}. Numbers are JSON numbers, times rounded to the
    /// microsecond, memory to 0.1 MB. This is the `summary` saved in resosync.runs.
    QJsonObject toJson() const;
    /// The inverse of toJson(): a run's report rebuilt from its saved summary, so that
    /// fromJson(r.toJson()).toJson() == r.toJson() and .toText() == r.toText(). Figures a
    /// summary does not carry (progress expectations, batches in flight) keep their defaults;
    /// so do keys missing from a summary saved by an older version.
    static RunReport fromJson(const QJsonObject &json);

    /// The seed's summary block, with our figures:
    ///   ===== PERFORMANCE METRICS SUMMARY =====
    ///   API Requests: 45 total, 98% success rate, 1250ms avg (p50 .. p95 .. p99 ..), ...
    ///   Database Queries: 156 total, 100% success rate, 85ms avg
    ///   Memory Usage: 245MB current, 312MB peak, ...MB avg
    ///   Batch Processing: 12 batches, 8900ms avg, 100% parallel
    ///   Property Validation: 1250 validations, 0% cache hit rate
    /// plus one line per resource (fetched, upserted, deleted, rejected) and, in mode
    /// reconcile, one per resource swept. Plain ASCII. Formatted from the figures as toJson()
    /// keeps them, so a report rebuilt from its saved summary prints exactly the block the run
    /// printed.
    QString toText() const;
};

} // namespace resosync::metrics
