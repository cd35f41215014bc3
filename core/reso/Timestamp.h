#pragma once

#include <QByteArray>
#include <QString>
#include <QStringView>

#include <compare>
#include <optional>

namespace resosync::reso {

/// An Edm.DateTimeOffset at full PostgreSQL precision (microseconds, UTC).
///
/// Replication cursors compare timestamps exactly; rounding to seconds or milliseconds
/// skips or repeats records (RESO-PROTOCOL.md, "Truncated timestamps"), so this type never
/// goes through QDateTime, which keeps milliseconds only.
class Timestamp final {
public:
    constexpr Timestamp() = default;
    static constexpr Timestamp fromUsecs(qint64 usecsSinceEpoch) {
        Timestamp t;
        t.m_usecs = usecsSinceEpoch;
        return t;
    }
    static constexpr Timestamp fromMsecs(qint64 msecsSinceEpoch) {
        return fromUsecs(msecsSinceEpoch * 1000);
    }
    static Timestamp now();

    /// Parses `2021-05-21T06:28:34Z`, `...34.007Z`, `...34.1234567+02:00`. Digits past the
    /// sixth fraction digit are dropped (PostgreSQL keeps microseconds).
    static std::optional<Timestamp> parse(QStringView text);
    static std::optional<Timestamp> parse(QByteArrayView text);

    /// Formats as UTC with `Z`: three fraction digits when the value is whole milliseconds,
    /// six otherwise, so formatting and parsing round-trip exactly.
    QString toString() const;
    QByteArray toUtf8() const;

    constexpr qint64 usecs() const { return m_usecs; }
    constexpr qint64 msecs() const { return m_usecs / 1000; }

    friend constexpr auto operator<=>(const Timestamp &, const Timestamp &) = default;

private:
    qint64 m_usecs = 0;
};

/// Parses an Edm.Date (`2024-03-01`) to days since 1970-01-01.
std::optional<qint64> parseDate(QStringView text);
QString formatDate(qint64 daysSinceEpoch);

} // namespace resosync::reso
