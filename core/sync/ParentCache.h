#pragma once

#include <QByteArray>
#include <QMutex>
#include <QSet>

namespace resosync::sync {

/// Listing keys known to exist in the database, shared by the workers, so most parent checks
/// of child records cost no query. Bounded: when full it starts over (keys are re-learned
/// from the database on the next miss), so memory does not grow with the feed.
class ParentCache final {
public:
    explicit ParentCache(qsizetype capacity = 200'000)
        : m_capacity(capacity) {}

    bool contains(const QByteArray &key) const {
        QMutexLocker locker(&m_mutex);
        return m_keys.contains(key);
    }
    void insert(const QByteArray &key) {
        QMutexLocker locker(&m_mutex);
        if (m_keys.size() >= m_capacity)
            m_keys.clear();
        m_keys.insert(key);
    }

private:
    mutable QMutex m_mutex;
    QSet<QByteArray> m_keys;
    qsizetype m_capacity;
};

} // namespace resosync::sync
