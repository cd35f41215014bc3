#pragma once

#include "metrics/MetricsSnapshot.h"

#include <QList>

namespace resosync::metrics {

// Shaping a recorded series for display. Pure functions on points in time order, shared by
// the live charts (points from MetricsRecorder::series) and saved runs (from run_samples), so
// both draw exactly the same thing for the same data.

/// The points with atMs >= sinceMs (`points` in time order), as MetricsRecorder::series gives.
QList<SeriesPoint> pointsSince(const QList<SeriesPoint> &points, qint64 sinceMs);

/// The running maximum: at each point, the largest value up to and including it (a peak line).
QList<SeriesPoint> runningMax(const QList<SeriesPoint> &points);

/// At most `maxPoints` points (at least 4) that keep the series' shape: the first and the last
/// point, and between them (maxPoints - 2) / 2 consecutive buckets that each keep their lowest
/// and their highest point, in time order. A spike survives however many points surround it;
/// a plain stride would drop it. Returns `points` unchanged when they already fit.
QList<SeriesPoint> decimateMinMax(const QList<SeriesPoint> &points, int maxPoints);

} // namespace resosync::metrics
