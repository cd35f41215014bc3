#include "metrics/MetricsFormat.h"

#include <QLocale>

#include <algorithm>
#include <cmath>

namespace resosync::metrics {

using namespace Qt::StringLiterals;

QString formatMillis(double ms) {
    if (ms < 10)
        return QString::number(ms, 'f', 1) + "ms"_L1;
    return QString::number(qRound64(ms)) + "ms"_L1;
}

QString formatPercentOf(qint64 part, qint64 whole) {
    if (whole <= 0)
        return u"n/a"_s;
    const double percent = 100.0 * double(part) / double(whole);
    // Rounding must not hide the rare event the figure is about: 1 failure in 1000 requests
    // is "99.9%", not "100%", and 1 cache hit in 1000 is "0.1%", not "0%".
    if (part < whole && qRound(percent) >= 100)
        return QString::number(std::floor(percent * 10) / 10, 'f', 1) + u'%';
    if (part > 0 && qRound(percent) <= 0)
        return QString::number(std::max(0.1, std::ceil(percent * 10) / 10), 'f', 1) + u'%';
    return QString::number(qRound(percent)) + u'%';
}

QString formatWholePercent(double percent) {
    return QString::number(qRound(percent)) + u'%';
}

QString formatWholeMb(double mb) {
    return QString::number(qRound64(mb)) + "MB"_L1;
}

QString formatBytesAsMb(qint64 bytes) {
    constexpr double kBytesPerMb = 1024.0 * 1024.0;
    return QString::number(double(bytes) / kBytesPerMb, 'f', 1) + " MB"_L1;
}

QString formatBatches(qint64 count, qint64 failed) {
    const QString batches = QString::number(count) + " batches"_L1;
    if (failed <= 0)
        return batches;
    return batches + " ("_L1 + QString::number(failed) + " failed)"_L1;
}

QString formatRecordsPerSecond(double recordsPerSecond) {
    // en_US for the thousands separator ("41,000"); QLocale::c() omits it.
    const QLocale english(QLocale::English, QLocale::UnitedStates);
    return english.toString(qRound64(recordsPerSecond));
}

QString formatElapsed(qint64 ms) {
    const qint64 totalSeconds = std::max<qint64>(0, ms) / 1000;
    const qint64 hours = totalSeconds / 3600;
    const qint64 minutes = totalSeconds / 60 % 60;
    const QString seconds = u"%1"_s.arg(totalSeconds % 60, 2, 10, QChar(u'0'));
    if (hours > 0)
        return u"%1:%2:%3"_s.arg(hours).arg(minutes, 2, 10, QChar(u'0')).arg(seconds);
    return u"%1:%2"_s.arg(minutes).arg(seconds);
}

} // namespace resosync::metrics
