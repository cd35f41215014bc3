#include "sim/JsonWriter.h"

namespace resosync::sim {

namespace {

void appendEscaped(QByteArray &out, QByteArrayView utf8) {
    static constexpr char kHex[] = "0123456789abcdef";
    out.append('"');
    for (char c : utf8) {
        const auto u = static_cast<unsigned char>(c);
        switch (c) {
        case '"':
            out.append("\\\"");
            break;
        case '\\':
            out.append("\\\\");
            break;
        case '\n':
            out.append("\\n");
            break;
        case '\r':
            out.append("\\r");
            break;
        case '\t':
            out.append("\\t");
            break;
        default:
            if (u < 0x20) {
                out.append("\\u00");
                out.append(kHex[u >> 4]);
                out.append(kHex[u & 0xF]);
            } else {
                out.append(c); // UTF-8 passes through unchanged
            }
        }
    }
    out.append('"');
}

} // namespace

void JsonWriter::appendString(QByteArray &out, QStringView text) {
    appendEscaped(out, text.toUtf8());
}

void JsonWriter::appendString(QByteArray &out, QByteArrayView utf8) {
    appendEscaped(out, utf8);
}

void JsonWriter::appendValue(QByteArray &out, const FieldValue &value) {
    std::visit(
        [&out](const auto &v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::monostate>) {
                out.append("null");
            } else if constexpr (std::is_same_v<T, bool>) {
                out.append(v ? "true" : "false");
            } else if constexpr (std::is_same_v<T, Number>) {
                out.append(v.text);
            } else if constexpr (std::is_same_v<T, QString>) {
                appendString(out, QStringView(v));
            } else if constexpr (std::is_same_v<T, reso::Timestamp>) {
                appendEscaped(out, v.toUtf8());
            } else if constexpr (std::is_same_v<T, Date>) {
                appendEscaped(out, reso::formatDate(v.days).toLatin1());
            } else if constexpr (std::is_same_v<T, QStringList>) {
                out.append('[');
                for (qsizetype i = 0; i < v.size(); ++i) {
                    if (i > 0)
                        out.append(',');
                    appendString(out, QStringView(v[i]));
                }
                out.append(']');
            }
        },
        value);
}

void JsonWriter::appendRecord(QByteArray &out, const Record &record, const QSet<QString> *select) {
    out.append('{');
    bool first = true;
    for (const Field &field : record) {
        if (select && !select->contains(field.name))
            continue;
        if (!first)
            out.append(',');
        first = false;
        appendString(out, QStringView(field.name));
        out.append(':');
        appendValue(out, field.value);
    }
    out.append('}');
}

} // namespace resosync::sim
