#pragma once

#include <QString>
#include <QtGlobal>

#include <deque>

namespace resosync::metrics {

/// The rate of a growing count (records fetched, listings done) over the last few seconds, for
/// progress rates and ETAs that follow a change of speed (a new batch size, a slower resource)
/// instead of averaging over the whole run.
class RollingRate final {
public:
    static constexpr qint64 kDefaultWindowMs = 10'000;

    RollingRate() = default;
    explicit RollingRate(qint64 windowMs);

    void reset();
    /// The count reached at `atMs` (any monotonic origin). Samples older than the window are
    /// dropped, but the newest of them is kept as the window's start.
    void add(qint64 atMs, qint64 count);
    /// Counted per second over the window; 0 until two samples lie apart in time.
    double perSecond() const;
    /// Seconds until the count reaches `total` at perSecond(); -1 when there is no rate yet or
    /// no total, 0 when reached.
    double secondsUntil(qint64 total) const;
    qint64 latest() const { return m_samples.empty() ? 0 : m_samples.back().count; }

private:
    struct Sample {
        qint64 atMs;
        qint64 count;
    };
    qint64 m_windowMs = kDefaultWindowMs;
    std::deque<Sample> m_samples;
};

/// A duration as a clock shows it: "0:42", "12:05", "1:02:03"; "?" when negative or not finite.
QString durationText(double seconds);

} // namespace resosync::metrics
