#include "metrics/SeriesShaping.h"

#include <algorithm>

namespace resosync::metrics {

QList<SeriesPoint> pointsSince(const QList<SeriesPoint> &points, qint64 sinceMs) {
    const auto first =
        std::lower_bound(points.cbegin(), points.cend(), sinceMs,
                         [](const SeriesPoint &point, qint64 atMs) { return point.atMs < atMs; });
    return points.mid(first - points.cbegin());
}

QList<SeriesPoint> runningMax(const QList<SeriesPoint> &points) {
    QList<SeriesPoint> peaks;
    peaks.reserve(points.size());
    for (const SeriesPoint &point : points) {
        const double peak =
            peaks.isEmpty() ? point.value : std::max(peaks.last().value, point.value);
        peaks.append(SeriesPoint{point.atMs, peak});
    }
    return peaks;
}

QList<SeriesPoint> decimateMinMax(const QList<SeriesPoint> &points, int maxPoints) {
    const qsizetype count = points.size();
    if (count <= std::max(4, maxPoints))
        return points;
    // The first and the last point are always kept: a live chart must end at the latest
    // sample, not at the extreme of the last bucket. The points between are bucketed.
    const qsizetype inner = count - 2;
    const qsizetype buckets = std::max(1, (maxPoints - 2) / 2);
    QList<SeriesPoint> kept;
    kept.reserve(buckets * 2 + 2);
    kept.append(points.first());
    for (qsizetype bucket = 0; bucket < buckets; ++bucket) {
        // Bucket boundaries by index: ticks are evenly spaced, and index boundaries bound the
        // result exactly, where time boundaries would not.
        const qsizetype begin = 1 + bucket * inner / buckets;
        const qsizetype end = 1 + (bucket + 1) * inner / buckets;
        if (begin == end)
            continue;
        qsizetype lowest = begin;
        qsizetype highest = begin;
        for (qsizetype i = begin + 1; i < end; ++i) {
            if (points[i].value < points[lowest].value)
                lowest = i;
            if (points[i].value > points[highest].value)
                highest = i;
        }
        kept.append(points[std::min(lowest, highest)]);
        if (lowest != highest)
            kept.append(points[std::max(lowest, highest)]);
    }
    kept.append(points.last());
    return kept;
}

} // namespace resosync::metrics
