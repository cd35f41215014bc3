#include "reso/QueryUrl.h"

namespace resosync::reso {

using namespace Qt::StringLiterals;

QUrl queryUrl(const QUrl &base, QStringView resource, const QueryOptions &options) {
    QByteArray encoded =
        base.toEncoded(QUrl::RemoveQuery | QUrl::RemoveFragment | QUrl::StripTrailingSlash);
    encoded += '/' + QUrl::toPercentEncoding(resource.toString());
    char separator = '?';
    for (const auto &[name, value] : options) {
        // '$' is allowed unencoded in a query (RFC 3986 sub-delims); OData examples keep it.
        encoded +=
            separator + QUrl::toPercentEncoding(name, "$") + '=' + QUrl::toPercentEncoding(value);
        separator = '&';
    }
    return QUrl::fromEncoded(encoded, QUrl::StrictMode);
}

QString odataString(QStringView value) {
    QString quoted = value.toString();
    quoted.replace(u'\'', "''"_L1);
    return u'\'' + quoted + u'\'';
}

} // namespace resosync::reso
