#include "metrics/AlertMonitor.h"

#include <cmath>

namespace resosync::metrics {

using namespace Qt::StringLiterals;

namespace {
constexpr double kRearmShare = 0.9;        ///< an alert re-arms below 90% of its threshold
constexpr qint64 kMinRequestsForRate = 5;  ///< fewer say nothing about an error rate
constexpr qint64 kRequestsPerVerdict = 20; ///< judge the error rate every 20 requests ...
constexpr qint64 kMaxVerdictGapMs = 5000;  ///< ... or every 5 s, whichever comes first
} // namespace

QString AlertThresholds::summary() const {
    const auto shown = [](double value, QLatin1StringView unit) {
        return value > 0 ? QString::number(value) + unit : u"off"_s;
    };
    return u"p95 latency %1, error rate %2, memory %3"_s.arg(
        shown(apiP95Ms, " ms"_L1), shown(errorRatePercent, "%"_L1), shown(memoryMb, " MB"_L1));
}

AlertMonitor::AlertMonitor(AlertThresholds thresholds)
    : m_thresholds(thresholds) {}

void AlertMonitor::setThresholds(const AlertThresholds &thresholds) {
    m_thresholds = thresholds;
    m_firing.fill(false);
}

std::optional<QString> AlertMonitor::check(Check which, double value, double threshold,
                                           const QString &text) {
    bool &firing = m_firing[std::size_t(which)];
    if (threshold <= 0)
        return std::nullopt;
    if (firing) {
        if (value < threshold * kRearmShare)
            firing = false;
        return std::nullopt;
    }
    if (value <= threshold)
        return std::nullopt;
    firing = true;
    return text;
}

QStringList AlertMonitor::observe(const MetricsSnapshot &snapshot, double recentP95Ms) {
    QStringList fired;
    // No request ended since the last look: no latency to judge (and no reason to re-arm).
    if (recentP95Ms > 0) {
        if (auto alert =
                check(Latency, recentP95Ms, m_thresholds.apiP95Ms,
                      u"alert: p95 API latency %1 ms > %2 ms"_s.arg(std::lround(recentP95Ms))
                          .arg(m_thresholds.apiP95Ms)))
            fired << *alert;
    }
    if (!m_errorBase)
        m_errorBase = snapshot;
    const qint64 requests = snapshot.api.requests - m_errorBase->api.requests;
    if (requests >= kRequestsPerVerdict ||
        snapshot.elapsedMs - m_errorBase->elapsedMs >= kMaxVerdictGapMs) {
        const qint64 bad = (snapshot.api.failed - m_errorBase->api.failed) +
                           (snapshot.api.retries - m_errorBase->api.retries);
        if (requests >= kMinRequestsForRate) {
            const double percent = 100.0 * double(bad) / double(requests);
            if (auto alert = check(Errors, percent, m_thresholds.errorRatePercent,
                                   u"alert: %1% of the last %2 requests failed or were retried "
                                   "(threshold %3%)"_s.arg(std::lround(percent))
                                       .arg(requests)
                                       .arg(m_thresholds.errorRatePercent)))
                fired << *alert;
        }
        m_errorBase = snapshot;
    }
    if (auto alert =
            check(Memory, snapshot.memory.currentMb, m_thresholds.memoryMb,
                  u"alert: memory %1 MB > %2 MB"_s.arg(std::lround(snapshot.memory.currentMb))
                      .arg(m_thresholds.memoryMb)))
        fired << *alert;
    return fired;
}

} // namespace resosync::metrics
