#pragma once

#include "metrics/MetricsSnapshot.h"

#include <QList>

#include <vector>

namespace resosync::metrics {

/// A bounded ring buffer of series points in time order: once `capacity` points are held,
/// each new point drops the oldest, so a series never grows with the length of a run.
/// Not thread-safe: the owner locks.
class TimeSeries final {
public:
    explicit TimeSeries(int capacity);

    /// Appends a point; callers append in non-decreasing atMs order.
    void append(SeriesPoint point);
    /// The points with atMs >= sinceMs, oldest first.
    QList<SeriesPoint> points(qint64 sinceMs = 0) const;
    int size() const { return int(m_points.size()); }
    int capacity() const { return m_capacity; }
    void clear();

private:
    const SeriesPoint &at(int logicalIndex) const;

    int m_capacity;
    std::vector<SeriesPoint> m_points; ///< storage; the oldest point is at m_head once full
    int m_head = 0;
};

} // namespace resosync::metrics
