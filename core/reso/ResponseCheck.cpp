#include "reso/ResponseCheck.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace resosync::reso {

using namespace Qt::StringLiterals;

namespace {

bool isJsonSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

} // namespace

bool isCompleteJson(QByteArrayView body) {
    const char *p = body.data();
    const char *const end = p + body.size();
    while (p != end && isJsonSpace(*p))
        ++p;
    if (p == end || (*p != '{' && *p != '['))
        return false;
    qsizetype depth = 0;
    for (; p != end; ++p) {
        switch (*p) {
        case '"':
            // Skip the string: up to the next quote not escaped by a backslash.
            for (++p; p != end && *p != '"'; ++p) {
                if (*p == '\\' && ++p == end)
                    return false;
            }
            if (p == end)
                return false;
            break;
        case '{':
        case '[':
            ++depth;
            break;
        case '}':
        case ']':
            if (--depth == 0) {
                for (++p; p != end; ++p) {
                    if (!isJsonSpace(*p))
                        return false;
                }
                return true;
            }
            break;
        default:
            break;
        }
    }
    return false;
}

QString odataErrorMessage(QByteArrayView body, qsizetype maxLength) {
    // Error bodies are small; a large body is a page, not an error worth parsing here.
    if (body.isEmpty() || body.size() > 64 * 1024)
        return {};
    const QJsonObject root = QJsonDocument::fromJson(body.toByteArray()).object();
    const QJsonValue error = root.value(u"error"_s);
    QString message;
    if (error.isObject()) {
        const QJsonObject object = error.toObject();
        message = object.value(u"message"_s).toString();
        if (message.isEmpty())
            message = object.value(u"code"_s).toString();
    } else if (error.isString()) {
        message = error.toString();
        const QString description = root.value(u"error_description"_s).toString();
        if (!description.isEmpty())
            message += u": "_s + description;
    }
    message = message.simplified();
    if (message.size() > maxLength)
        message = message.left(maxLength - 1) + u'\u2026';
    return message;
}

} // namespace resosync::reso
