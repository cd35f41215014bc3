#include "metrics/Histogram.h"

#include <algorithm>
#include <cmath>

namespace resosync::metrics {

namespace {
// log(kGrowth), computed once: bucketFor runs on every recorded latency.
const double kLogGrowth = std::log(Histogram::kGrowth);
} // namespace

double Histogram::sanitized(double ms) {
    // A clock that stepped backwards or a caller's NaN must not poison the sum or the buckets.
    return std::isfinite(ms) && ms > 0 ? ms : 0.0;
}

int Histogram::bucketFor(double ms) {
    ms = sanitized(ms);
    if (ms < kLowestMs)
        return 0;
    if (ms >= kHighestMs)
        return kBuckets - 1;
    // Bucket i (1..kRangeBuckets) holds [kLowestMs * g^(i-1), kLowestMs * g^i). Rounding at
    // a boundary may pick the neighbour; the clamp keeps it inside the range buckets, and
    // either neighbour's midpoint is still within about 1% of the value.
    const int index = int(std::floor(std::log(ms / kLowestMs) / kLogGrowth)) + 1;
    return std::clamp(index, 1, kRangeBuckets);
}

void Histogram::addAt(int bucket, double ms) {
    ms = sanitized(ms);
    ++m_buckets[std::size_t(std::clamp(bucket, 0, kBuckets - 1))];
    if (m_count == 0) {
        m_min = ms;
        m_max = ms;
    } else {
        m_min = std::min(m_min, ms);
        m_max = std::max(m_max, ms);
    }
    ++m_count;
    m_sum += ms;
}

void Histogram::merge(const Histogram &other) {
    if (other.m_count == 0)
        return;
    for (std::size_t i = 0; i < m_buckets.size(); ++i)
        m_buckets[i] += other.m_buckets[i];
    if (m_count == 0) {
        m_min = other.m_min;
        m_max = other.m_max;
    } else {
        m_min = std::min(m_min, other.m_min);
        m_max = std::max(m_max, other.m_max);
    }
    m_count += other.m_count;
    m_sum += other.m_sum;
}

void Histogram::clear() {
    m_buckets.fill(0);
    m_count = 0;
    m_sum = 0;
    m_min = 0;
    m_max = 0;
}

double Histogram::representative(int bucket) const {
    double value = 0;
    if (bucket == 0)
        value = kLowestMs / 2; // below 0.01 ms the absolute error is what matters, not relative
    else if (bucket == kBuckets - 1)
        value = m_max; // nothing bounds the overflow bucket but the largest value seen
    else
        value = kLowestMs * std::pow(kGrowth, double(bucket) - 0.5); // geometric midpoint
    // The extremes are known exactly: a constant series reads back exactly, and p100 is the max.
    return std::clamp(value, m_min, m_max);
}

double Histogram::percentile(double p) const {
    if (m_count == 0)
        return 0;
    p = std::clamp(p, 0.0, 100.0);
    const auto rank =
        std::clamp<qint64>(qint64(std::ceil(p * double(m_count) / 100.0)), 1, m_count);
    qint64 seen = 0;
    for (int i = 0; i < kBuckets; ++i) {
        seen += m_buckets[std::size_t(i)];
        if (seen >= rank)
            return representative(i);
    }
    return m_max; // unreachable: the buckets add up to m_count
}

} // namespace resosync::metrics
