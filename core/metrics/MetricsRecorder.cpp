#include "metrics/MetricsRecorder.h"

#include "metrics/Histogram.h"
#include "metrics/TimeSeries.h"

#include <QElapsedTimer>
#include <QMutex>
#include <QMutexLocker>
#include <QTimer>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <deque>
#include <vector>

namespace resosync::metrics {

using namespace Qt::StringLiterals;

namespace {

// Series slots, in the order seriesNames() lists them.
enum SeriesSlot : int {
    ApiLatencyP50,
    ApiLatencyP95,
    ApiRequestsPerSecond,
    DbFirstKind,
    MemoryRss = DbFirstKind + kDbStatementKinds,
    ThroughputRecords,
    BatchesInFlight,
    SeriesCount
};

constexpr double kBytesPerMb = 1024.0 * 1024.0;

QStringList makeSeriesNames() {
    QStringList names(SeriesCount);
    names[ApiLatencyP50] = u"api.latency_p50_ms"_s;
    names[ApiLatencyP95] = u"api.latency_p95_ms"_s;
    names[ApiRequestsPerSecond] = u"api.requests_per_s"_s;
    for (int kind = 0; kind < kDbStatementKinds; ++kind)
        names[DbFirstKind + kind] = dbTimeSeriesName(DbStatement(kind));
    names[MemoryRss] = u"memory.rss_mb"_s;
    names[ThroughputRecords] = u"throughput.records_per_s"_s;
    names[BatchesInFlight] = u"batches.in_flight"_s;
    return names;
}

std::size_t kindIndex(DbStatement kind) {
    return std::size_t(std::clamp(int(kind), 0, kDbStatementKinds - 1));
}

} // namespace

struct MetricsRecorder::State {
    explicit State(Clock clock)
        : now(std::move(clock)) {}

    const Clock now;
    QTimer *timer = nullptr; // a child of the recorder, so it follows it across threads
    const QStringList seriesNames = makeSeriesNames();

    // Everything below up to seriesMutex is guarded by `mutex`. One lock for all counters:
    // each record*() holds it for a few additions, and one lock makes a snapshot consistent
    // (the API totals and the batch totals are from the same instant).
    mutable QMutex mutex;

    bool started = false;
    bool stopped = false;
    qint64 startMs = 0;
    qint64 stopMs = 0;
    // Parallel capacity is integrated over time, so a concurrency changed mid-run is
    // weighted by how long it applied: slot-ms before the last change, plus current x since.
    int concurrency = 0;
    double slotMsBeforeChange = 0;
    qint64 concurrencySinceMs = 0;

    Histogram api;
    Histogram apiThisTick;
    qint64 apiSucceeded = 0;
    qint64 apiFailed = 0;
    qint64 apiRetries = 0;
    qint64 apiRateLimited = 0;
    qint64 apiBytes = 0;

    std::array<Histogram, kDbStatementKinds> dbByKind;
    Histogram dbAll;
    std::array<qint64, kDbStatementKinds> dbFailed{};
    std::array<double, kDbStatementKinds> dbThisTickMs{};
    std::array<qint64, kDbStatementKinds> dbThisTickCount{};

    qint64 rssCurrent = 0;
    qint64 rssPeak = 0;
    double rssSum = 0;
    qint64 rssSamples = 0;

    int inFlight = 0;
    int parallelMax = 0;
    qint64 batches = 0;
    qint64 batchesFailed = 0;
    double batchMsSum = 0;
    qint64 batchRecords = 0;

    qint64 validations = 0;
    qint64 cacheHits = 0;

    std::array<ResourceProgress, 4> progress{};

    qint64 lastTickMs = 0;
    qint64 upsertedAtLastTick = 0;

    // Only tick() uses it: this tick's API histogram is copied here under the lock, so its
    // percentiles are computed after the lock is released.
    Histogram tickScratch;

    // Series and events have their own lock: copying an hour of points for a chart must not
    // stall the workers recording into `mutex`.
    mutable QMutex seriesMutex;
    std::vector<TimeSeries> series =
        std::vector<TimeSeries>(std::size_t(SeriesCount), TimeSeries(kSeriesCapacity));
    std::deque<RunEvent> events;

    qint64 elapsedLocked() const {
        if (!started)
            return 0;
        return (stopped ? stopMs : now()) - startMs;
    }

    double slotMsLocked(qint64 elapsed) const {
        return slotMsBeforeChange + double(concurrency) * double(elapsed - concurrencySinceMs);
    }

    void sampleMemoryLocked(qint64 rssBytes) {
        if (rssBytes <= 0)
            return; // unknown (not Linux, /proc unreadable): keep what we have
        rssCurrent = rssBytes;
        rssPeak = std::max(rssPeak, rssBytes);
        rssSum += double(rssBytes);
        ++rssSamples;
    }

    qint64 upsertedLocked() const {
        qint64 total = 0;
        for (const ResourceProgress &p : progress)
            total += p.upserted;
        return total;
    }

    MetricsSnapshot snapshotLocked() const {
        MetricsSnapshot s;
        const qint64 elapsed = elapsedLocked();
        s.elapsedMs = elapsed;

        s.api.requests = api.count();
        s.api.succeeded = apiSucceeded;
        s.api.failed = apiFailed;
        s.api.retries = apiRetries;
        s.api.rateLimited = apiRateLimited;
        s.api.avgMs = api.mean();
        s.api.p50Ms = api.percentile(50);
        s.api.p95Ms = api.percentile(95);
        s.api.p99Ms = api.percentile(99);
        s.api.bytes = apiBytes;

        s.db.queries = dbAll.count();
        for (std::size_t k = 0; k < dbByKind.size(); ++k) {
            DbKindSummary &kind = s.db.byKind[k];
            kind.count = dbByKind[k].count();
            kind.failed = dbFailed[k];
            kind.avgMs = dbByKind[k].mean();
            kind.p95Ms = dbByKind[k].percentile(95);
            s.db.failed += dbFailed[k];
        }
        s.db.succeeded = s.db.queries - s.db.failed;
        s.db.avgMs = dbAll.mean();
        s.db.p95Ms = dbAll.percentile(95);

        s.memory.currentMb = double(rssCurrent) / kBytesPerMb;
        s.memory.peakMb = double(rssPeak) / kBytesPerMb;
        s.memory.avgMb = rssSamples > 0 ? rssSum / double(rssSamples) / kBytesPerMb : 0;

        s.batches.count = batches;
        s.batches.failed = batchesFailed;
        s.batches.avgMs = batches > 0 ? batchMsSum / double(batches) : 0;
        s.batches.inFlight = inFlight;
        s.batches.parallelMax = parallelMax;
        const double slotMs = slotMsLocked(elapsed);
        s.batches.parallelEfficiency =
            slotMs > 0 ? std::min(100.0, batchMsSum / slotMs * 100.0) : 0.0;
        s.batches.recordsPerSecond =
            elapsed > 0 ? double(batchRecords) * 1000.0 / double(elapsed) : 0.0;

        s.validation.count = validations;
        s.validation.cacheHits = cacheHits;
        s.resources = progress;
        return s;
    }
};

MetricsRecorder::MetricsRecorder(QObject *parent)
    : MetricsRecorder([steady =
                           [] {
                               QElapsedTimer t;
                               t.start();
                               return t;
                           }()] { return steady.elapsed(); },
                      parent) {}

MetricsRecorder::MetricsRecorder(Clock nowMs, QObject *parent)
    : QObject(parent)
    , m_state(std::make_unique<State>(std::move(nowMs))) {
    // Snapshots cross threads in queued connections (recorder thread -> GUI thread).
    qRegisterMetaType<MetricsSnapshot>();
    m_state->timer = new QTimer(this);
    m_state->timer->setInterval(kTickMs);
    connect(m_state->timer, &QTimer::timeout, this, &MetricsRecorder::tick);
}

MetricsRecorder::~MetricsRecorder() = default;

void MetricsRecorder::start(int concurrency) {
    const qint64 rss = currentRssBytes(); // the syscall stays outside the lock
    {
        QMutexLocker lock(&m_state->mutex);
        State &s = *m_state;
        s.started = true;
        s.stopped = false;
        s.startMs = s.now();
        s.concurrency = std::max(0, concurrency);
        s.slotMsBeforeChange = 0;
        s.concurrencySinceMs = 0;
        s.lastTickMs = 0;
        s.upsertedAtLastTick = s.upsertedLocked();
        s.sampleMemoryLocked(rss);
    }
    // The timer belongs to the recorder's thread; a caller elsewhere gets a queued start.
    QTimer *timer = m_state->timer;
    QMetaObject::invokeMethod(timer, [timer] { timer->start(); });
}

void MetricsRecorder::stop() {
    const qint64 rss = currentRssBytes();
    {
        QMutexLocker lock(&m_state->mutex);
        State &s = *m_state;
        if (s.started && !s.stopped) {
            s.stopMs = s.now();
            s.stopped = true; // freezes elapsed time, so rates and efficiency stay put
        }
        s.sampleMemoryLocked(rss);
    }
    QTimer *timer = m_state->timer;
    QMetaObject::invokeMethod(timer, [timer] { timer->stop(); });
}

void MetricsRecorder::setConcurrency(int concurrency) {
    QMutexLocker lock(&m_state->mutex);
    State &s = *m_state;
    const qint64 elapsed = s.elapsedLocked();
    s.slotMsBeforeChange = s.slotMsLocked(elapsed);
    s.concurrencySinceMs = elapsed;
    s.concurrency = std::max(0, concurrency);
}

void MetricsRecorder::recordApiRequest(double ms, qint64 bytes, int httpStatus, bool ok) {
    const int bucket = Histogram::bucketFor(ms); // the logarithm needs no lock
    QMutexLocker lock(&m_state->mutex);
    State &s = *m_state;
    s.api.addAt(bucket, ms);
    s.apiThisTick.addAt(bucket, ms);
    ++(ok ? s.apiSucceeded : s.apiFailed);
    if (httpStatus == 429)
        ++s.apiRateLimited;
    s.apiBytes += std::max<qint64>(0, bytes);
}

void MetricsRecorder::recordApiRetry() {
    QMutexLocker lock(&m_state->mutex);
    ++m_state->apiRetries;
}

void MetricsRecorder::recordDbStatement(DbStatement kind, double ms, bool ok) {
    const int bucket = Histogram::bucketFor(ms);
    // Sanitized as the histogram does, so a tick's average agrees with the run's.
    const double clean = Histogram::sanitized(ms);
    const std::size_t k = kindIndex(kind);
    QMutexLocker lock(&m_state->mutex);
    State &s = *m_state;
    s.dbByKind[k].addAt(bucket, ms);
    s.dbAll.addAt(bucket, ms);
    if (!ok)
        ++s.dbFailed[k];
    s.dbThisTickMs[k] += clean;
    ++s.dbThisTickCount[k];
}

void MetricsRecorder::batchStarted() {
    QMutexLocker lock(&m_state->mutex);
    State &s = *m_state;
    ++s.inFlight;
    s.parallelMax = std::max(s.parallelMax, s.inFlight);
}

void MetricsRecorder::batchFinished(double ms, qint64 records, bool ok) {
    QMutexLocker lock(&m_state->mutex);
    State &s = *m_state;
    s.inFlight = std::max(0, s.inFlight - 1); // an unmatched finish must not go negative
    ++s.batches;
    if (ok)
        s.batchRecords += std::max<qint64>(0, records);
    else
        ++s.batchesFailed;
    // A failed batch still occupied its slot, so its time counts as busy.
    s.batchMsSum += std::max(0.0, ms);
}

void MetricsRecorder::recordValidation(qint64 checks, qint64 cacheHits) {
    QMutexLocker lock(&m_state->mutex);
    m_state->validations += checks;
    m_state->cacheHits += cacheHits;
}

void MetricsRecorder::addProgress(reso::Resource resource, qint64 fetched, qint64 upserted,
                                  qint64 deleted, qint64 rejected) {
    QMutexLocker lock(&m_state->mutex);
    ResourceProgress &p = m_state->progress[std::size_t(resource)];
    p.fetched += fetched;
    p.upserted += upserted;
    p.deleted += deleted;
    p.rejected += rejected;
}

void MetricsRecorder::setExpected(reso::Resource resource, qint64 expected) {
    QMutexLocker lock(&m_state->mutex);
    m_state->progress[std::size_t(resource)].expected = expected;
}

void MetricsRecorder::setDone(reso::Resource resource) {
    QMutexLocker lock(&m_state->mutex);
    m_state->progress[std::size_t(resource)].done = true;
}

void MetricsRecorder::markEvent(const QString &label) {
    qint64 atMs = 0;
    {
        QMutexLocker lock(&m_state->mutex);
        atMs = m_state->elapsedLocked();
    }
    QMutexLocker lock(&m_state->seriesMutex);
    m_state->events.push_back(RunEvent{atMs, label});
    if (m_state->events.size() > std::size_t(kEventCapacity))
        m_state->events.pop_front();
}

MetricsSnapshot MetricsRecorder::snapshot() const {
    QMutexLocker lock(&m_state->mutex);
    return m_state->snapshotLocked();
}

QStringList MetricsRecorder::seriesNames() const {
    return m_state->seriesNames; // immutable after construction: no lock
}

QList<SeriesPoint> MetricsRecorder::series(const QString &name, qint64 sinceMs) const {
    const qsizetype index = m_state->seriesNames.indexOf(name);
    if (index < 0)
        return {};
    QMutexLocker lock(&m_state->seriesMutex);
    return m_state->series[std::size_t(index)].points(sinceMs);
}

QList<RunEvent> MetricsRecorder::events() const {
    QMutexLocker lock(&m_state->seriesMutex);
    return QList<RunEvent>(m_state->events.begin(), m_state->events.end());
}

void MetricsRecorder::tick() {
    State &s = *m_state;
    const qint64 rss = currentRssBytes();

    MetricsSnapshot snap;
    qint64 atMs = 0;
    qint64 intervalMs = 0;
    qint64 upsertedDelta = 0;
    std::array<double, kDbStatementKinds> dbTickMs{};
    std::array<qint64, kDbStatementKinds> dbTickCount{};
    {
        QMutexLocker lock(&s.mutex);
        s.sampleMemoryLocked(rss);
        atMs = s.elapsedLocked();
        intervalMs = atMs - s.lastTickMs;
        s.lastTickMs = atMs;
        // This tick's figures are taken and reset together, so each statement and attempt
        // lands in exactly one tick.
        s.tickScratch = s.apiThisTick;
        s.apiThisTick.clear();
        dbTickMs = s.dbThisTickMs;
        dbTickCount = s.dbThisTickCount;
        s.dbThisTickMs.fill(0);
        s.dbThisTickCount.fill(0);
        const qint64 upserted = s.upsertedLocked();
        upsertedDelta = upserted - s.upsertedAtLastTick;
        s.upsertedAtLastTick = upserted;
        snap = s.snapshotLocked();
    }

    {
        QMutexLocker lock(&s.seriesMutex);
        auto append = [&](int slot, double value) {
            s.series[std::size_t(slot)].append(SeriesPoint{atMs, value});
        };
        // A tick without attempts has no latency: a point of 0 would read as "instant".
        if (s.tickScratch.count() > 0) {
            append(ApiLatencyP50, s.tickScratch.percentile(50));
            append(ApiLatencyP95, s.tickScratch.percentile(95));
        }
        // Rates need an interval: a second tick at the same instant (a stopped clock) has none.
        if (intervalMs > 0) {
            const double perSecond = 1000.0 / double(intervalMs);
            append(ApiRequestsPerSecond, double(s.tickScratch.count()) * perSecond);
            append(ThroughputRecords, double(upsertedDelta) * perSecond);
        }
        for (int kind = 0; kind < kDbStatementKinds; ++kind) {
            const auto k = std::size_t(kind);
            if (dbTickCount[k] > 0)
                append(DbFirstKind + kind, dbTickMs[k] / double(dbTickCount[k]));
        }
        append(MemoryRss, snap.memory.currentMb);
        append(BatchesInFlight, double(snap.batches.inFlight));
    }

    Q_EMIT snapshotReady(snap);
}

qint64 currentRssBytes() {
#ifdef Q_OS_LINUX
    // Plain POSIX reads: one open/read/close, no allocation, four times a second.
    const int fd = ::open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    char text[128];
    const ssize_t length = ::read(fd, text, sizeof text - 1);
    ::close(fd);
    if (length <= 0)
        return 0;
    text[length] = '\0';
    // "size resident shared text lib data dt", all in pages: the second field is the RSS.
    char *end = nullptr;
    std::strtoll(text, &end, 10);
    const long long residentPages = std::strtoll(end, nullptr, 10);
    static const long pageSize = ::sysconf(_SC_PAGESIZE);
    if (residentPages <= 0 || pageSize <= 0)
        return 0;
    return qint64(residentPages) * qint64(pageSize);
#else
    return 0;
#endif
}

} // namespace resosync::metrics
