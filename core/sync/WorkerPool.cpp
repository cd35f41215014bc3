#include "sync/WorkerPool.h"

#include <QThread>

#include <algorithm>

namespace resosync::sync {

using namespace Qt::StringLiterals;

WorkerPool::WorkerPool(QString conninfo, metrics::MetricsRecorder *metrics, int threads)
    : m_conninfo(std::move(conninfo))
    , m_metrics(metrics)
    , m_maxParsers(std::max(1, QThread::idealThreadCount())) {
    m_pool.setObjectName(u"resosync-workers"_s);
    // Slots own the connections, not the threads, so idle threads may come and go.
    ensureThreads(threads);
}

WorkerPool::~WorkerPool() {
    waitForDone();
}

void WorkerPool::ensureThreads(int threads) {
    QMutexLocker locker(&m_mutex);
    while (int(m_slots.size()) < threads) {
        m_slots.push_back(std::make_unique<Slot>(this, m_conninfo, m_metrics));
        m_free.push_back(m_slots.back().get());
    }
    m_pool.setMaxThreadCount(int(m_slots.size()));
}

int WorkerPool::threads() const {
    QMutexLocker locker(&m_mutex);
    return int(m_slots.size());
}

void WorkerPool::waitForDone() {
    m_pool.waitForDone();
}

WorkerPool::Slot *WorkerPool::acquire() {
    QMutexLocker locker(&m_mutex);
    // Never empty: the pool runs at most as many jobs as there are slots.
    Q_ASSERT(!m_free.empty());
    Slot *slot = m_free.back();
    m_free.pop_back();
    return slot;
}

void WorkerPool::release(Slot *slot) {
    QMutexLocker locker(&m_mutex);
    m_free.push_back(slot);
}

PageParser *WorkerPool::acquireParser() {
    QMutexLocker locker(&m_mutex);
    while (m_freeParsers.empty()) {
        if (int(m_parsers.size()) < m_maxParsers) {
            m_parsers.push_back(std::make_unique<PageParser>());
            return m_parsers.back().get();
        }
        m_parserFreed.wait(&m_mutex);
    }
    PageParser *parser = m_freeParsers.back();
    m_freeParsers.pop_back();
    return parser;
}

void WorkerPool::releaseParser(PageParser *parser) {
    QMutexLocker locker(&m_mutex);
    m_freeParsers.push_back(parser);
    m_parserFreed.wakeOne();
}

} // namespace resosync::sync
