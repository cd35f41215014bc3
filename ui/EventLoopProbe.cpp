#include "EventLoopProbe.h"

#include <QLocale>

namespace resosync::ui {

using namespace Qt::StringLiterals;

EventLoopProbe::EventLoopProbe(QObject *parent)
    : QObject(parent) {
    // A coarse timer may fire up to 5% early or late by design, which would read as lateness.
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setInterval(kIntervalMs);
    connect(&m_timer, &QTimer::timeout, this, &EventLoopProbe::onTimeout);
}

void EventLoopProbe::start() {
    m_lateness.clear();
    m_clock.start();
    m_lastNs = 0;
    m_lastSummaryNs = 0;
    m_timer.start();
}

void EventLoopProbe::stop() {
    m_timer.stop();
    Q_EMIT summaryChanged(summary());
}

void EventLoopProbe::onTimeout() {
    const qint64 now = m_clock.nsecsElapsed();
    // Measured from the previous firing, so one late firing counts once, not again in every
    // firing after it.
    const double lateMs = double(now - m_lastNs) / 1e6 - kIntervalMs;
    m_lastNs = now;
    m_lateness.add(lateMs); // early firings (negative) count as 0
    if (now - m_lastSummaryNs >= qint64(kSummaryEveryMs) * 1'000'000) {
        m_lastSummaryNs = now;
        Q_EMIT summaryChanged(summary());
    }
}

QString EventLoopProbe::summary() const {
    const QLocale locale;
    return tr("Event loop: p50 %1 ms, p99 %2 ms, max %3 ms (%4 samples)")
        .arg(locale.toString(m_lateness.percentile(50), 'f', 1),
             locale.toString(m_lateness.percentile(99), 'f', 1),
             locale.toString(m_lateness.max(), 'f', 1), locale.toString(m_lateness.count()));
}

} // namespace resosync::ui
