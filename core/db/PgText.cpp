#include "db/PgText.h"

namespace resosync::db {

namespace {

constexpr char16_t kReplacementCharacter = 0xFFFD;

int hexValue(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool isOctal(char c) {
    return c >= '0' && c <= '7';
}

} // namespace

std::string PgText::quoteIdent(std::string_view name) {
    std::string quoted;
    quoted.reserve(name.size() + 2);
    quoted += '"';
    for (const char c : name) {
        if (c == '"')
            quoted += '"';
        quoted += c;
    }
    quoted += '"';
    return quoted;
}

QByteArray PgText::validText(QByteArrayView bytes) {
    if (bytes.isValidUtf8() && !bytes.contains('\0'))
        return bytes.toByteArray();
    // QString::fromUtf8 already turns each invalid sequence into U+FFFD.
    QString text = QString::fromUtf8(bytes);
    text.replace(QChar(u'\0'), QChar(kReplacementCharacter));
    return text.toUtf8();
}

void PgText::appendCopyEscaped(QByteArray &out, QByteArrayView value) {
    for (const char c : value) {
        switch (c) {
        case '\\':
            out.append("\\\\", 2);
            break;
        case '\t':
            out.append("\\t", 2);
            break;
        case '\n':
            out.append("\\n", 2);
            break;
        case '\r':
            out.append("\\r", 2);
            break;
        default:
            out.append(c);
        }
    }
}

QByteArray PgText::lastCopyField(QByteArrayView line) {
    // Data tabs are escaped as `\t`: a raw tab is always a field separator.
    const qsizetype tab = line.lastIndexOf('\t');
    return unescapeCopyField(tab < 0 ? line : line.sliced(tab + 1));
}

QByteArray PgText::unescapeCopyField(QByteArrayView field) {
    if (field == QByteArrayView("\\N"))
        return {};
    QByteArray out;
    out.reserve(field.size());
    for (qsizetype i = 0; i < field.size(); ++i) {
        const char c = field[i];
        if (c != '\\' || i + 1 == field.size()) {
            out.append(c);
            continue;
        }
        const char next = field[++i];
        switch (next) {
        case 'b':
            out.append('\b');
            break;
        case 'f':
            out.append('\f');
            break;
        case 'n':
            out.append('\n');
            break;
        case 'r':
            out.append('\r');
            break;
        case 't':
            out.append('\t');
            break;
        case 'v':
            out.append('\v');
            break;
        case 'x': {
            int value = 0;
            int digits = 0;
            while (digits < 2 && i + 1 < field.size() && hexValue(field[i + 1]) >= 0) {
                value = value * 16 + hexValue(field[++i]);
                ++digits;
            }
            if (digits == 0)
                out.append('x'); // `\x` without digits is a plain x, as COPY reads it
            else
                out.append(static_cast<char>(value));
            break;
        }
        default:
            if (isOctal(next)) {
                int value = next - '0';
                for (int digits = 1; digits < 3 && i + 1 < field.size() && isOctal(field[i + 1]);
                     ++digits)
                    value = value * 8 + (field[++i] - '0');
                out.append(static_cast<char>(value & 0xFF));
            } else {
                out.append(next); // any other escaped character stands for itself
            }
        }
    }
    return out;
}

void PgText::appendArrayElement(std::string &out, std::string_view text) {
    out += '"';
    for (const char c : text) {
        if (c == '"' || c == '\\')
            out += '\\';
        out += c;
    }
    out += '"';
}

std::string PgText::arrayLiteral(const std::vector<QByteArray> &elements) {
    std::size_t size = 2;
    for (const QByteArray &element : elements)
        size += static_cast<std::size_t>(element.size()) + 3;
    std::string literal;
    literal.reserve(size);
    literal += '{';
    bool first = true;
    for (const QByteArray &element : elements) {
        if (!first)
            literal += ',';
        first = false;
        if (element.isNull()) {
            literal += "NULL";
            continue;
        }
        const bool valid = QByteArrayView(element).isValidUtf8() && !element.contains('\0');
        const QByteArray text = valid ? element : validText(element); // shared, not copied
        appendArrayElement(literal, std::string_view(text.constData(), std::size_t(text.size())));
    }
    literal += '}';
    return literal;
}

} // namespace resosync::db
