#include "sync/AdaptiveTuner.h"

#include <algorithm>
#include <cmath>

namespace resosync::sync {

using namespace Qt::StringLiterals;

namespace {

qint64 recordsFetched(const metrics::MetricsSnapshot &snapshot) {
    qint64 total = 0;
    for (const metrics::ResourceProgress &progress : snapshot.resources)
        total += progress.fetched;
    return total;
}

/// The resource being worked on: the first that has started and is not done.
int activeResource(const metrics::MetricsSnapshot &snapshot) {
    for (std::size_t i = 0; i < snapshot.resources.size(); ++i) {
        const metrics::ResourceProgress &progress = snapshot.resources[i];
        if (!progress.done && progress.fetched > 0)
            return int(i);
    }
    return -1;
}

} // namespace

AdaptiveTuner::AdaptiveTuner(reso::FeedProfile profile, SyncSettings start)
    : m_profile(std::move(profile))
    , m_settings(start) {}

void AdaptiveTuner::setSettings(const SyncSettings &settings) {
    m_settings = settings;
    m_trial.reset();
    m_settleWindows = 1;
}

AdaptiveTuner::Window AdaptiveTuner::windowSince(const metrics::MetricsSnapshot &snapshot,
                                                 double p95Ms) const {
    Window w;
    w.activeResource = activeResource(snapshot);
    w.p95Ms = p95Ms;
    if (!m_last)
        return w;
    const metrics::MetricsSnapshot &last = *m_last;
    w.seconds = double(snapshot.elapsedMs - last.elapsedMs) / 1000.0;
    w.requests = snapshot.api.requests - last.api.requests;
    w.failed = snapshot.api.failed - last.api.failed;
    w.rateLimited = snapshot.api.rateLimited - last.api.rateLimited;
    if (w.seconds > 0)
        w.recordsPerSecond = double(recordsFetched(snapshot) - recordsFetched(last)) / w.seconds;
    return w;
}

std::optional<TunerDecision> AdaptiveTuner::observe(const metrics::MetricsSnapshot &snapshot,
                                                    double windowP95Ms) {
    if (m_last && snapshot.elapsedMs - m_last->elapsedMs < kWindowMs)
        return std::nullopt;
    const Window window = windowSince(snapshot, windowP95Ms);
    const bool first = !m_last;
    m_last = snapshot;
    ++m_windowIndex;
    if (first)
        return std::nullopt;
    const bool otherResource = window.activeResource != m_resource;
    if (otherResource) {
        // Another resource has other costs: earlier measurements say nothing about it.
        m_resource = window.activeResource;
        m_trial.reset();
        m_restUntil.fill(0);
        m_settleWindows = 1;
    }
    // Pushback from the feed counts whatever is being synced.
    if (auto decision = backOff(window))
        return decision;
    if (otherResource)
        return std::nullopt;
    if (m_settleWindows > 0) {
        --m_settleWindows;
        return std::nullopt;
    }
    if (window.requests < kMinRequests)
        return std::nullopt;
    if (m_trial)
        return judgeTrial(window);
    return climb(window);
}

std::optional<TunerDecision> AdaptiveTuner::backOff(const Window &window) {
    const bool rateLimited = window.rateLimited > 0;
    const bool failing =
        window.requests > 0 && double(window.failed) > 0.05 * double(window.requests);
    const bool slow = window.p95Ms > 0.5 * double(m_profile.requestTimeoutMs);
    if (!rateLimited && !failing && !slow)
        return std::nullopt;
    SyncSettings next = m_settings;
    next.concurrency = std::max(1, m_settings.concurrency / 2);
    next.throttleMs = std::clamp(std::max(2 * m_settings.throttleMs, 250), 0, 60'000);
    if (slow)
        next.batchSize = std::max(100, m_settings.batchSize / 2);
    m_trial.reset();
    m_settleWindows = 2;
    m_restUntil.fill(m_windowIndex + kPlateauWindows);
    if (next == m_settings)
        return std::nullopt;
    const QString why =
        rateLimited ? u"the feed answered %1 requests with 429"_s.arg(window.rateLimited)
        : failing   ? u"%1 of %2 requests failed"_s.arg(window.failed).arg(window.requests)
                  : u"p95 latency %1 ms is over half the timeout"_s.arg(std::lround(window.p95Ms));
    m_settings = next;
    return TunerDecision{next, u"tuner backs off: "_s + why};
}

std::optional<TunerDecision> AdaptiveTuner::judgeTrial(const Window &window) {
    Trial &trial = *m_trial;
    if (!trial.settled) {
        trial.settled = true; // the window the change landed in mixes before and after
        return std::nullopt;
    }
    const Knob knob = trial.knob;
    const double baseline = trial.baseline;
    if (window.recordsPerSecond >= baseline * kGain) {
        m_trial.reset();
        // It helped: try the same knob again next.
        m_nextKnob = int(knob);
        return climb(window);
    }
    SyncSettings before = trial.before;
    m_trial.reset();
    m_restUntil[std::size_t(knob)] = m_windowIndex + kPlateauWindows;
    m_nextKnob = (int(knob) + 1) % int(Knob::Count);
    m_settings = before;
    m_settleWindows = 1;
    return TunerDecision{before,
                         u"tuner: %1 did not help (%2 vs %3 records/s), back"_s.arg(knobName(knob))
                             .arg(std::lround(window.recordsPerSecond))
                             .arg(std::lround(baseline))};
}

std::optional<TunerDecision> AdaptiveTuner::climb(const Window &window) {
    for (int i = 0; i < int(Knob::Count); ++i) {
        const auto knob = Knob((m_nextKnob + i) % int(Knob::Count));
        if (m_restUntil[std::size_t(knob)] > m_windowIndex)
            continue;
        const auto next = stepUp(knob);
        if (!next)
            continue;
        m_trial = Trial{knob, m_settings, window.recordsPerSecond, false};
        m_settings = *next;
        return TunerDecision{*next, u"tuner tries more %1 (at %2 records/s)"_s.arg(knobName(knob))
                                        .arg(std::lround(window.recordsPerSecond))};
    }
    return std::nullopt;
}

std::optional<SyncSettings> AdaptiveTuner::stepUp(Knob knob) const {
    SyncSettings next = m_settings;
    switch (knob) {
    case Knob::Throttle:
        // Fewer milliseconds between requests; the profile's rate limits still hold (the
        // client's RateLimiter enforces them whatever the throttle).
        next.throttleMs = m_settings.throttleMs < 20 ? 0 : m_settings.throttleMs / 2;
        break;
    case Knob::Concurrency:
        next.concurrency = std::min(m_settings.concurrency + 1, m_profile.maxConcurrency);
        break;
    case Knob::DbBatch:
        next.dbBatchSize = std::min(m_settings.dbBatchSize * 2, std::max(m_settings.batchSize, 1));
        break;
    case Knob::PageSize:
        next.batchSize = std::min(m_settings.batchSize * 3 / 2, m_profile.maxTop);
        break;
    case Knob::Count:
        return std::nullopt;
    }
    if (next == m_settings || !next.validate(m_profile).isEmpty())
        return std::nullopt;
    return next;
}

QString AdaptiveTuner::knobName(Knob knob) {
    switch (knob) {
    case Knob::Throttle:
        return u"request rate (less throttle)"_s;
    case Knob::Concurrency:
        return u"concurrency"_s;
    case Knob::DbBatch:
        return u"database batch size"_s;
    case Knob::PageSize:
        return u"page size"_s;
    case Knob::Count:
        break;
    }
    return {};
}

} // namespace resosync::sync
