#include "db/ReconnectBackoff.h"

#include <QMutex>
#include <QSet>
#include <QThread>

#include <algorithm>
#include <atomic>

namespace resosync::db {

namespace {

std::atomic_int g_defaultWindowMs = ReconnectBackoff::kDefaultWindowMs;

QMutex g_reachableMutex;
QSet<QString> g_reachable; ///< connection strings that reached their server in this process

constexpr int kFirstStepMs = 250;
constexpr int kLongestStepMs = 4000;

} // namespace

ReconnectBackoff::ReconnectBackoff(int windowMs)
    : m_windowMs(std::max(0, windowMs)) {}

void ReconnectBackoff::setDefaultWindowMs(int windowMs) {
    g_defaultWindowMs = std::max(0, windowMs);
}

int ReconnectBackoff::defaultWindowMs() {
    return g_defaultWindowMs;
}

void ReconnectBackoff::noteReachable(const QString &conninfo) {
    QMutexLocker locker(&g_reachableMutex);
    g_reachable.insert(conninfo);
}

bool ReconnectBackoff::wasReachable(const QString &conninfo) {
    QMutexLocker locker(&g_reachableMutex);
    return g_reachable.contains(conninfo);
}

void ReconnectBackoff::sleepStep(int step) {
    int delay = kFirstStepMs;
    for (int i = 0; i < step && delay < kLongestStepMs; ++i)
        delay *= 2;
    delay = std::min(delay, kLongestStepMs);
    if (m_sinceFirstLoss.isValid())
        delay = int(
            std::min<qint64>(delay, std::max<qint64>(0, m_windowMs - m_sinceFirstLoss.elapsed())));
    QThread::msleep(static_cast<unsigned long>(delay));
}

bool ReconnectBackoff::waitToReconnect(DbErrorKind kind) {
    if (kind != DbErrorKind::Unreachable)
        return false;
    if (!m_sinceFirstLoss.isValid())
        m_sinceFirstLoss.start();
    // The first retry goes at once: a terminated backend is replaced by a fresh connection
    // immediately; only a server that is down needs the wait.
    if (m_reconnects > 0) {
        if (m_sinceFirstLoss.elapsed() >= m_windowMs)
            return false;
        sleepStep(m_reconnects - 1);
    }
    ++m_reconnects;
    return true;
}

bool ReconnectBackoff::waitAfterTimeout() {
    if (m_timeoutRetries >= kMaxTimeoutRetries)
        return false;
    sleepStep(m_timeoutRetries + 1);
    ++m_timeoutRetries;
    return true;
}

bool isTimeoutState(const std::string &sqlState) {
    return sqlState == "57014" || sqlState == "55P03";
}

} // namespace resosync::db
