#pragma once

#include "reso/Timestamp.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <variant>

namespace resosync::sim {

/// A number as the feed sends it: the exact JSON text (so `459900.10` keeps its scale) and
/// its value for comparisons.
struct Number {
    double value = 0;
    QByteArray text;
    friend bool operator==(const Number &a, const Number &b) { return a.text == b.text; }
};

/// Days since 1970-01-01 (an Edm.Date).
struct Date {
    qint64 days = 0;
    friend bool operator==(const Date &, const Date &) = default;
};

/// One field's value in a simulated record. `std::monostate` is JSON null; a QStringList is
/// a collection of enumeration values (a JSON array of strings).
using FieldValue =
    std::variant<std::monostate, bool, Number, QString, reso::Timestamp, Date, QStringList>;

inline bool isNull(const FieldValue &v) {
    return std::holds_alternative<std::monostate>(v);
}

/// Read access to a record's fields by name, for filters and sorting. Implementations may
/// compute fields lazily; unknown names give null.
class FieldSource {
public:
    virtual ~FieldSource() = default;
    virtual FieldValue field(QStringView name) const = 0;
};

} // namespace resosync::sim
