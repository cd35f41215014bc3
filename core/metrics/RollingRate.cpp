#include "metrics/RollingRate.h"

#include <cmath>

namespace resosync::metrics {

using namespace Qt::StringLiterals;

RollingRate::RollingRate(qint64 windowMs)
    : m_windowMs(windowMs) {}

void RollingRate::reset() {
    m_samples.clear();
}

void RollingRate::add(qint64 atMs, qint64 count) {
    if (!m_samples.empty() && atMs < m_samples.back().atMs)
        reset(); // a new clock origin (a new run): the old samples mean nothing against it
    m_samples.push_back({atMs, count});
    // Keep one sample at or before the window's start, so the rate spans the whole window.
    while (m_samples.size() > 2 && m_samples[1].atMs <= atMs - m_windowMs)
        m_samples.pop_front();
}

double RollingRate::perSecond() const {
    if (m_samples.size() < 2)
        return 0;
    const Sample &first = m_samples.front();
    const Sample &last = m_samples.back();
    if (last.atMs <= first.atMs)
        return 0;
    return double(last.count - first.count) * 1000.0 / double(last.atMs - first.atMs);
}

double RollingRate::secondsUntil(qint64 total) const {
    if (total < 0)
        return -1;
    const qint64 left = total - latest();
    if (left <= 0)
        return 0;
    const double rate = perSecond();
    return rate > 0 ? double(left) / rate : -1;
}

QString durationText(double seconds) {
    if (seconds < 0 || !std::isfinite(seconds))
        return u"?"_s;
    const auto s = qint64(seconds + 0.5);
    return s >= 3600 ? u"%1:%2:%3"_s.arg(s / 3600)
                           .arg(s / 60 % 60, 2, 10, QChar(u'0'))
                           .arg(s % 60, 2, 10, QChar(u'0'))
                     : u"%1:%2"_s.arg(s / 60).arg(s % 60, 2, 10, QChar(u'0'));
}

} // namespace resosync::metrics
