#pragma once

#include "db/BatchWriter.h"
#include "sync/PageParser.h"

#include <QFuture>
#include <QMutex>
#include <QObject>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

#include <memory>
#include <vector>

namespace resosync::sync {

/// The sync's blocking work: a private thread pool and, per thread, a slot holding one
/// database connection (BatchWriter) and one simdjson parser. A job borrows a free slot for its
/// whole duration, so a connection is only ever used by one thread at a time; there are as
/// many slots as threads, so borrowing never waits.
class WorkerPool final {
public:
    struct Slot {
        Slot(const QString &conninfo, metrics::MetricsRecorder *metrics)
            : writer(conninfo, metrics) {}
        db::BatchWriter writer;
        PageParser parser;
    };

    WorkerPool(QString conninfo, metrics::MetricsRecorder *metrics, int threads);
    ~WorkerPool();

    /// Grows to `threads` threads and slots (never shrinks: idle connections are cheap and
    /// concurrency may go up again).
    void ensureThreads(int threads);
    int threads() const;

    /// Runs `work(Slot &)` on the pool and then `done(result)` on `context`'s thread.
    template<typename Work, typename Done> void run(QObject *context, Work work, Done done) {
        QtConcurrent::run(&m_pool, [this, work = std::move(work)]() mutable {
            Slot *slot = acquire();
            auto result = work(*slot);
            release(slot);
            return result;
        }).then(context, std::move(done));
    }

    /// Blocks until every job has finished (shutdown only).
    void waitForDone();

private:
    Slot *acquire();
    void release(Slot *slot);

    QString m_conninfo;
    metrics::MetricsRecorder *m_metrics;
    QThreadPool m_pool;
    mutable QMutex m_mutex;
    std::vector<std::unique_ptr<Slot>> m_slots;
    std::vector<Slot *> m_free;
};

} // namespace resosync::sync
