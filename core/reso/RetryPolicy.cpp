#include "reso/RetryPolicy.h"

#include <QLocale>
#include <QRandomGenerator>
#include <QString>

#include <algorithm>
#include <cmath>

namespace resosync::reso {

using namespace Qt::StringLiterals;

RetryPolicy::RetryPolicy(int initialMs, int maxMs, double jitter)
    : m_initialMs(std::max(0, initialMs))
    , m_maxMs(std::max(m_initialMs, maxMs))
    , m_jitter(std::clamp(jitter, 0.0, 1.0)) {}

int RetryPolicy::baseDelayMs(int retry) const {
    qint64 delay = m_initialMs;
    for (int i = 1; i < retry && delay < m_maxMs; ++i)
        delay *= 2;
    return int(std::min<qint64>(delay, m_maxMs));
}

int RetryPolicy::delayMs(int retry) const {
    const double base = baseDelayMs(retry);
    const double factor = 1.0 + m_jitter * (2.0 * QRandomGenerator::global()->generateDouble() - 1);
    return int(std::lround(base * factor));
}

std::optional<qint64> RetryPolicy::parseRetryAfter(QByteArrayView value, const QDateTime &nowUtc) {
    const QString text = QString::fromLatin1(value).simplified();
    if (text.isEmpty())
        return std::nullopt;
    bool isNumber = false;
    const qlonglong seconds = text.toLongLong(&isNumber);
    if (isNumber) {
        if (seconds < 0)
            return std::nullopt;
        // A week is more than any vendor asks; anything larger is nonsense, not a plan.
        return std::min<qint64>(seconds, 7 * 24 * 3600) * 1000;
    }
    // IMF-fixdate, then the obsolete RFC 850 and asctime forms (RFC 7231 7.1.1.1), in English
    // whatever the user's locale. The weekday is redundant and dropped: Qt would check it
    // against a two-digit RFC 850 year read as 19xx and refuse the date.
    const qsizetype comma = text.indexOf(u',');
    const QString date = comma >= 0 ? text.mid(comma + 1).trimmed() : text.section(u' ', 1);
    const QLocale c = QLocale::c();
    for (const QString &format : {u"dd MMM yyyy HH:mm:ss 'GMT'"_s, u"dd-MMM-yy HH:mm:ss 'GMT'"_s,
                                  u"MMM d HH:mm:ss yyyy"_s}) {
        const QDateTime parsed = c.toDateTime(date, format);
        if (!parsed.isValid())
            continue;
        QDate day = parsed.date();
        if (day.year() < 1970) // two-digit RFC 850 years: Qt reads "24" as 1924
            day = day.addYears(100);
        const QDateTime when(day, parsed.time(), Qt::UTC);
        return std::max<qint64>(0, nowUtc.msecsTo(when));
    }
    return std::nullopt;
}

} // namespace resosync::reso
