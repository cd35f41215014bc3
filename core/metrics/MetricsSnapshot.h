#pragma once

#include "reso/Resource.h"

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>

#include <array>

namespace resosync::metrics {

/// Kinds of database statement the sync runs, timed separately (the console charts them).
enum class DbStatement { Copy, Merge, Delete, Checkpoint, KeyStream, Reject, RunLog, Other };
inline constexpr int kDbStatementKinds = 8;
QString dbStatementName(DbStatement kind); ///< "copy", "merge", "delete", ...
/// The recorder's series of a kind's average time per tick: "db.<kind>.avg_ms".
QString dbTimeSeriesName(DbStatement kind);

struct ResourceProgress {
    qint64 fetched = 0;  ///< records received from the feed (parsed pages)
    qint64 upserted = 0; ///< rows inserted or updated (a no-op replay does not count)
    qint64 deleted = 0;
    qint64 rejected = 0;
    qint64 expected = -1; ///< from @odata.count or the key source, -1 when unknown
    bool done = false;
};

struct ApiSummary {
    qint64 requests = 0; ///< HTTP attempts, retries included
    qint64 succeeded = 0;
    qint64 failed = 0;
    qint64 retries = 0;
    qint64 rateLimited = 0; ///< 429 answers
    double avgMs = 0, p50Ms = 0, p95Ms = 0, p99Ms = 0;
    qint64 bytes = 0;
};

struct DbKindSummary {
    qint64 count = 0;
    qint64 failed = 0;
    double avgMs = 0, p95Ms = 0;
};

struct DbSummary {
    qint64 queries = 0;
    qint64 succeeded = 0;
    qint64 failed = 0;
    double avgMs = 0, p95Ms = 0;
    std::array<DbKindSummary, kDbStatementKinds> byKind{};
};

struct MemorySummary {
    double currentMb = 0, peakMb = 0, avgMb = 0; ///< resident set size, sampled
};

struct BatchSummary {
    qint64 count = 0;
    qint64 failed = 0;
    double avgMs = 0;
    int inFlight = 0;
    int parallelMax = 0;
    /// Busy share of the configured parallel slots over the run, in percent:
    /// sum of batch durations / (elapsed time x concurrency) x 100.
    double parallelEfficiency = 0;
    double recordsPerSecond = 0; ///< records written per second of the run so far
};

struct ValidationSummary {
    qint64 count = 0;
    qint64 cacheHits = 0;
    double cacheHitRate() const { return count > 0 ? double(cacheHits) / double(count) : 0; }
};

/// Everything the recorder knows at one moment: small, copyable, sent across threads.
struct MetricsSnapshot {
    qint64 elapsedMs = 0;
    ApiSummary api;
    DbSummary db;
    MemorySummary memory;
    BatchSummary batches;
    ValidationSummary validation;
    std::array<ResourceProgress, 4> resources{};

    const ResourceProgress &progress(reso::Resource r) const {
        return resources[static_cast<std::size_t>(r)];
    }
};

/// One point of a time series: milliseconds since the run started, and the value.
struct SeriesPoint {
    qint64 atMs = 0;
    double value = 0;
};

/// A marked moment on the charts' time axis (a setting changed, an alert fired).
struct RunEvent {
    qint64 atMs = 0;
    QString label;
};

} // namespace resosync::metrics
