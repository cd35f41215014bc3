#pragma once

#include <QtGlobal>

#include <array>

namespace resosync::metrics {

/// A latency histogram with logarithmic buckets (HDR-like), fixed in size.
///
/// Buckets grow by 2% from 0.01 ms to 10 minutes (about 900 of them, 7 KB), plus one below and
/// one above that range. A percentile is answered with its bucket's geometric midpoint, clamped
/// to the smallest and largest value seen, so it lies within about 1% of the exact value for
/// anything between 0.01 ms and 10 minutes. Count, sum (so the mean), minimum and maximum are
/// exact. Not thread-safe: the owner locks.
class Histogram final {
public:
    static constexpr double kLowestMs = 0.01;
    static constexpr double kHighestMs = 10.0 * 60.0 * 1000.0;
    static constexpr double kGrowth = 1.02;
    /// Buckets between kLowestMs and kHighestMs: ceil(log(kHighestMs / kLowestMs) / log(kGrowth)).
    static constexpr int kRangeBuckets = 905;
    /// Plus the underflow bucket (index 0) and the overflow bucket (the last).
    static constexpr int kBuckets = kRangeBuckets + 2;

    /// What the histogram records for `ms`: negative and non-finite values count as 0.
    static double sanitized(double ms);
    /// The bucket a value falls in (after sanitized()).
    /// Pure, so callers may compute it before taking their lock.
    static int bucketFor(double ms);

    void add(double ms) { addAt(bucketFor(ms), ms); }
    /// Adds `ms` to the bucket `bucketFor(ms)` returned.
    void addAt(int bucket, double ms);
    /// Adds every value of `other` (as if each had been added here).
    void merge(const Histogram &other);
    void clear();

    qint64 count() const { return m_count; }
    double sum() const { return m_sum; }
    /// Exact arithmetic mean, 0 when empty.
    double mean() const { return m_count > 0 ? m_sum / double(m_count) : 0.0; }
    double min() const { return m_count > 0 ? m_min : 0.0; }
    double max() const { return m_count > 0 ? m_max : 0.0; }
    /// The nearest-rank percentile `p` (0..100): the value at rank ceil(p / 100 x count) in
    /// sorted order, approximated by its bucket. 0 when empty.
    double percentile(double p) const;

private:
    double representative(int bucket) const;

    std::array<qint64, kBuckets> m_buckets{};
    qint64 m_count = 0;
    double m_sum = 0;
    double m_min = 0;
    double m_max = 0;
};

} // namespace resosync::metrics
