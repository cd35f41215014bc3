#pragma once

#include "reso/FeedProfile.h"

#include <QList>

#include <deque>
#include <limits>
#include <utility>

namespace resosync::reso {

/// Client-side enforcement of a vendor's rate limits (RateLimits: per second, per hour, per
/// day, bytes per hour), so the client stays under them instead of collecting 429s.
///
/// - Per second: a token bucket refilled at `perSecond`, holding at most `burst` tokens
///   (default 1: requests are spread evenly, since the vendor's one-second window is not
///   aligned with ours and a burst that fits our bucket can still straddle theirs).
/// - Per hour and per day: a sliding log of start times. A token bucket sized to the hourly
///   quota would allow its full capacity at once and then the refill, i.e. twice the quota
///   in some one-hour window; the log guarantees no window of that length holds more starts
///   than allowed, whichever way the vendor aligns its own.
/// - Bytes per hour: a sliding log of response sizes. Sizes are known only after a response,
///   so this one is a soft limit: no request starts while the last hour's bytes are at the cap.
///
/// Times are milliseconds on the caller's monotonic clock. Not thread-safe (the FeedClient
/// uses it on its own thread). Counts only this process: another tool on the same account
/// shares the vendor's quota without our knowing.
class RateLimiter final {
public:
    static constexpr qint64 kHourMs = 3'600'000;
    static constexpr qint64 kDayMs = 24 * kHourMs;

    explicit RateLimiter(const RateLimits &limits = {}, double burst = 1.0);

    const RateLimits &limits() const { return m_limits; }
    /// True when no limit is set: every request may start at once.
    bool isUnlimited() const;

    /// The earliest time, >= nowMs, at which the next request may start.
    qint64 nextStartMs(qint64 nowMs);
    /// Takes a token: a request starts now.
    void recordStart(qint64 nowMs);
    /// Bytes received by a response (counts against bytesPerHour).
    void recordBytes(qint64 nowMs, qint64 bytes);
    /// Counts requests an earlier process started (times on this limiter's clock, so before
    /// its start they are negative) against the limits, as if this limiter had seen them.
    void seed(QList<qint64> startsMs);

    /// Requests started within the last hour / day (as counted for the limits).
    int startsInLastHour(qint64 nowMs);
    int startsInLastDay(qint64 nowMs);

private:
    void refill(qint64 nowMs);
    void expire(qint64 nowMs);

    RateLimits m_limits;
    double m_capacity;
    double m_tokens;
    static constexpr qint64 kNever = std::numeric_limits<qint64>::min();
    qint64 m_refilledMs = kNever;
    std::deque<qint64> m_starts;                   ///< start times within the longest window in use
    std::deque<std::pair<qint64, qint64>> m_bytes; ///< (time, bytes) within the last hour
    qint64 m_bytesInWindow = 0;
};

} // namespace resosync::reso
