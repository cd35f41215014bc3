#include "reso/Timestamp.h"

#include <QDateTime>

namespace resosync::reso {

namespace {

constexpr qint64 kUsecsPerSecond = 1'000'000;
constexpr qint64 kSecondsPerDay = 86'400;

// Howard Hinnant's days_from_civil: proleptic Gregorian date to days since 1970-01-01.
constexpr qint64 daysFromCivil(qint64 y, unsigned m, unsigned d) {
    y -= m <= 2;
    const qint64 era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<qint64>(doe) - 719468;
}

struct Civil {
    qint64 year;
    unsigned month;
    unsigned day;
};

constexpr Civil civilFromDays(qint64 z) {
    z += 719468;
    const qint64 era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const qint64 y = static_cast<qint64>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    return {y + (m <= 2), m, d};
}

constexpr bool isLeap(qint64 y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

constexpr unsigned daysInMonth(qint64 y, unsigned m) {
    constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && isLeap(y) ? 29 : kDays[m - 1];
}

// A tiny cursor over ASCII text; works for both UTF-16 and UTF-8 inputs.
template<typename Char> class Scanner {
public:
    Scanner(const Char *begin, qsizetype size)
        : m_p(begin)
        , m_end(begin + size) {}

    bool digits(int count, int &out) {
        out = 0;
        for (int i = 0; i < count; ++i) {
            if (m_p == m_end || *m_p < '0' || *m_p > '9')
                return false;
            out = out * 10 + (*m_p++ - '0');
        }
        return true;
    }
    bool take(char c) {
        if (m_p == m_end || *m_p != c)
            return false;
        ++m_p;
        return true;
    }
    bool peekDigit() const { return m_p != m_end && *m_p >= '0' && *m_p <= '9'; }
    bool atEnd() const { return m_p == m_end; }

private:
    const Char *m_p;
    const Char *m_end;
};

template<typename Char> std::optional<qint64> scanDate(Scanner<Char> &s) {
    int y = 0, m = 0, d = 0;
    if (!s.digits(4, y) || !s.take('-') || !s.digits(2, m) || !s.take('-') || !s.digits(2, d))
        return std::nullopt;
    if (m < 1 || m > 12 || d < 1 || static_cast<unsigned>(d) > daysInMonth(y, m))
        return std::nullopt;
    return daysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
}

template<typename Char> std::optional<Timestamp> scanTimestamp(const Char *data, qsizetype size) {
    Scanner<Char> s(data, size);
    const auto days = scanDate(s);
    int hh = 0, mm = 0, ss = 0;
    if (!days || !s.take('T') || !s.digits(2, hh) || !s.take(':') || !s.digits(2, mm))
        return std::nullopt;
    // Seconds are optional in the OData ABNF (HH:MM[:SS[.fffffff]]).
    if (s.take(':') && !s.digits(2, ss))
        return std::nullopt;
    if (hh > 23 || mm > 59 || ss > 59)
        return std::nullopt;
    qint64 fractionUsecs = 0;
    if (s.take('.')) {
        int scale = 100'000, digit = 0, count = 0;
        while (s.peekDigit()) {
            s.digits(1, digit);
            fractionUsecs += digit * scale;
            scale /= 10;
            ++count;
        }
        if (count == 0 || count > 12)
            return std::nullopt;
    }
    qint64 offsetSeconds = 0;
    if (!s.take('Z')) {
        const bool negative = s.take('-');
        if (!negative && !s.take('+'))
            return std::nullopt;
        int oh = 0, om = 0;
        if (!s.digits(2, oh) || !s.take(':') || !s.digits(2, om) || oh > 23 || om > 59)
            return std::nullopt;
        offsetSeconds = (oh * 3600 + om * 60) * (negative ? -1 : 1);
    }
    if (!s.atEnd())
        return std::nullopt;
    const qint64 seconds = *days * kSecondsPerDay + hh * 3600 + mm * 60 + ss - offsetSeconds;
    return Timestamp::fromUsecs(seconds * kUsecsPerSecond + fractionUsecs);
}

void appendPadded(QByteArray &out, qint64 value, int width) {
    char buffer[24];
    int n = 0;
    do {
        buffer[n++] = static_cast<char>('0' + value % 10);
        value /= 10;
    } while (value > 0 || n < width);
    while (n > 0)
        out.append(buffer[--n]);
}

} // namespace

Timestamp Timestamp::now() {
    return fromMsecs(QDateTime::currentMSecsSinceEpoch());
}

std::optional<Timestamp> Timestamp::parse(QStringView text) {
    return scanTimestamp(text.utf16(), text.size());
}

std::optional<Timestamp> Timestamp::parse(QByteArrayView text) {
    return scanTimestamp(text.data(), text.size());
}

QByteArray Timestamp::toUtf8() const {
    qint64 days = m_usecs / (kSecondsPerDay * kUsecsPerSecond);
    qint64 rest = m_usecs % (kSecondsPerDay * kUsecsPerSecond);
    if (rest < 0) {
        rest += kSecondsPerDay * kUsecsPerSecond;
        --days;
    }
    const Civil c = civilFromDays(days);
    const qint64 secondOfDay = rest / kUsecsPerSecond;
    const qint64 fraction = rest % kUsecsPerSecond;
    QByteArray out;
    out.reserve(27);
    appendPadded(out, c.year, 4);
    out.append('-');
    appendPadded(out, c.month, 2);
    out.append('-');
    appendPadded(out, c.day, 2);
    out.append('T');
    appendPadded(out, secondOfDay / 3600, 2);
    out.append(':');
    appendPadded(out, secondOfDay / 60 % 60, 2);
    out.append(':');
    appendPadded(out, secondOfDay % 60, 2);
    out.append('.');
    if (fraction % 1000 == 0)
        appendPadded(out, fraction / 1000, 3);
    else
        appendPadded(out, fraction, 6);
    out.append('Z');
    return out;
}

QString Timestamp::toString() const {
    return QString::fromLatin1(toUtf8());
}

std::optional<qint64> parseDate(QStringView text) {
    Scanner<char16_t> s(text.utf16(), text.size());
    const auto days = scanDate(s);
    if (!days || !s.atEnd())
        return std::nullopt;
    return days;
}

QString formatDate(qint64 daysSinceEpoch) {
    const Civil c = civilFromDays(daysSinceEpoch);
    QByteArray out;
    appendPadded(out, c.year, 4);
    out.append('-');
    appendPadded(out, c.month, 2);
    out.append('-');
    appendPadded(out, c.day, 2);
    return QString::fromLatin1(out);
}

} // namespace resosync::reso
