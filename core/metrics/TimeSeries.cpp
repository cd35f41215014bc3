#include "metrics/TimeSeries.h"

#include <algorithm>

namespace resosync::metrics {

TimeSeries::TimeSeries(int capacity)
    : m_capacity(std::max(1, capacity)) {}

void TimeSeries::append(SeriesPoint point) {
    const auto size = m_points.size();
    const auto capacity = std::size_t(m_capacity);
    if (size < capacity) {
        // Grow by hand, not by push_back's doubling, so the buffer never holds more than its
        // capacity (an hour of ticks per series; doubling would reserve up to twice that).
        if (size == m_points.capacity())
            m_points.reserve(std::min(capacity, std::max<std::size_t>(64, size * 2)));
        m_points.push_back(point);
        return;
    }
    m_points[std::size_t(m_head)] = point;
    m_head = (m_head + 1) % m_capacity;
}

const SeriesPoint &TimeSeries::at(int logicalIndex) const {
    return m_points[std::size_t((m_head + logicalIndex) % size())];
}

QList<SeriesPoint> TimeSeries::points(qint64 sinceMs) const {
    // Points are in time order, so the first one to return is found by binary search.
    int low = 0;
    int high = size();
    while (low < high) {
        const int middle = low + (high - low) / 2;
        if (at(middle).atMs < sinceMs)
            low = middle + 1;
        else
            high = middle;
    }
    QList<SeriesPoint> result;
    result.reserve(size() - low);
    for (int i = low; i < size(); ++i)
        result.append(at(i));
    return result;
}

void TimeSeries::clear() {
    m_points.clear();
    m_head = 0;
}

} // namespace resosync::metrics
