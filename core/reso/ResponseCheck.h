#pragma once

#include <QByteArrayView>
#include <QString>

namespace resosync::reso {

/// True when `body` holds one complete JSON object or array (and only whitespace after it).
///
/// A structural scan (strings, escapes, nesting depth), not a parse: about 1 GB/s, so every
/// page can afford it. It exists because Qt 6.4's QNetworkAccessManager hands a gzip body
/// cut by a reset or a clean early close over as a short 200 *without an error* and without
/// the Content-Length it stripped while decompressing: only the body itself tells.
bool isCompleteJson(QByteArrayView body);

/// The OData error message of an error body, `{"error":{"code":..,"message":..}}`, or the
/// OAuth2 form `{"error":"..","error_description":".."}`; empty when there is none.
/// At most `maxLength` characters.
QString odataErrorMessage(QByteArrayView body, qsizetype maxLength = 500);

} // namespace resosync::reso
