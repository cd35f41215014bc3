#pragma once

#include "sim/FieldValue.h"
#include "sim/RecordGenerator.h"

#include <QByteArray>
#include <QSet>
#include <QString>

namespace resosync::sim {

/// Writes simulator records as compact JSON, in document order, numbers as their exact text.
/// Hand-written because QJsonDocument sorts keys and turns numbers into doubles.
class JsonWriter final {
public:
    /// Appends `record` as a JSON object; with `select`, only the named fields.
    static void appendRecord(QByteArray &out, const Record &record,
                             const QSet<QString> *select = nullptr);
    static void appendValue(QByteArray &out, const FieldValue &value);
    static void appendString(QByteArray &out, QStringView text);
    static void appendString(QByteArray &out, QByteArrayView utf8);
};

} // namespace resosync::sim
