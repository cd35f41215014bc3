#pragma once

#include "bench/CopyFloor.h"
#include "bench/FeedFloor.h"
#include "metrics/RunReport.h"

#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace resosync::bench {

/// One measured run of the comparison.
struct BenchRow {
    QString name;  ///< e.g. "concurrency 3"
    QString scope; ///< e.g. "Media", "all resources"
    qint64 records = 0;
    double seconds = 0;
    qint64 requests = 0;
    qint64 failedRequests = 0;
    qint64 bytes = 0;  ///< JSON received
    double peakMb = 0; ///< of the process that ran it (in-process runs share it with the simulator)
    QString settings;  ///< "page 2000, listings 500, db 100, throttle 0, concurrency 3"
    QString error;     ///< empty when the run succeeded
    int attempts = 1;  ///< runs made; `seconds` is the fastest's (memory runs: the median's)
    double slowestSeconds = 0; ///< the slowest attempt's, to show how noisy the machine was
    /// Memory runs: `peakMb` is the median attempt's; these are the lowest and highest peaks.
    double lowestPeakMb = 0;
    double highestPeakMb = 0;
    double recordsPerSecond() const { return seconds > 0 ? double(records) / seconds : 0; }
};

struct BenchResult {
    int properties = 0;
    double prerenderSeconds = 0; ///< the Media feed starting (and rendering its records)
    qint64 renderedBytes = 0;    ///< the budget it had for that (0: generated during the runs)
    BenchRow propertyLoad;
    QList<BenchRow> mediaRuns; ///< seed defaults, each concurrency, adaptive
    QString bestName;          ///< the fastest of the fixed-concurrency runs
    FloorResult databaseFloor;
    FloorResult loggedFloor; ///< the same COPY into a logged table: the durable floor
    FeedFloorResult feedFloor;
    QList<BenchRow> memoryRuns; ///< all resources, full, one process each, per size
    std::optional<metrics::RunReport> bestReport; ///< of the fastest Media run (summary block)
    BenchRow latencyRun;
    double latencyBoundSeconds = 0; ///< requests / the vendor's allowed rate
    QStringList errors;
    double totalSeconds = 0;

    const BenchRow *row(const QString &name) const; ///< a Media run by name, or null
    /// The fastest fixed-concurrency Media run's records/s over the COPY floor's rows/s.
    double mediaShareOfDatabaseFloor() const;
    /// The latency-bound run's wall time over requests / the vendor's allowed rate.
    double latencyRatio() const;

    /// The comparison tables, the seed's claims next to ours, the targets of issue #7, and the
    /// seed's summary block of the fastest run. Plain ASCII.
    QString toText() const;
    QJsonObject toJson() const;
};

} // namespace resosync::bench
