#include "reso/RateLimiter.h"

#include <algorithm>
#include <cmath>
#include <iterator>

namespace resosync::reso {

RateLimiter::RateLimiter(const RateLimits &limits, double burst)
    : m_limits(limits)
    , m_capacity(std::max(1.0, burst))
    , m_tokens(m_capacity) {}

bool RateLimiter::isUnlimited() const {
    return m_limits.isUnlimited();
}

void RateLimiter::refill(qint64 nowMs) {
    if (m_limits.perSecond <= 0)
        return;
    if (m_refilledMs != kNever && nowMs > m_refilledMs)
        m_tokens = std::min(m_capacity,
                            m_tokens + double(nowMs - m_refilledMs) / 1000.0 * m_limits.perSecond);
    m_refilledMs = std::max(m_refilledMs, nowMs);
}

void RateLimiter::expire(qint64 nowMs) {
    const qint64 window = m_limits.perDay > 0 ? kDayMs : kHourMs;
    while (!m_starts.empty() && m_starts.front() <= nowMs - window)
        m_starts.pop_front();
    while (!m_bytes.empty() && m_bytes.front().first <= nowMs - kHourMs) {
        m_bytesInWindow -= m_bytes.front().second;
        m_bytes.pop_front();
    }
}

qint64 RateLimiter::nextStartMs(qint64 nowMs) {
    qint64 next = nowMs;
    if (m_limits.perSecond > 0) {
        refill(nowMs);
        if (m_tokens < 1.0) {
            const double waitMs = (1.0 - m_tokens) / m_limits.perSecond * 1000.0;
            next = std::max(next, nowMs + qint64(std::ceil(waitMs)));
        }
    }
    expire(nowMs);
    // The k-th most recent start leaves the window at start + window; with `limit` starts in
    // the window, the next may go when the oldest counted one leaves.
    if (m_limits.perHour > 0) {
        const auto firstInHour =
            std::upper_bound(m_starts.begin(), m_starts.end(), nowMs - kHourMs);
        const auto inHour = m_starts.end() - firstInHour;
        if (inHour >= m_limits.perHour)
            next = std::max(next, *(m_starts.end() - m_limits.perHour) + kHourMs);
    }
    if (m_limits.perDay > 0 && qint64(m_starts.size()) >= m_limits.perDay)
        next = std::max(next, *(m_starts.end() - m_limits.perDay) + kDayMs);
    if (m_limits.bytesPerHour > 0 && m_bytesInWindow >= m_limits.bytesPerHour) {
        // Wait until enough of the oldest responses have left the window.
        qint64 remaining = m_bytesInWindow;
        for (const auto &[at, bytes] : m_bytes) {
            remaining -= bytes;
            if (remaining < m_limits.bytesPerHour) {
                next = std::max(next, at + kHourMs);
                break;
            }
        }
    }
    return next;
}

void RateLimiter::recordStart(qint64 nowMs) {
    if (m_limits.perSecond > 0) {
        refill(nowMs);
        m_tokens -= 1.0; // may go below zero if the caller did not wait: later starts wait more
    }
    if (m_limits.perHour > 0 || m_limits.perDay > 0) {
        expire(nowMs);
        m_starts.push_back(std::max(nowMs, m_starts.empty() ? nowMs : m_starts.back()));
    }
}

void RateLimiter::seed(QList<qint64> startsMs) {
    if (startsMs.isEmpty())
        return;
    std::sort(startsMs.begin(), startsMs.end());
    if (m_limits.perHour > 0 || m_limits.perDay > 0) {
        std::deque<qint64> merged;
        std::merge(m_starts.begin(), m_starts.end(), startsMs.begin(), startsMs.end(),
                   std::back_inserter(merged));
        m_starts.swap(merged);
    }
    // The per-second bucket needs only the latest start: the ledger keeps a minute's starts
    // at one time, and replaying them all at once would owe the bucket a minute of tokens.
    if (m_limits.perSecond > 0) {
        refill(startsMs.last());
        m_tokens -= 1.0;
    }
}

void RateLimiter::recordBytes(qint64 nowMs, qint64 bytes) {
    if (m_limits.bytesPerHour <= 0 || bytes <= 0)
        return;
    expire(nowMs);
    m_bytes.emplace_back(std::max(nowMs, m_bytes.empty() ? nowMs : m_bytes.back().first), bytes);
    m_bytesInWindow += bytes;
}

int RateLimiter::startsInLastHour(qint64 nowMs) {
    expire(nowMs);
    return int(m_starts.end() -
               std::upper_bound(m_starts.begin(), m_starts.end(), nowMs - kHourMs));
}

int RateLimiter::startsInLastDay(qint64 nowMs) {
    expire(nowMs);
    return m_limits.perDay > 0 ? int(m_starts.size()) : startsInLastHour(nowMs);
}

} // namespace resosync::reso
