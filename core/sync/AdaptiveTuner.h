#pragma once

#include "metrics/MetricsSnapshot.h"
#include "reso/FeedProfile.h"
#include "sync/SyncSettings.h"

#include <QString>

#include <optional>

namespace resosync::sync {

/// A change the tuner wants, with the reason to log and mark on the charts.
struct TunerDecision {
    SyncSettings settings;
    QString reason;
};

/// Adjusts a running sync's settings from what the last few seconds measured, within the
/// profile's limits.
///
/// Two rules, in this order:
/// - **Back off multiplicatively** when the feed pushes back: any 429, more than 5% failed
///   requests, or a p95 latency above half the profile's request timeout halves concurrency
///   and doubles the throttle (and halves the page size when latency is the problem). The
///   vendor's limits are not ours to probe.
/// - **Otherwise climb one knob at a time**: try a step up (throttle down, concurrency +1,
///   database batch x2, page size x1.5), let it settle one window, and keep it only if records
///   per second rose by at least 3%; else put it back and leave that knob alone for a while.
///   Throughput, not latency, is the goal: on a 2-core machine more parallelism can make
///   everything slower, and only measuring shows it.
///
/// Pure logic: feed it the recorder's snapshots (cumulative); it works on their differences.
/// Deterministic for a given sequence of snapshots, so it is tested without a feed.
class AdaptiveTuner final {
public:
    static constexpr qint64 kWindowMs = 2000;  ///< least time between two decisions
    static constexpr int kMinRequests = 3;     ///< a window with fewer says too little
    static constexpr double kGain = 1.03;      ///< a step must beat the baseline by 3%
    static constexpr int kPlateauWindows = 10; ///< a knob that did not help rests this long

    AdaptiveTuner(reso::FeedProfile profile, SyncSettings start);

    /// Call every kWindowMs or so with the latest snapshot and the highest per-tick p95 API
    /// latency since the previous call (the snapshot's p95 is over the whole run, too slow to
    /// react); returns a change when one is due.
    std::optional<TunerDecision> observe(const metrics::MetricsSnapshot &snapshot,
                                         double windowP95Ms);
    /// The settings in force (after the last decision, or when the user changed them).
    const SyncSettings &settings() const { return m_settings; }
    /// The user changed settings by hand: take them, drop the current trial.
    void setSettings(const SyncSettings &settings);

private:
    enum class Knob { Throttle, Concurrency, DbBatch, PageSize, Count };
    struct Window {
        double seconds = 0;
        double recordsPerSecond = 0;
        qint64 requests = 0;
        qint64 failed = 0;
        qint64 rateLimited = 0;
        double p95Ms = 0;
        int activeResource = -1;
    };

    Window windowSince(const metrics::MetricsSnapshot &snapshot, double p95Ms) const;
    std::optional<TunerDecision> backOff(const Window &window);
    std::optional<TunerDecision> climb(const Window &window);
    std::optional<TunerDecision> judgeTrial(const Window &window);
    std::optional<SyncSettings> stepUp(Knob knob) const;
    static QString knobName(Knob knob);

    reso::FeedProfile m_profile;
    SyncSettings m_settings;
    std::optional<metrics::MetricsSnapshot> m_last;
    struct Trial {
        Knob knob;
        SyncSettings before;
        double baseline = 0;
        bool settled = false; ///< the first window after a change is discarded
    };
    std::optional<Trial> m_trial;
    int m_settleWindows = 0; ///< windows to skip after a back-off
    int m_resource = -1;
    int m_nextKnob = 0;
    std::array<int, int(Knob::Count)> m_restUntil{}; ///< window index a knob may be tried again
    int m_windowIndex = 0;
};

} // namespace resosync::sync
