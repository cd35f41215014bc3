#pragma once

#include "db/BatchWriter.h"
#include "sync/PageParser.h"

#include <QFuture>
#include <QMutex>
#include <QObject>
#include <QThreadPool>
#include <QWaitCondition>
#include <QtConcurrent/QtConcurrentRun>

#include <memory>
#include <vector>

namespace resosync::sync {

/// The sync's blocking work: a private thread pool and, per thread, a slot holding one
/// database connection (BatchWriter). A job borrows a free slot for its whole duration, so a
/// connection is only ever used by one thread at a time; there are as many slots as threads,
/// so borrowing never waits. Parsers are shared apart from the slots, one per core: parsing is
/// CPU work, so more parsers than cores would only add memory (each keeps simdjson buffers of
/// about seven times its recent pages: 18 MB for Media's).
class WorkerPool final {
public:
    struct Slot {
        Slot(WorkerPool *pool, const QString &conninfo, metrics::MetricsRecorder *metrics)
            : writer(conninfo, metrics)
            , m_pool(pool) {}
        db::BatchWriter writer;
        /// Runs `parse(PageParser &)` here with one of the pool's parsers, waiting while every
        /// parser is busy.
        template<typename Parse> auto withParser(Parse parse) {
            const ParserLease lease(*m_pool);
            return parse(*lease.parser);
        }

    private:
        WorkerPool *m_pool;
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
    /// A parser borrowed for one parse, returned when the lease ends.
    struct ParserLease {
        explicit ParserLease(WorkerPool &owner)
            : pool(owner)
            , parser(owner.acquireParser()) {}
        ~ParserLease() { pool.releaseParser(parser); }
        ParserLease(const ParserLease &) = delete;
        ParserLease &operator=(const ParserLease &) = delete;
        WorkerPool &pool;
        PageParser *parser;
    };

    Slot *acquire();
    void release(Slot *slot);
    PageParser *acquireParser();
    void releaseParser(PageParser *parser);

    QString m_conninfo;
    metrics::MetricsRecorder *m_metrics;
    QThreadPool m_pool;
    mutable QMutex m_mutex;
    std::vector<std::unique_ptr<Slot>> m_slots;
    std::vector<Slot *> m_free;
    int m_maxParsers = 1;
    std::vector<std::unique_ptr<PageParser>> m_parsers; ///< made as needed, up to m_maxParsers
    std::vector<PageParser *> m_freeParsers;
    QWaitCondition m_parserFreed;
};

} // namespace resosync::sync
