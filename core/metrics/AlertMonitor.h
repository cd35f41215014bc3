#pragma once

#include "metrics/MetricsSnapshot.h"

#include <QString>
#include <QStringList>

#include <array>
#include <optional>

namespace resosync::metrics {

/// Where a run's health turns into an alert. 0 turns a check off.
struct AlertThresholds {
    double apiP95Ms = 5000;      ///< p95 latency of the requests of the last few seconds
    double errorRatePercent = 5; ///< failed or retried requests of the last few seconds
    double memoryMb = 1024;      ///< resident memory of the process

    // The largest values the CLI and the console accept (0 is always allowed: off).
    static constexpr double kMaxApiP95Ms = 600'000; ///< 10 minutes: no request waits longer
    static constexpr double kMaxErrorRatePercent = 100;
    static constexpr double kMaxMemoryMb = 1'048'576; ///< 1 TB

    /// "p95 latency 5000 ms, error rate 5%, memory 1024 MB" ("off" for a check turned off),
    /// for logs, tooltips and messages.
    QString summary() const;
    friend bool operator==(const AlertThresholds &, const AlertThresholds &) = default;
};

/// Watches snapshots for thresholds crossed and says so once per crossing: an alert fires when
/// a value goes over its threshold and re-arms only after it has come back under 90% of it,
/// so a value hovering at the line does not flood the log and the charts.
///
/// Pure logic on cumulative snapshots (the error rate is judged every 20 requests or 5 s):
/// the engine feeds it every tick and marks what it returns on the charts and in the log.
class AlertMonitor final {
public:
    explicit AlertMonitor(AlertThresholds thresholds = {});
    void setThresholds(const AlertThresholds &thresholds);
    const AlertThresholds &thresholds() const { return m_thresholds; }

    /// `recentP95Ms`: the highest per-tick p95 latency since the previous call (0 if no request
    /// ended meanwhile: the latency check then waits).
    /// Returns the alerts that fired now, e.g. "alert: p95 API latency 6200 ms > 5000 ms".
    QStringList observe(const MetricsSnapshot &snapshot, double recentP95Ms);

private:
    enum Check { Latency, Errors, Memory, kChecks };
    std::optional<QString> check(Check which, double value, double threshold, const QString &text);

    AlertThresholds m_thresholds;
    std::array<bool, kChecks> m_firing{};
    std::optional<MetricsSnapshot> m_errorBase; ///< where the current error-rate interval began
};

} // namespace resosync::metrics
