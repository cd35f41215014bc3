#pragma once

#include "metrics/MetricsSnapshot.h"

#include <QObject>
#include <QStringList>

#include <functional>
#include <memory>

namespace resosync::metrics {

/// Collects a run's measurements from every thread and publishes snapshots.
///
/// Every record*() call is thread-safe and cheap (a short mutex, no allocation in steady
/// state), so workers call it on their hot path. Latencies go into log-bucketed histograms
/// (percentiles within about 2%); time series are bounded ring buffers sampled once per tick,
/// so memory does not grow with the run. Lives in the thread that created it; its tick timer
/// (every 250 ms) samples resident memory and the series and emits snapshotReady.
class MetricsRecorder final : public QObject {
    Q_OBJECT

public:
    static constexpr int kTickMs = 250;
    static constexpr int kSeriesCapacity = 4 * 60 * 60; ///< one hour of ticks per series
    static constexpr int kEventCapacity = 10000;        ///< marked events kept (oldest dropped)

    /// Monotonic milliseconds; any origin (only differences are used).
    using Clock = std::function<qint64()>;

    explicit MetricsRecorder(QObject *parent = nullptr);
    /// For tests: a recorder whose run clock is `nowMs` instead of a steady clock, so elapsed
    /// time, rates and parallel efficiency can be checked exactly. `nowMs` is called from any
    /// thread that reads a snapshot or marks an event.
    explicit MetricsRecorder(Clock nowMs, QObject *parent = nullptr);
    ~MetricsRecorder() override;

    /// Starts the run clock and the tick timer; `concurrency` is the configured parallel slots.
    void start(int concurrency);
    /// Takes a last sample and stops the timer; snapshots stay readable.
    void stop();
    void setConcurrency(int concurrency);

    // ---- recorded from any thread ----
    /// One HTTP attempt: its latency, bytes received, status (0 for a network error).
    void recordApiRequest(double ms, qint64 bytes, int httpStatus, bool ok);
    void recordApiRetry();
    void recordDbStatement(DbStatement kind, double ms, bool ok);
    void batchStarted();
    /// A batch ended after `ms`; its `records` count toward records/s only when `ok` (a failed
    /// batch's transaction wrote nothing).
    void batchFinished(double ms, qint64 records, bool ok);
    void recordValidation(qint64 checks, qint64 cacheHits);
    void addProgress(reso::Resource resource, qint64 fetched, qint64 upserted, qint64 deleted,
                     qint64 rejected);
    void setExpected(reso::Resource resource, qint64 expected);
    void setDone(reso::Resource resource);
    /// Marks a moment on the time axis, e.g. "batch size 2000 -> 1000".
    void markEvent(const QString &label);

    // ---- read from any thread ----
    MetricsSnapshot snapshot() const;
    /// Names of the recorded series: "api.latency_p50_ms", "api.latency_p95_ms",
    /// "api.requests_per_s", "db.<kind>.avg_ms" (kind = dbStatementName), "memory.rss_mb",
    /// "throughput.records_per_s", "batches.in_flight".
    QStringList seriesNames() const;
    /// Points of one series with atMs >= sinceMs (oldest first).
    QList<SeriesPoint> series(const QString &name, qint64 sinceMs = 0) const;
    /// Marked events, oldest first (the latest kEventCapacity).
    QList<RunEvent> events() const;

    /// For tests: one tick now, exactly what the timer does every kTickMs (samples memory and
    /// the series, emits snapshotReady), without waiting for it.
    void tickForTest() { tick(); }

Q_SIGNALS:
    /// At most once per tick, on the recorder's thread.
    void snapshotReady(const resosync::metrics::MetricsSnapshot &snapshot);

private:
    void tick();
    struct State;
    std::unique_ptr<State> m_state;
};

/// Resident set size of this process in bytes (Linux /proc/self/statm), 0 if unknown.
qint64 currentRssBytes();

} // namespace resosync::metrics

Q_DECLARE_METATYPE(resosync::metrics::MetricsSnapshot)
